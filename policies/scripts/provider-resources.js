// The resources of the installed AWS provider, read from its own files: each resource module's
// type token (`static __pulumiType`), its class name and the text of its typings, where its
// `<Name>Args` interface lists the arguments. The generators of the pack's data files read it.
"use strict";
const fs = require("fs");
const path = require("path");

const awsDir = path.dirname(require.resolve("@pulumi/aws/package.json", { paths: [__dirname] }));
const version = require(path.join(awsDir, "package.json")).version;

/** Each resource: `{ token, cls, module, typings }` (module: the provider's folder, as `iam`). */
function* providerResources() {
  for (const mod of fs.readdirSync(awsDir, { withFileTypes: true })) {
    if (!mod.isDirectory() || mod.name === "node_modules" || mod.name === "types") continue;
    const dir = path.join(awsDir, mod.name);
    for (const file of fs.readdirSync(dir)) {
      if (!file.endsWith(".js")) continue;
      const js = fs.readFileSync(path.join(dir, file), "utf8");
      const token = /static __pulumiType = '([^']+)'/.exec(js);
      if (!token) continue;
      const dts = path.join(dir, file.replace(/\.js$/, ".d.ts"));
      if (!fs.existsSync(dts)) continue;
      yield {
        token: token[1],
        cls: token[1].slice(token[1].lastIndexOf(":") + 1),
        module: mod.name,
        typings: fs.readFileSync(dts, "utf8"),
      };
    }
  }
}

module.exports = { providerResources, version };
