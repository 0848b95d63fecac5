// Entry point of the pack (package.json "main"). It runs the JavaScript build in bin/, rebuilt
// first when any TypeScript source is newer, so `pulumi preview --policy-pack policies` always
// serves the current sources without compiling them under ts-node at every start. Where the
// build cannot be written (a read-only checkout, no TypeScript installed) it falls back to the
// TypeScript sources, which the Pulumi runner compiles itself.
"use strict";
let entry;
try {
  entry = require("./build").ensureBuilt();
} catch (e) {
  console.error(`policy pack: serving the TypeScript sources (no JavaScript build: ${e.message})`);
  entry = require("path").join(__dirname, "index.ts");
}
require(entry);
