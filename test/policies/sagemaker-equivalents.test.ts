// The SageMaker rules on Studio domains and user profiles, on shadow variants, and data capture
// judged by what it samples.
import * as assert from "assert";
import {
  endpointConfigDataCapture,
  endpointConfigInstanceBased,
  endpointConfigInstanceType,
  endpointConfigKms,
  modelNetworkIsolation,
  notebookDirectInternet,
  notebookKms,
} from "../../policies/sagemaker";
import { check, checkStack, Fixture, UNKNOWN, KMS_KEY_ARN } from "./harness";

const domain: Fixture = {
  type: "aws:sagemaker/domain:Domain",
  name: "studio",
  stack: "production",
  props: {
    domainName: "studio",
    authMode: "IAM",
    vpcId: "vpc-1",
    subnetIds: ["subnet-1"],
    appNetworkAccessType: "VpcOnly",
    kmsKeyId: KMS_KEY_ARN,
    defaultUserSettings: {
      executionRole: "arn:aws:iam::123456789012:role/studio",
      sharingSettings: {
        notebookOutputOption: "Allowed",
        s3OutputPath: "s3://b/x",
        s3KmsKeyId: KMS_KEY_ARN,
      },
    },
  },
};

const profile: Fixture = {
  type: "aws:sagemaker/userProfile:UserProfile",
  name: "alice",
  stack: "production",
  props: {
    domainId: "d-1",
    userProfileName: "alice",
    userSettings: { executionRole: "arn:aws:iam::123456789012:role/studio" },
  },
};

const config: Fixture = {
  type: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  name: "inference-config",
  stack: "production",
  props: {
    kmsKeyArn: KMS_KEY_ARN,
    productionVariants: [
      {
        variantName: "primary",
        modelName: "m1",
        instanceType: "ml.m5.xlarge",
        initialInstanceCount: 2,
      },
    ],
    shadowProductionVariants: [
      {
        variantName: "candidate",
        modelName: "m2",
        instanceType: "ml.m5.xlarge",
        initialInstanceCount: 1,
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

function withProps(base: Fixture, props: Record<string, unknown>, stack?: string): Fixture {
  const f = { ...base, props: { ...structuredClone(base.props), ...props } };
  if (stack) f.stack = stack;
  for (const [k, v] of Object.entries(props)) if (v === undefined) delete f.props[k];
  return f;
}

describe("sagemaker rules on Studio domains and user profiles", () => {
  it("pass a VPC-only domain with its own key, and a profile that shares nothing", async () => {
    for (const p of [notebookDirectInternet, notebookKms]) {
      assert.deepStrictEqual(await check(p, domain), [], p.name);
      assert.deepStrictEqual(await check(p, profile), [], p.name);
    }
    // Public internet is for the listed stacks only.
    const devDomain = withProps(domain, { appNetworkAccessType: "PublicInternetOnly" }, "dev");
    assert.deepStrictEqual(await check(notebookDirectInternet, devDomain), []);
  });

  it("report a domain on the public internet, explicitly or by default", async () => {
    assert.deepStrictEqual(
      await check(notebookDirectInternet, withProps(domain, { appNetworkAccessType: undefined })),
      [
        'Domain "studio" has appNetworkAccessType unset (SageMaker\'s default is PublicInternetOnly) in this ' +
          'stack. Set appNetworkAccessType: "VpcOnly" with subnetIds and domainSettings.securityGroupIds, so ' +
          "traffic leaves through the VPC's controls.",
      ],
    );
    assert.match(
      (
        await check(
          notebookDirectInternet,
          withProps(domain, { appNetworkAccessType: "PublicInternetOnly" }),
        )
      )[0],
      /appNetworkAccessType "PublicInternetOnly" in this stack/,
    );
  });

  it("report a domain without a key, and shared notebook outputs without one", async () => {
    assert.deepStrictEqual(await check(notebookKms, withProps(domain, { kmsKeyId: undefined })), [
      'Domain "studio" has no kmsKeyId, so its EFS volume (every user\'s home directory: notebooks, data ' +
        "copies) is not under a key the stack controls. Set kmsKeyId to a customer-managed KMS key ARN.",
    ]);
    const sharing = withProps(domain, {
      defaultUserSettings: {
        executionRole: "arn:aws:iam::123456789012:role/studio",
        sharingSettings: { notebookOutputOption: "Allowed", s3OutputPath: "s3://b/x" },
      },
    });
    assert.match(
      (await check(notebookKms, sharing))[0],
      /has no defaultUserSettings\.sharingSettings\.s3KmsKeyId, so the notebook outputs users share \(copied to S3\) are not under a key/,
    );
    const shared = withProps(profile, {
      userSettings: {
        executionRole: "arn:aws:iam::123456789012:role/studio",
        sharingSettings: { notebookOutputOption: "Allowed", s3OutputPath: "s3://b/x" },
      },
    });
    assert.match(
      (await check(notebookKms, shared))[0],
      /^UserProfile "alice" has no userSettings\.sharingSettings\.s3KmsKeyId/,
    );
    assert.deepStrictEqual(await check(notebookKms, withProps(domain, { kmsKeyId: UNKNOWN })), []);
  });
});

describe("sagemaker rules on shadow variants", () => {
  it("pass a configuration whose production and shadow variants are both compliant", async () => {
    for (const p of [endpointConfigKms, endpointConfigInstanceType, endpointConfigInstanceBased]) {
      assert.deepStrictEqual(await check(p, config), [], p.name);
    }
  });

  it("report a shadow variant on a type outside the list", async () => {
    const big = withProps(config, {
      shadowProductionVariants: [
        { variantName: "candidate", modelName: "m2", instanceType: "ml.p4d.24xlarge" },
      ],
    });
    assert.match(
      (await check(endpointConfigInstanceType, big))[0],
      /shadow variant "candidate" uses instanceType "ml\.p4d\.24xlarge", not allowed in this stack/,
    );
  });

  it("report a serverless shadow variant in prod", async () => {
    const f = withProps(config, {
      shadowProductionVariants: [
        { variantName: "candidate", modelName: "m2", serverlessConfig: { memorySizeInMb: 2048 } },
      ],
    });
    assert.match(
      (await check(endpointConfigInstanceBased, f))[0],
      /^EndpointConfiguration "inference-config" shadow variant "candidate" is serverless/,
    );
  });

  it("report a configuration whose only instance variant is a shadow one and has no key", async () => {
    const f = withProps(config, {
      kmsKeyArn: undefined,
      productionVariants: [
        { variantName: "primary", modelName: "m1", serverlessConfig: { memorySizeInMb: 2048 } },
      ],
    });
    assert.match(
      (await check(endpointConfigKms, f))[0],
      /has instance-based variant\(s\) "candidate" \(shadow\) but no kmsKeyArn/,
    );
  });

  it("report a model served only by a shadow variant without network isolation", async () => {
    const model = (name: string, isolated: boolean): Fixture => ({
      type: "aws:sagemaker/model:Model",
      name,
      stack: "production",
      props: { name, enableNetworkIsolation: isolated },
    });
    const findings = await checkStack(modelNetworkIsolation, [
      config,
      model("m1", true),
      model("m2", false),
    ]);
    assert.deepStrictEqual(
      findings.map((f) => f.name),
      ["m2"],
    );
  });
});

describe("sagemaker-endpoint-config-require-data-capture by what it samples", () => {
  it("reports capture on at 0% as capture off", async () => {
    const f = withProps(config, {
      dataCaptureConfig: {
        ...(config.props.dataCaptureConfig as object),
        initialSamplingPercentage: 0,
      },
    });
    assert.deepStrictEqual(await check(endpointConfigDataCapture, f), [
      'EndpointConfiguration "inference-config" has dataCaptureConfig with enableCapture true but ' +
        "initialSamplingPercentage 0, so requests to the model leave no record for monitoring or audit. Set " +
        "dataCaptureConfig {enableCapture: true, initialSamplingPercentage, destinationS3Uri, kmsKeyId, " +
        'captureOptions: [{captureMode: "Input"}, {captureMode: "Output"}]}.',
    ]);
  });

  it("reports capture with no sampling percentage", async () => {
    const f = withProps(config, {
      dataCaptureConfig: { enableCapture: true, destinationS3Uri: "s3://b/c" },
    });
    assert.match((await check(endpointConfigDataCapture, f))[0], /initialSamplingPercentage unset/);
  });

  it("reads a percentage written as a string", async () => {
    for (const [pct, n] of [
      ["0", 1],
      ["25", 0],
    ] as const) {
      const f = withProps(config, {
        dataCaptureConfig: {
          ...(config.props.dataCaptureConfig as object),
          initialSamplingPercentage: pct,
        },
      });
      assert.strictEqual((await check(endpointConfigDataCapture, f)).length, n, pct);
    }
  });

  it("passes capture at 1% and a percentage unknown at preview", async () => {
    for (const pct of [1, UNKNOWN]) {
      const f = withProps(config, {
        dataCaptureConfig: {
          ...(config.props.dataCaptureConfig as object),
          initialSamplingPercentage: pct,
        },
      });
      assert.deepStrictEqual(await check(endpointConfigDataCapture, f), [], String(pct));
    }
  });
});
