// The analyzer client: requests it encodes itself decode to exactly what the generated protobuf
// classes build, config is reconciled as the CLI does it, and an end-to-end run is timed.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { PolicyInfo, reconcileConfig } from "../../tools/analyzer-config";
import { buildAnalyzeRequest, buildAnalyzeStackRequest } from "../../tools/analyzer-reference";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "../../tools/analyzer-wire";
import { startPolicyPack } from "../../tools/policy-analyzer";
import type { StackResource } from "../../tools/stack-run";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET = {
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  value: "s3cret",
};

function resource(
  name: string,
  props: Record<string, unknown>,
  extra: Partial<StackResource> = {},
): StackResource {
  const urn = `urn:pulumi:dev::dog-breed-classifier::aws:lambda/function:Function::${name}`;
  return {
    urn,
    type: "aws:lambda/function:Function",
    name,
    custom: true,
    inputs: props,
    outputs: { ...props, arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}` },
    id: name,
    protect: false,
    retainOnDelete: false,
    dependencies: [],
    propertyDependencies: {},
    ignoreChanges: [],
    replaceOnChanges: [],
    deleteBeforeReplace: false,
    ...extra,
  };
}

const provider: StackResource = {
  ...resource("aws", {
    region: "us-east-1",
    defaultTags: JSON.stringify({ tags: { project: "p" } }),
  }),
  urn: "urn:pulumi:dev::dog-breed-classifier::pulumi:providers:aws::aws",
  type: "pulumi:providers:aws",
};

const fn = resource(
  "classify",
  {
    name: "classify",
    memorySize: 512,
    timeout: 0.5,
    publish: true,
    skip: false,
    layers: [],
    nothing: null,
    environment: { variables: { TOKEN: SECRET, "": "empty key", ÄÖ: "ünïcödé ✓" } },
    role: UNKNOWN,
    code: new pulumi.asset.FileArchive("/tmp/handler"),
    big: 2 ** 40,
    negative: -3,
  },
  {
    provider: `${provider.urn}::provider-id`,
    parent:
      "urn:pulumi:dev::dog-breed-classifier::dog-breed-classifier:lambda:ClassifierFunction::classifier",
    protect: true,
    ignoreChanges: ["tags"],
    dependencies: ["urn:a", "urn:b"],
    propertyDependencies: { role: ["urn:a"], code: [] },
    deleteBeforeReplace: true,
  },
);

describe("analyzer client", () => {
  it("encodes AnalyzeRequest as the generated classes do", async () => {
    const mine = analyzerProto.AnalyzeRequest.deserializeBinary(
      await encodeAnalyzeRequest(fn, provider),
    );
    const reference = (await buildAnalyzeRequest(fn, provider)) as { toObject(): unknown };
    assert.deepStrictEqual(mine.toObject(), reference.toObject());
    assert.strictEqual(mine.getProperties().toJavaScript().code.path, "/tmp/handler");
  });

  it("encodes AnalyzeStackRequest with parents, dependencies and providers as the generated classes do", async () => {
    const graph = [provider, fn, resource("other", { name: "other" })];
    const mine = analyzerProto.AnalyzeStackRequest.deserializeBinary(
      await encodeAnalyzeStackRequest(graph),
    );
    const reference = (await buildAnalyzeStackRequest(graph)) as { toObject(): unknown };
    assert.deepStrictEqual(mine.toObject(), reference.toObject());
    assert.strictEqual(mine.getResourcesList()[1].getProvider().getName(), "aws");
  });

  it("reconciles config as the CLI does: defaults, then `all`, then each policy", () => {
    const policies: PolicyInfo[] = [
      {
        name: "a",
        description: "",
        enforcementLevel: "advisory",
        configSchema: { limit: { default: 2 }, list: { default: ["x"] } },
      },
      { name: "b", description: "", enforcementLevel: "mandatory" },
    ];
    assert.deepStrictEqual(reconcileConfig(policies), {
      a: { enforcementLevel: "advisory", properties: { limit: 2, list: ["x"] } },
      b: { enforcementLevel: "mandatory", properties: {} },
    });
    assert.deepStrictEqual(
      reconcileConfig(policies, { all: "disabled", a: { limit: 5 }, b: "advisory" }),
      {
        a: { enforcementLevel: "disabled", properties: { limit: 5, list: ["x"] } },
        b: { enforcementLevel: "advisory", properties: {} },
      },
    );
  });

  it("times an end-to-end run: start, configure, Analyze and AnalyzeStack, close", async function () {
    this.timeout(60_000);
    // A graph of the program's size and shape: 48 resources, inline policies and tags.
    const graph = [provider];
    for (let i = 0; i < 47; i++) {
      graph.push(
        resource(
          `fn-${i}`,
          {
            name: `fn-${i}`,
            runtime: "nodejs22.x",
            reservedConcurrentExecutions: 2,
            tags: { owner: "o" },
          },
          { provider: `${provider.urn}::id` },
        ),
      );
    }
    const t0 = process.hrtime.bigint();
    const pack = await startPolicyPack({});
    const t1 = process.hrtime.bigint();
    const violations = await pack.check(graph);
    const t2 = process.hrtime.bigint();
    await pack.close();
    const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
    const analysis = ms(t1, t2);
    console.log(
      `      end-to-end pack run: ${ms(t0, t2).toFixed(0)} ms (start ${ms(t0, t1).toFixed(0)} ms, ` +
        `analysis of ${graph.length} resources ${analysis.toFixed(0)} ms, ${Math.round((graph.length * 1000) / analysis)} resources/s)`,
    );
    assert.ok(violations.some((v) => v.policyName === "lambda-function-require-log-retention"));
  });
});
