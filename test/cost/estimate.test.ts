// Every figure below is worked out by hand from the price table's us-east-1 prices; the arithmetic is
// written out as literals so that a wrong formula in the estimator cannot also produce the expectation.
import * as assert from "assert";
import { CostEstimate, CostLine, biggestItems, estimateCost, toGraph } from "../../cost/estimate";
import { T, instanceEndpoint, lambda, res, serverlessEndpoint, usage } from "./fixtures";

function near(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} != ${expected}`);
}

function only(est: CostEstimate, item: string): CostLine {
  const lines = est.lines.filter((l) => l.item.startsWith(item));
  assert.strictEqual(
    lines.length,
    1,
    `one "${item}" line in ${JSON.stringify(est.lines.map((l) => l.item))}`,
  );
  return lines[0];
}

function bounds(l: CostLine, min: number, max: number): void {
  near(l.monthlyMin, min, `${l.item} min`);
  near(l.monthlyMax, max, `${l.item} max`);
}

describe("estimateCost", () => {
  describe("notebook instance", () => {
    it("bills the active hours from usage and the ML storage volume for the whole month", () => {
      const est = estimateCost(
        [res(T.notebook, "notebook", { instanceType: "ml.t3.medium", volumeSize: 10 })],
        usage({ storageGb: 0, logIngestGbPerMonth: 0 }),
        "us-east-1",
      );
      const hours = only(est, "notebook instance hours");
      bounds(hours, 2.0, 2.0); // 40 h × $0.05
      assert.strictEqual(hours.formula, "1 × ml.t3.medium × 40 h × $0.05/h");
      assert.deepStrictEqual(hours.inputs, {
        instances: 1,
        instanceType: "ml.t3.medium",
        hoursPerMonth: 40,
        usdPerHour: 0.05,
      });
      bounds(only(est, "notebook ML storage"), 1.4, 1.4); // 10 GB × $0.14
      assert.deepStrictEqual(est.totals, { min: 3.4, max: 3.4 });
    });

    it("caps the active hours at a 730-hour month", () => {
      const est = estimateCost(
        [res(T.notebook, "notebook", { instanceType: "ml.m5.xlarge", volumeSize: 5 })],
        usage({ notebookActiveHoursPerMonth: 1000 }),
        "us-east-1",
      );
      bounds(only(est, "notebook instance hours"), 167.9, 167.9); // 730 h × $0.23
    });

    it("warns about an instance type the table has no price for, and still prices the volume", () => {
      const est = estimateCost(
        [res(T.notebook, "notebook", { instanceType: "ml.r5.large" })],
        usage(),
        "us-east-1",
      );
      assert.strictEqual(est.lines.filter((l) => l.item === "notebook instance hours").length, 0);
      assert.ok(
        est.warnings.some((w) => w.includes("notebook") && w.includes("ml.r5.large")),
        est.warnings.join("\n"),
      );
      bounds(only(est, "notebook ML storage"), 0.7, 0.7); // default 5 GB × $0.14
    });
  });

  describe("EC2 instance", () => {
    it("bills the hours from usage and the gp3 root volume for the whole month", () => {
      const est = estimateCost(
        [
          res(T.ec2, "trainer", {
            instanceType: "m5.xlarge",
            rootBlockDevice: { volumeSize: 100, volumeType: "gp3", encrypted: true },
          }),
        ],
        usage(),
        "us-east-1",
      );
      const hours = only(est, "EC2 instance hours");
      bounds(hours, 1.92, 1.92); // 10 h × $0.192
      assert.strictEqual(hours.formula, "1 × m5.xlarge × 10 h × $0.192/h");
      const volume = only(est, "EBS root volume");
      bounds(volume, 8.0, 8.0); // 100 GB × $0.08
      assert.strictEqual(volume.formula, "100 GB × $0.08/GB-month");
    });

    it("prices a gp2 volume at the gp2 rate", () => {
      const est = estimateCost(
        [
          res(T.ec2, "trainer", {
            instanceType: "t3.medium",
            rootBlockDevice: { volumeSize: 30, volumeType: "gp2" },
          }),
        ],
        usage({ ec2HoursPerMonth: 730 }),
        "us-east-1",
      );
      bounds(only(est, "EC2 instance hours"), 30.368, 30.368); // 730 h × $0.0416
      bounds(only(est, "EBS root volume"), 3.0, 3.0); // 30 GB × $0.10
    });
  });

  describe("training and tuning jobs", () => {
    it("bills a spot training job at max runtime × runs, on-demand at the top and 70% off at the bottom", () => {
      const job = res(T.trainingJob, "train", {
        resourceConfig: { instanceType: "ml.g4dn.xlarge", instanceCount: 1, volumeSizeInGb: 30 },
        stoppingCondition: { maxRuntimeInSeconds: 7200, maxWaitTimeInSeconds: 14400 },
        enableManagedSpotTraining: true,
      });
      const l = only(estimateCost([job], usage(), "us-east-1"), "training job");
      // 1 × 2 h × 2 runs × $0.736 = $2.944; spot: $2.944 × 0.3 = $0.8832
      bounds(l, 0.8832, 2.944);
      assert.match(l.formula, /^1 × ml\.g4dn\.xlarge × 2 h × 2 runs × \$0\.736\/h; spot/);
      assert.strictEqual(l.inputs.spot, true);
    });

    it("bills an on-demand training job the same at both bounds, counting instances", () => {
      const job = res(T.trainingJob, "train", {
        ResourceConfig: { InstanceType: "ml.p3.2xlarge", InstanceCount: 2 },
        StoppingCondition: { MaxRuntimeInSeconds: 1800 },
      });
      // 2 × 0.5 h × 3 runs × $3.825 = $11.475 (API spelling of the keys)
      bounds(
        only(estimateCost([job], usage({ trainingRunsPerMonth: 3 }), "us-east-1"), "training job"),
        11.475,
        11.475,
      );
    });

    it("bills a tuning job for every training job it may start", () => {
      const tuning = res(T.tuningJob, "tune", {
        config: {
          strategy: "Bayesian",
          resourceLimits: { maxNumberOfTrainingJobs: 4, maxParallelTrainingJobs: 2 },
        },
        trainingJobDefinition: {
          resourceConfig: { instanceType: "ml.m5.xlarge", instanceCount: 1 },
          stoppingCondition: { maxRuntimeInSeconds: 3600 },
        },
      });
      // 4 jobs × 1 × 1 h × 2 runs × $0.23 = $1.84
      bounds(only(estimateCost([tuning], usage(), "us-east-1"), "tuning job"), 1.84, 1.84);
    });

    it("caps a tuning job at its own time limit times its parallel jobs", () => {
      const tuning = res(T.tuningJob, "tune", {
        config: {
          resourceLimits: {
            maxNumberOfTrainingJobs: 4,
            maxParallelTrainingJobs: 2,
            maxRuntimeInSeconds: 3600,
          },
        },
        trainingJobDefinition: {
          resourceConfig: { instanceType: "ml.m5.xlarge" },
          stoppingCondition: { maxRuntimeInSeconds: 3600 },
          enableManagedSpotTraining: true,
        },
      });
      // min(4 × 1 h, 2 × 1 h) = 2 h × 2 runs × $0.23 = $0.92; spot bottom $0.92 × 0.3 = $0.276
      bounds(only(estimateCost([tuning], usage(), "us-east-1"), "tuning job"), 0.276, 0.92);
    });

    it("estimates training from the config when the stack declares no job", () => {
      const u = usage();
      u.training = {
        ...u.training,
        mode: "train",
        instanceType: "ml.m5.xlarge",
        instanceCount: 1,
        useSpot: true,
        maxRuntimeSeconds: 7200,
      };
      const l = only(estimateCost([], u, "us-east-1"), "training job (from config)");
      // 1 × 2 h × 2 runs × $0.23 = $0.92; spot bottom $0.276
      bounds(l, 0.276, 0.92);
      assert.strictEqual(l.resource, "stack");

      u.training = { ...u.training, mode: "tune", useSpot: false, tuningMaxJobs: 4 };
      // 4 jobs × 1 × 2 h × 2 runs × $0.23 = $3.68
      bounds(only(estimateCost([], u, "us-east-1"), "tuning job (from config)"), 3.68, 3.68);
    });

    it("does not count the config's training twice when the job is declared", () => {
      const u = usage();
      u.training = { ...u.training, mode: "train" };
      const job = res(T.trainingJob, "train", {
        resourceConfig: { instanceType: "ml.m5.xlarge" },
        stoppingCondition: { maxRuntimeInSeconds: 3600 },
      });
      const est = estimateCost([job], u, "us-east-1");
      assert.deepStrictEqual(
        est.lines.filter((l) => l.item.includes("job")).map((l) => l.item),
        ["training job"],
      );
    });
  });

  describe("SageMaker endpoint", () => {
    it("bills instance-based variants over the autoscaling range of their scalable target", () => {
      const est = estimateCost(
        instanceEndpoint("prod", "ml.m5.xlarge", 2, 4),
        usage(),
        "us-east-1",
      );
      const l = only(est, "endpoint instances");
      // 2 × 730 h × $0.23 = $335.80; 4 × 730 h × $0.23 = $671.60
      bounds(l, 335.8, 671.6);
      assert.strictEqual(l.formula, "2–4 × ml.m5.xlarge × 730 h × $0.23/h");
      assert.strictEqual(l.inputs.scalableTarget, "model-scaling-target");
    });

    it("bills the initial instance count when the variant has no scalable target", () => {
      const graph = instanceEndpoint("dev", "ml.c5.large", 1, 3).filter((r) => r.type !== T.target);
      bounds(only(estimateCost(graph, usage(), "us-east-1"), "endpoint instances"), 74.46, 74.46); // 1 × 730 h × $0.102
    });

    it("bills serverless inference per GB-second at the expected requests and duration", () => {
      const est = estimateCost(serverlessEndpoint("dev", 3072), usage(), "us-east-1");
      const l = only(est, "serverless inference");
      // 10,000 × 0.3 s × 3 GB = 9,000 GB-s × $0.00002 = $0.18
      bounds(l, 0.18, 0.18);
      assert.strictEqual(l.formula, "10,000 requests × 0.3 s × 3 GB × $0.00002/GB-s");
      assert.strictEqual(
        est.lines.filter((x) => x.item.startsWith("endpoint instances")).length,
        0,
      );
    });

    it("bills the data processed in and out of the endpoint", () => {
      const est = estimateCost(
        serverlessEndpoint("dev", 1024),
        usage({ monthlyRequests: 1048576, payloadKbPerRequest: 100 }),
        "us-east-1",
      );
      // 1,048,576 × 100 KB = 100 GB × $0.016 = $1.60
      bounds(only(est, "endpoint data processed"), 1.6, 1.6);
    });

    it("shows the captured volume, kept in the bucket, as a zero line", () => {
      const graph = instanceEndpoint("prod", "ml.m5.xlarge", 1, 1, {
        dataCaptureConfig: {
          enableCapture: true,
          initialSamplingPercentage: 20,
          destinationS3Uri: "s3://b/capture",
          captureOptions: [{ captureMode: "Input" }],
        },
      });
      const l = only(
        estimateCost(graph, usage({ monthlyRequests: 1048576 }), "us-east-1"),
        "data capture",
      );
      // 1,048,576 × 20% × 100 KB = 20 GB a month
      assert.strictEqual(l.inputs.gbPerMonth, 20);
      bounds(l, 0, 0);
    });

    it("pairs the endpoint with its configuration when the name is unknown at preview", () => {
      const graph = serverlessEndpoint("dev", 2048);
      (graph[1].inputs as Record<string, unknown>).endpointConfigName = undefined;
      (graph[1].outputs as Record<string, unknown>).endpointConfigName = undefined;
      bounds(only(estimateCost(graph, usage(), "us-east-1"), "serverless inference"), 0.12, 0.12); // 10,000 × 0.3 × 2 × 0.00002
    });
  });

  describe("matching resources to each other", () => {
    it("pairs each endpoint with its own configuration and scalable target by name", () => {
      const graph = [
        ...instanceEndpoint("prod", "ml.m5.xlarge", 2, 4),
        ...instanceEndpoint("blue", "ml.c5.xlarge", 1, 2).map((r) => ({
          ...r,
          name: `blue-${r.name}`,
        })),
      ];
      const est = estimateCost(graph, usage({ payloadKbPerRequest: 0 }), "us-east-1");
      const instances = est.lines.filter((l) => l.item.startsWith("endpoint instances"));
      assert.deepStrictEqual(
        instances.map((l) => [l.name, l.monthlyMin, l.monthlyMax]),
        [
          ["model-endpoint", 335.8, 671.6], // 2–4 × 730 h × $0.23
          ["blue-model-endpoint", 148.92, 297.84], // 1–2 × 730 h × $0.204
        ],
      );
    });

    it("gives each function its own provisioned concurrency", () => {
      const graph = [...lambda("prod", 1024, 2), ...lambda("stage", 2048, 1)].map((r) =>
        r.urn.includes("stage") ? { ...r, name: `stage-${r.name}` } : r,
      );
      const est = estimateCost(graph, usage({ storageGb: 0, logIngestGbPerMonth: 0 }), "us-east-1");
      const pc = est.lines.filter((l) => l.item.startsWith("Lambda provisioned concurrency"));
      // 2 × 1 GB × 2,628,000 s × $0.0000033334 = $17.5203504; 1 × 2 GB × ... = $17.5203504
      assert.deepStrictEqual(
        pc.map((l) => [l.name, l.inputs.provisionedConcurrency, l.inputs.memoryGb]),
        [
          ["classifier-live-pc", 2, 1],
          ["stage-classifier-live-pc", 1, 2],
        ],
      );
      pc.forEach((l) => bounds(l, 17.5203504, 17.5203504));
      assert.deepStrictEqual(est.warnings, []);
    });
  });

  describe("Lambda", () => {
    it("bills requests and arm64 duration at the expected volume", () => {
      const est = estimateCost(lambda("dev", 512), usage(), "us-east-1");
      bounds(only(est, "Lambda requests"), 0.002, 0.002); // 10,000 × $0.0000002
      const d = only(est, "Lambda duration");
      // 10,000 × 0.5 s × 0.5 GB = 2,500 GB-s × $0.0000133334 = $0.0333335
      bounds(d, 0.0333335, 0.0333335);
      assert.strictEqual(d.formula, "10,000 requests × 0.5 s × 0.5 GB × $0.0000133334/GB-s");
    });

    it("bills provisioned concurrency for every second of the month, and the warm duration rate at the bottom", () => {
      const est = estimateCost(lambda("prod", 1024, 2), usage(), "us-east-1");
      const pc = only(est, "Lambda provisioned concurrency");
      // 2 × 1 GB × 2,628,000 s × $0.0000033334 = $17.5203504
      bounds(pc, 17.5203504, 17.5203504);
      assert.strictEqual(pc.formula, "2 × 1 GB × 2,628,000 s (730 h) × $0.0000033334/GB-s");
      // 10,000 × 0.5 s × 1 GB = 5,000 GB-s: × $0.0000077778 = $0.038889; × $0.0000133334 = $0.066667
      bounds(only(est, "Lambda duration"), 0.038889, 0.066667);
    });
  });

  describe("storage, keys, alarms and logs", () => {
    it("bills storageGb once, on the first bucket", () => {
      const est = estimateCost(
        [res(T.bucket, "data", {}), res(T.bucket, "logs", {})],
        usage({ storageGb: 50, logIngestGbPerMonth: 0 }),
        "us-east-1",
      );
      const l = only(est, "S3 Standard storage");
      bounds(l, 1.15, 1.15); // 50 GB × $0.023
      assert.strictEqual(l.name, "data");
    });

    it("bills a KMS key a dollar a month", () => {
      bounds(only(estimateCost([res(T.kms, "key", {})], usage(), "us-east-1"), "KMS key"), 1, 1);
    });

    it("bills alarms per alarm metric, high resolution at the higher rate", () => {
      const est = estimateCost(
        [
          res(T.alarm, "errors", { metricName: "Invocation5XXErrors", period: 60 }),
          res(T.alarm, "fast", { metricName: "ModelLatency", period: 10 }),
          res(T.alarm, "math", {
            metricQueries: [
              { id: "e", expression: "a+b" },
              { id: "a", metric: { period: 60 } },
              { id: "b", metric: { period: 60 } },
            ],
          }),
          res(T.scalingPolicy, "scale", { policyType: "TargetTrackingScaling" }),
        ],
        usage(),
        "us-east-1",
      );
      const byName = (n: string) => est.lines.filter((l) => l.name === n);
      bounds(byName("errors")[0], 0.1, 0.1);
      bounds(byName("fast")[0], 0.3, 0.3);
      bounds(byName("math")[0], 0.2, 0.2); // 2 metrics × $0.10
      bounds(byName("scale")[0], 0.2, 0.2); // 2 target-tracking alarms × $0.10
    });

    it("bills log ingestion and the storage its retention keeps", () => {
      const est = estimateCost(
        [res(T.logGroup, "fn-logs", { retentionInDays: 14 })],
        usage({ logIngestGbPerMonth: 1 }),
        "us-east-1",
      );
      bounds(only(est, "CloudWatch Logs ingestion"), 0.5, 0.5); // 1 GB × $0.50
      // 1 GB × 14 d / (730/24 = 30.416667 d) × $0.03 = $0.0138082...
      bounds(only(est, "CloudWatch Logs storage"), 0.013808, 0.013808);
    });

    it("bounds storage of logs that never expire between the first and the twelfth month", () => {
      const est = estimateCost([], usage({ logIngestGbPerMonth: 2 }), "us-east-1");
      bounds(only(est, "CloudWatch Logs ingestion"), 1.0, 1.0); // 2 GB × $0.50
      bounds(only(est, "CloudWatch Logs storage (never expires)"), 0.06, 0.72); // 2 GB × 1..12 × $0.03
      assert.ok(est.warnings.some((w) => w.includes("no log retention")));
    });
  });

  describe("regions, free and unpriced resources", () => {
    it("carries us-east-1 prices to another region with its multiplier", () => {
      const est = estimateCost(
        [res(T.kms, "key", {})],
        usage({ logIngestGbPerMonth: 0 }),
        "eu-west-1",
      );
      // eu-west-1 m5.xlarge $0.214 / $0.192 = 1.1146 -> 1.115
      assert.strictEqual(est.regionMultiplier, 1.115);
      const l = only(est, "KMS key");
      bounds(l, 1.115, 1.115);
      assert.match(l.formula, /× 1\.115 \(eu-west-1 price level\)$/);
    });

    it("uses the highest known multiplier for an unknown region, with a warning", () => {
      const est = estimateCost(
        [res(T.kms, "key", {})],
        usage({ logIngestGbPerMonth: 0 }),
        "xx-north-9",
      );
      assert.strictEqual(est.regionMultiplier, 1.594); // sa-east-1: $0.306 / $0.192
      assert.ok(est.warnings.some((w) => w.includes("xx-north-9")));
    });

    it("skips free resources silently and warns about unpriced ones", () => {
      const est = estimateCost(
        [res(T.role, "role", {}), res(T.budget, "budget", {}), res("aws:sqs/queue:Queue", "q", {})],
        usage({ logIngestGbPerMonth: 0, storageGb: 0 }),
        "us-east-1",
      );
      assert.deepStrictEqual(est.lines, []);
      assert.deepStrictEqual(est.warnings, [
        "q: no price for aws:sqs/queue:Queue — left out of the estimate",
      ]);
    });
  });

  describe("resource shapes", () => {
    it("reads policy-pack resources (props, parent as a resource) like recorded ones", () => {
      const parent = {
        type: "dog-breed-classifier:index:Inference",
        name: "inference",
        urn: "urn:pulumi:dev::dog-breed-classifier::dog-breed-classifier:index:Inference::inference",
        props: {},
      };
      const child = {
        type: T.kms,
        name: "key",
        urn: "urn:pulumi:dev::dog-breed-classifier::x::key",
        props: {},
        parent,
      };
      const est = estimateCost([parent, child], usage({ logIngestGbPerMonth: 0 }), "us-east-1");
      assert.strictEqual(only(est, "KMS key").component, "inference");
      assert.strictEqual(toGraph([child])[0].parent, parent.urn);
    });

    it("treats values that throw when read (unknown at preview) as missing", () => {
      const props = new Proxy({ instanceType: "ml.t3.medium" } as Record<string, unknown>, {
        get: (o, k) => {
          if (k === "volumeSize") throw new Error("unknown value");
          return o[k as string];
        },
      });
      const est = estimateCost(
        [{ type: T.notebook, name: "nb", urn: "urn:pulumi:dev::p::t::nb", props }],
        usage(),
        "us-east-1",
      );
      bounds(only(est, "notebook ML storage"), 0.7, 0.7); // default 5 GB × $0.14
    });
  });

  it("treats the SDK's unknown-value sentinels as missing", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { unknownStringValue } = require("@pulumi/policy/proxy");
    const est = estimateCost(
      [res(T.notebook, "nb", { instanceType: unknownStringValue })],
      usage(),
      "us-east-1",
    );
    assert.strictEqual(est.lines.filter((l) => l.item === "notebook instance hours").length, 0);
    assert.ok(
      est.warnings.some((w) => w.startsWith("nb: SageMaker notebook instance type unknown")),
      est.warnings.join("\n"),
    );
  });

  it("totals the lines and names the biggest items", () => {
    const graph = [
      ...instanceEndpoint("prod", "ml.m5.xlarge", 2, 4),
      ...lambda("prod", 1024, 2),
      res(T.kms, "key", {}),
    ];
    const est = estimateCost(
      graph,
      usage({ logIngestGbPerMonth: 0, payloadKbPerRequest: 0 }),
      "us-east-1",
    );
    // min: 335.80 + 0 + 17.5203504 + 0.002 + 0.038889 + 1 = 354.3612394 -> 354.36
    // max: 671.60 + 0 + 17.5203504 + 0.002 + 0.066667 + 1 = 690.1890174 -> 690.19
    assert.deepStrictEqual(est.totals, { min: 354.36, max: 690.19 });
    assert.deepStrictEqual(
      biggestItems(est).map((l) => l.item),
      [
        "endpoint instances (variant AllTraffic)",
        "Lambda provisioned concurrency (arm64)",
        "KMS key",
      ],
    );
  });
});
