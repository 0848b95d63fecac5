// Writes Pulumi.yaml's `config:` block from the table of stack keys (shared/stack-keys.ts); the
// rest of Pulumi.yaml stays as written. `npm run config:generate`; a test fails when the committed
// file differs from what this renders.
import * as fs from "fs";
import * as path from "path";
import { Document, Pair, Scalar, YAMLMap } from "yaml";
import { KeySpec, STACK_KEYS } from "../shared/stack-keys";

const FILE = path.join(__dirname, "..", "Pulumi.yaml");

/** Pulumi.yaml as `current`, with its `config:` block (the last one) rendered from the table. */
export function renderPulumiYaml(current: string): string {
  const at = current.search(/^config:\s*$/m);
  if (at < 0) throw new Error("Pulumi.yaml has no top-level config: block");
  const config: Record<string, Record<string, unknown>> = {};
  for (const [key, spec] of Object.entries(STACK_KEYS) as [string, KeySpec][]) {
    config[key] = {
      type: spec.type,
      ...(spec.items ? { items: { type: spec.items } } : {}),
      description: spec.description,
      default: spec.default,
    };
  }
  const doc = new Document({ config });
  const map = doc.get("config") as YAMLMap<Scalar<string>, unknown>;
  let group: string | undefined;
  for (const pair of map.items as Pair<Scalar<string>, unknown>[]) {
    const spec: KeySpec = STACK_KEYS[pair.key.value as keyof typeof STACK_KEYS];
    if (spec.group !== group) pair.key.commentBefore = ` ${spec.group}`;
    group = spec.group;
  }
  return current.slice(0, at) + doc.toString({ lineWidth: 0 });
}

if (require.main === module) {
  const current = fs.readFileSync(FILE, "utf8");
  const next = renderPulumiYaml(current);
  if (next !== current) fs.writeFileSync(FILE, next);
  console.log(`${next === current ? "unchanged" : "wrote"} ${path.relative(process.cwd(), FILE)}`);
}
