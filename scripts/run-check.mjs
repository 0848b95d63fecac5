// `npm run check`: transpile the program, the pack and the check (no type-checking on this path),
// then run the check from dist/.
import { createRequire } from "node:module";
import * as path from "node:path";
import { compile, root } from "./compile.mjs";
import { assertNodeVersion } from "./node-version.mjs";

try {
  assertNodeVersion();
} catch (e) {
  console.error(e.message);
  process.exit(2);
}
await compile();
const require = createRequire(import.meta.url);
const { main } = require(path.join(root, "dist", "tools", "check.js"));
process.exitCode = await main(process.argv.slice(2));
