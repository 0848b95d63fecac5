// The Node.js this project runs on: at least the major release package.json's `engines` names.
// `node scripts/node-version.mjs` prints the running version and exits 1 when it is older (the
// setup script asks it whether the machine's own Node.js will do); the check and the tests call
// `assertNodeVersion` first, so an older Node.js fails with the fix rather than somewhere deep in
// the Pulumi SDK. Written for any Node.js that runs ES modules: it is what judges an old one.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PACKAGE_JSON = new URL("../package.json", import.meta.url);

/** The lowest major release `engines.node` accepts (`>=22` gives 22). */
export function requiredMajor() {
  const range = JSON.parse(readFileSync(PACKAGE_JSON, "utf8")).engines.node;
  const m = /^>=\s*(\d+)(?:\.\d+){0,2}$/.exec(range.trim());
  if (!m) throw new Error(`package.json: engines.node is "${range}"; expected ">=<major>"`);
  return Number(m[1]);
}

/** True when `version` (`v24.1.0` or `24.1.0`) is of the required major release or newer. */
export function isSupported(version, major = requiredMajor()) {
  return Number(version.replace(/^v/, "").split(".")[0]) >= major;
}

/** Throws, naming the fix, when this process runs on an older Node.js than package.json needs. */
export function assertNodeVersion() {
  const major = requiredMajor();
  if (!isSupported(process.version, major)) {
    throw new Error(
      `Node.js ${process.version} runs this, and the project needs ${major} or newer: run ` +
        `"bash scripts/setup.sh" (it provides Node.js ${major}+ from the npm registry when the ` +
        `machine's own is older), then run the npm script again.`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`${process.version} (${process.execPath}), needs ${requiredMajor()} or newer`);
  try {
    assertNodeVersion();
  } catch (e) {
    console.error(e.message);
    process.exitCode = 1;
  }
}
