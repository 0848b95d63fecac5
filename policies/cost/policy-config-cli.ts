// Prints the policy config of a stack, built from Pulumi.yaml and Pulumi.<stack>.yaml, for
// `pulumi preview --stack <stack> --policy-pack policies --policy-pack-config <file>`:
//
//   npx tsx policies/cost/policy-config-cli.ts --stack prod > policy-config.prod.json
//
// The offline check sends the same JSON through the analyzer's Configure call.
import { findProjectRoot } from "../../tools/stack-run";
import { loadStackConfig } from "../../tools/stack-config";
import { policyConfigFromStackConfig } from "./usage";

/** The policy config JSON of `stack` in the project at `root`. */
export function policyConfigForStack(root: string, stack: string): string {
  const { config } = loadStackConfig(root, stack);
  return JSON.stringify(policyConfigFromStackConfig(config), null, 2);
}

if (require.main === module) {
  const i = process.argv.indexOf("--stack");
  const stack = i >= 0 ? process.argv[i + 1] : undefined;
  if (!stack) {
    process.stderr.write("usage: policy-config-cli.ts --stack <name>\n");
    process.exit(2);
  }
  try {
    process.stdout.write(policyConfigForStack(findProjectRoot(process.cwd()), stack) + "\n");
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
}
