import * as assert from "assert";
import {
  endpointConfigDataCapture,
  endpointConfigInstanceBased,
  endpointConfigInstanceType,
  endpointConfigKms,
  hasLocalStorage,
  modelNetworkIsolation,
  notebookDirectInternet,
  notebookImdsV2,
  notebookInstanceType,
  notebookKms,
  notebookRootAccess,
} from "../../policies/sagemaker";
import { check, checkStack, clone, Fixture, UNKNOWN, KMS_KEY_ARN } from "./harness";

const notebook: Fixture = {
  type: "aws:sagemaker/notebookInstance:NotebookInstance",
  name: "notebook-instance",
  stack: "production",
  props: {
    instanceType: "ml.t3.medium",
    rootAccess: "Disabled",
    directInternetAccess: "Disabled",
    subnetId: "subnet-0abc",
    kmsKeyId: KMS_KEY_ARN,
    instanceMetadataServiceConfiguration: { minimumInstanceMetadataServiceVersion: "2" },
    roleArn: "arn:aws:iam::123456789012:role/notebook",
  },
};

function mutate(base: Fixture, changes: Record<string, unknown>): Fixture {
  const f = clone(base);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete f.props[k];
    else f.props[k] = v;
  }
  return f;
}

describe("sagemaker notebook policies", () => {
  it("accept the locked-down prod notebook", async () => {
    for (const p of [
      notebookRootAccess,
      notebookDirectInternet,
      notebookKms,
      notebookInstanceType,
    ]) {
      assert.deepStrictEqual(await check(p, notebook), [], p.name);
    }
  });

  it("sagemaker-notebook-disable-root-access reports root access on, and unset", async () => {
    assert.deepStrictEqual(
      await check(notebookRootAccess, mutate(notebook, { rootAccess: "Enabled" })),
      [
        'NotebookInstance "notebook-instance" has rootAccess "Enabled"; notebook users with root can change the ' +
          'instance and read its role\'s credentials. Set rootAccess: "Disabled".',
      ],
    );
    const [m] = await check(notebookRootAccess, mutate(notebook, { rootAccess: undefined }));
    assert.match(m, /has rootAccess unset \(SageMaker's default is Enabled\)/);
    assert.deepStrictEqual(
      await check(notebookRootAccess, mutate(notebook, { rootAccess: UNKNOWN })),
      [],
    );
  });

  it("sagemaker-notebook-disable-direct-internet reports direct internet in prod only", async () => {
    const open = mutate(notebook, { directInternetAccess: "Enabled" });
    assert.deepStrictEqual(await check(notebookDirectInternet, open), [
      'NotebookInstance "notebook-instance" has directInternetAccess "Enabled" in this stack. Set ' +
        'directInternetAccess: "Disabled" with subnetId and securityGroups, so traffic leaves through the VPC\'s controls.',
    ]);
    assert.deepStrictEqual(await check(notebookDirectInternet, { ...open, stack: "dev" }), []);
    assert.strictEqual(
      (await check(notebookDirectInternet, { ...open, stack: "dev" }, { stacks: ["dev", "prod"] }))
        .length,
      1,
    );
  });

  it("sagemaker-notebook-require-kms reports a notebook without kmsKeyId", async () => {
    assert.deepStrictEqual(await check(notebookKms, mutate(notebook, { kmsKeyId: undefined })), [
      'NotebookInstance "notebook-instance" has no kmsKeyId, so its storage volume (notebooks, data copies) is not ' +
        "under a key the stack controls. Set kmsKeyId to a customer-managed KMS key ARN.",
    ]);
    assert.deepStrictEqual(await check(notebookKms, mutate(notebook, { kmsKeyId: UNKNOWN })), []);
  });

  it("sagemaker-notebook-require-imdsv2 reports IMDSv1 allowed", async () => {
    assert.deepStrictEqual(
      await check(
        notebookImdsV2,
        mutate(notebook, {
          instanceMetadataServiceConfiguration: { minimumInstanceMetadataServiceVersion: "1" },
        }),
      ),
      [
        'NotebookInstance "notebook-instance" has instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion ' +
          '"1", so code in a notebook can read the role\'s credentials through IMDSv1. Set ' +
          'instanceMetadataServiceConfiguration: {minimumInstanceMetadataServiceVersion: "2"}.',
      ],
    );
    assert.match(
      (
        await check(
          notebookImdsV2,
          mutate(notebook, { instanceMetadataServiceConfiguration: undefined }),
        )
      )[0],
      /unset \(IMDSv1 allowed\)/,
    );
    assert.deepStrictEqual(
      await check(
        notebookImdsV2,
        mutate(notebook, { instanceMetadataServiceConfiguration: UNKNOWN }),
      ),
      [],
    );
  });

  it("sagemaker-notebook-restrict-instance-type uses the stack's list, overridable by config", async () => {
    const big = mutate(notebook, { instanceType: "ml.p3.2xlarge" });
    assert.deepStrictEqual(await check(notebookInstanceType, big), [
      'NotebookInstance "notebook-instance" uses instanceType "ml.p3.2xlarge", not allowed in this stack. Use one of: ' +
        "ml.t3.medium, ml.t3.large, ml.m5.xlarge.",
    ]);
    assert.deepStrictEqual(
      await check(notebookInstanceType, big, {
        allowedInstanceTypes: { production: ["ml.p3.2xlarge"] },
      }),
      [],
    );
    const [m] = await check(notebookInstanceType, { ...big, stack: "staging" });
    assert.match(m, /Use one of: ml\.t3\.medium\.$/);
  });
});

const endpointConfig: Fixture = {
  type: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  name: "inference-config",
  stack: "production",
  props: {
    kmsKeyArn: KMS_KEY_ARN,
    productionVariants: [
      {
        variantName: "primary",
        modelName: "classifier-model",
        instanceType: "ml.m5.xlarge",
        initialInstanceCount: 2,
      },
    ],
    dataCaptureConfig: {
      enableCapture: true,
      initialSamplingPercentage: 20,
      destinationS3Uri: "s3://b/capture",
      captureOptions: [{ captureMode: "Input" }],
    },
  },
};

const serverless = (base: Fixture): Fixture => {
  const f = clone(base);
  f.props.productionVariants = [
    {
      variantName: "primary",
      modelName: "classifier-model",
      serverlessConfig: { maxConcurrency: 2, memorySizeInMb: 3072 },
    },
  ];
  delete f.props.kmsKeyArn;
  delete f.props.dataCaptureConfig;
  return f;
};

describe("sagemaker endpoint configuration policies", () => {
  it("accept the prod instance-based configuration", async () => {
    for (const p of [
      endpointConfigKms,
      endpointConfigInstanceType,
      endpointConfigDataCapture,
      endpointConfigInstanceBased,
    ]) {
      assert.deepStrictEqual(await check(p, endpointConfig), [], p.name);
    }
  });

  it("sagemaker-endpoint-config-require-kms reports instance variants without kmsKeyArn, not serverless ones", async () => {
    assert.deepStrictEqual(
      await check(endpointConfigKms, mutate(endpointConfig, { kmsKeyArn: undefined })),
      [
        'EndpointConfiguration "inference-config" has instance-based variant(s) "primary" but no kmsKeyArn, so the ML ' +
          "storage volumes attached to the instances use no key the stack controls. Set kmsKeyArn to a customer-managed KMS key ARN.",
      ],
    );
    assert.deepStrictEqual(
      await check(endpointConfigKms, { ...serverless(endpointConfig), stack: "dev" }),
      [],
    );
  });

  it("exempts instance types with local NVMe storage, which cannot take a key", async () => {
    for (const [type, local] of [
      ["ml.g4dn.xlarge", true],
      ["ml.m5d.large", true],
      ["ml.g5.2xlarge", true],
      ["ml.m5.xlarge", false],
      ["ml.c5.xlarge", false],
    ] as const) {
      assert.strictEqual(hasLocalStorage(type), local, type);
      const f = mutate(endpointConfig, { kmsKeyArn: undefined });
      (f.props.productionVariants as Record<string, unknown>[])[0].instanceType = type;
      assert.strictEqual((await check(endpointConfigKms, f)).length, local ? 0 : 1, type);
    }
  });

  it("sagemaker-endpoint-config-restrict-instance-type reports a type outside the list", async () => {
    const f = clone(endpointConfig);
    (f.props.productionVariants as Record<string, unknown>[])[0].instanceType = "ml.p4d.24xlarge";
    assert.deepStrictEqual(await check(endpointConfigInstanceType, f), [
      'EndpointConfiguration "inference-config" variant "primary" uses instanceType "ml.p4d.24xlarge", not allowed in ' +
        "this stack. Use one of: ml.m5.large, ml.m5.xlarge, ml.c5.xlarge, ml.c5.2xlarge, ml.g4dn.xlarge.",
    ]);
  });

  it("sagemaker-endpoint-config-require-data-capture reports capture off in prod", async () => {
    assert.deepStrictEqual(
      await check(
        endpointConfigDataCapture,
        mutate(endpointConfig, { dataCaptureConfig: undefined }),
      ),
      [
        'EndpointConfiguration "inference-config" has dataCaptureConfig unset, so requests to the model leave no record ' +
          "for monitoring or audit. Set dataCaptureConfig {enableCapture: true, initialSamplingPercentage, destinationS3Uri, " +
          'kmsKeyId, captureOptions: [{captureMode: "Input"}, {captureMode: "Output"}]}.',
      ],
    );
    const off = clone(endpointConfig);
    (off.props.dataCaptureConfig as Record<string, unknown>).enableCapture = false;
    assert.match(
      (await check(endpointConfigDataCapture, off))[0],
      /has dataCaptureConfig with enableCapture false/,
    );
    assert.deepStrictEqual(await check(endpointConfigDataCapture, { ...off, stack: "dev" }), []);
  });

  it("sagemaker-endpoint-config-require-instance-variant reports serverless in prod, accepts it in dev", async () => {
    assert.deepStrictEqual(await check(endpointConfigInstanceBased, serverless(endpointConfig)), [
      'EndpointConfiguration "inference-config" variant "primary" is serverless (serverlessConfig set) in a stack that ' +
        "must be instance-based: serverless endpoints cannot use a KMS key, a VPC, network isolation or data capture. " +
        "Set instanceType and initialInstanceCount instead of serverlessConfig.",
    ]);
    assert.deepStrictEqual(
      await check(endpointConfigInstanceBased, { ...serverless(endpointConfig), stack: "dev" }),
      [],
    );
    assert.deepStrictEqual(
      await check(endpointConfigInstanceBased, serverless(endpointConfig), { stacks: [] }),
      [],
    );
  });
});

describe("sagemaker-model-require-network-isolation", () => {
  const model: Fixture = {
    type: "aws:sagemaker/model:Model",
    name: "inference-model",
    stack: "production",
    props: {
      name: "classifier-model",
      enableNetworkIsolation: true,
      executionRoleArn: "arn:aws:iam::123456789012:role/model",
    },
  };

  it("accepts an isolated model", async () => {
    assert.deepStrictEqual(await checkStack(modelNetworkIsolation, [model, endpointConfig]), []);
  });

  it("reports a prod model served by an instance variant without isolation", async () => {
    const open = mutate(model, { enableNetworkIsolation: false });
    assert.deepStrictEqual(await checkStack(modelNetworkIsolation, [open, endpointConfig]), [
      {
        name: "inference-model",
        message:
          'Model "inference-model" has enableNetworkIsolation false, so the inference container can reach the network ' +
          "(and exfiltrate data or pull code). Set enableNetworkIsolation: true; fetch inputs in the caller and send the bytes.",
      },
    ]);
  });

  it("exempts a model served only by serverless variants, and dev stacks", async () => {
    const open = mutate(model, { enableNetworkIsolation: undefined });
    assert.deepStrictEqual(
      await checkStack(modelNetworkIsolation, [open, serverless(endpointConfig)]),
      [],
    );
    assert.deepStrictEqual(
      await checkStack(modelNetworkIsolation, [{ ...open, stack: "dev" }]),
      [],
    );
  });

  it("finds the serving variant through engine dependencies when the model name is unknown", async () => {
    const open = mutate(model, { enableNetworkIsolation: undefined, name: UNKNOWN });
    const cfg = serverless(endpointConfig);
    (cfg.props.productionVariants as Record<string, unknown>[])[0].modelName = UNKNOWN;
    cfg.deps = { productionVariants: ["inference-model"] };
    assert.deepStrictEqual(await checkStack(modelNetworkIsolation, [open, cfg]), []);
  });
});
