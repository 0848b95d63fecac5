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

/**
 * The provider's nested argument blocks, `"<module>.<Interface>"` to the interface's body, read
 * from `types/input.d.ts` (where `inputs.s3control.MultiRegionAccessPointPolicyDetails` lives).
 */
function inputTypes() {
  const text = fs.readFileSync(path.join(awsDir, "types", "input.d.ts"), "utf8");
  const out = {};
  let ns;
  let cur;
  let body = [];
  for (const line of text.split("\n")) {
    const space = /^export declare namespace (\w+) \{/.exec(line);
    if (space) {
      ns = space[1];
      continue;
    }
    const open = /^    interface (\w+) \{/.exec(line);
    if (open) {
      cur = `${ns}.${open[1]}`;
      body = [];
    } else if (cur && /^    \}/.test(line)) {
      out[cur] = body.join("\n");
      cur = undefined;
    } else if (cur) {
      body.push(line);
    }
  }
  return out;
}

/** The body of a resource's `<Name>Args` interface in its typings, where its arguments are listed. */
function argsOf(typings, cls) {
  const m = new RegExp(`export interface ${cls}Args \\{([\\s\\S]*?)\\n\\}`).exec(typings);
  return m ? m[1] : undefined;
}

/** The members of an interface body: `{ name, type, docs }`, docs from each member's comment. */
function members(body) {
  const out = [];
  const re = /(?:\/\*\*([\s\S]*?)\*\/\s*\n)?\s*(\w+)\??: ([^;]*);/g;
  let a;
  while ((a = re.exec(body))) {
    out.push({ name: a[2], type: a[3], docs: (a[1] ?? "").replace(/\s*\*\s?/g, " ").trim() });
  }
  return out;
}

module.exports = { providerResources, argsOf, inputTypes, members, version };
