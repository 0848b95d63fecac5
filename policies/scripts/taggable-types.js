// Writes taggable-types.json: the type token of every resource of the installed AWS provider whose
// arguments take `tags`, read from the provider's own typings. Re-run after upgrading
// @pulumi/aws: `node policies/scripts/taggable-types.js`.
"use strict";
const fs = require("fs");
const path = require("path");

const awsDir = path.dirname(require.resolve("@pulumi/aws/package.json", { paths: [__dirname] }));
const version = require(path.join(awsDir, "package.json")).version;
const types = [];
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
    const cls = token[1].slice(token[1].lastIndexOf(":") + 1);
    const text = fs.readFileSync(dts, "utf8");
    const args = new RegExp(`export interface ${cls}Args \\{([\\s\\S]*?)\\n\\}`).exec(text);
    if (args && /\n {4}tags\?:/.test(args[1])) types.push(token[1]);
  }
}
types.sort();
const out = path.join(__dirname, "..", "taggable-types.json");
fs.writeFileSync(
  out,
  JSON.stringify({ provider: `@pulumi/aws@${version}`, types }, null, 1) + "\n",
);
console.log(`wrote ${types.length} taggable types from @pulumi/aws@${version} to ${out}`);
