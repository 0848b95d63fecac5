// Writes taggable-types.json: the type token of every resource of the installed AWS provider whose
// arguments take `tags`, read from the provider's own typings. Re-run after upgrading
// @pulumi/aws: `node policies/scripts/taggable-types.js`.
"use strict";
const fs = require("fs");
const path = require("path");

const { providerResources, argsOf, version } = require("./provider-resources");

const types = [];
for (const { token, cls, typings } of providerResources()) {
  if (/\n {4}tags\?:/.test(argsOf(typings, cls) ?? "")) types.push(token);
}
types.sort();
const out = path.join(__dirname, "..", "taggable-types.json");
fs.writeFileSync(
  out,
  JSON.stringify({ provider: `@pulumi/aws@${version}`, types }, null, 1) + "\n",
);
console.log(`wrote ${types.length} taggable types from @pulumi/aws@${version} to ${out}`);
