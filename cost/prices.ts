// On-demand list prices in US East (N. Virginia), us-east-1, in USD, and the multipliers that carry
// them to other regions. Every figure names the AWS page it is published on and the day it was
// recorded here. `check` says how the figure was confirmed when it was recorded:
//   "stored copy"  - read in a stored copy of the AWS page itself;
//   "cross-checked" - the public list price, matched in independent price tables (cited);
//   "public figure" - the public list price as published on the AWS page, not re-read on that day.
// Prices change: re-read the pages and bump `taken` when updating a figure.

export type PriceCheck = "stored copy" | "cross-checked" | "public figure";

export interface Price {
  /** USD per `unit`. */
  usd: number;
  unit: string;
  /** The AWS page that publishes the figure. */
  source: string;
  /** The day the figure was recorded here (YYYY-MM-DD). */
  taken: string;
  check: PriceCheck;
  note?: string;
}

const TAKEN = "2026-11-21";

const SAGEMAKER = "https://aws.amazon.com/sagemaker-ai/pricing/";
const EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/";
const EBS = "https://aws.amazon.com/ebs/pricing/";
const LAMBDA = "https://aws.amazon.com/lambda/pricing/";
const S3 = "https://aws.amazon.com/s3/pricing/";
const KMS = "https://aws.amazon.com/kms/pricing/";
const CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/";
const VPC = "https://aws.amazon.com/vpc/pricing/";
const SECRETS_MANAGER = "https://aws.amazon.com/secrets-manager/pricing/";

function price(usd: number, unit: string, source: string, check: PriceCheck, note?: string): Price {
  return Object.freeze({ usd, unit, source, taken: TAKEN, check, ...(note ? { note } : {}) });
}

function hourly(source: string, check: PriceCheck, table: Record<string, number>, note?: string) {
  return Object.freeze(
    Object.fromEntries(
      Object.entries(table).map(([type, usd]) => [
        type,
        price(usd, "instance-hour", source, check, note),
      ]),
    ),
  ) as Readonly<Record<string, Price>>;
}

/**
 * Hours in a month: 365 days × 24 h / 12 months = 730, the month the AWS Pricing Calculator
 * (https://calculator.aws/) and AWS's own pricing examples use for always-on resources.
 */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

const SM_NOTE =
  "on-demand price for this SageMaker AI capability; the same us-east-1 figures (ml.m5.xlarge " +
  "$0.23, ml.c5.xlarge $0.204, ml.g4dn.xlarge $0.736, ml.p3.2xlarge $3.825) recur in independent " +
  "price tables in public repositories";

/** SageMaker notebook instances, per instance-hour. */
export const SAGEMAKER_NOTEBOOK = hourly(
  SAGEMAKER,
  "cross-checked",
  {
    "ml.t3.medium": 0.05,
    "ml.t3.large": 0.1,
    "ml.t3.xlarge": 0.2,
    "ml.m5.large": 0.115,
    "ml.m5.xlarge": 0.23,
    "ml.g4dn.xlarge": 0.736,
  },
  SM_NOTE,
);

/** SageMaker real-time inference (hosting) instances, per instance-hour. */
export const SAGEMAKER_HOSTING = hourly(
  SAGEMAKER,
  "cross-checked",
  {
    "ml.t2.medium": 0.056,
    "ml.m5.large": 0.115,
    "ml.m5.xlarge": 0.23,
    "ml.m5.2xlarge": 0.461,
    "ml.c5.large": 0.102,
    "ml.c5.xlarge": 0.204,
    "ml.c5.2xlarge": 0.408,
    "ml.g4dn.xlarge": 0.736,
  },
  SM_NOTE,
);

/** SageMaker training instances, per instance-hour (on-demand). */
export const SAGEMAKER_TRAINING = hourly(
  SAGEMAKER,
  "cross-checked",
  {
    "ml.m5.large": 0.115,
    "ml.m5.xlarge": 0.23,
    "ml.m5.2xlarge": 0.461,
    "ml.c5.xlarge": 0.204,
    "ml.c5.2xlarge": 0.408,
    "ml.g4dn.xlarge": 0.736,
    "ml.g4dn.2xlarge": 0.94,
    "ml.p3.2xlarge": 3.825,
  },
  SM_NOTE,
);

export const SAGEMAKER_OTHER = Object.freeze({
  /**
   * Serverless inference is billed per second of compute at a price proportional to the memory
   * size: $0.0000200 per second at 1024 MB, i.e. $0.00002 per GB-second for every size from
   * 1024 MB to 6144 MB.
   */
  serverlessGbSecond: price(
    0.00002,
    "GB-second",
    SAGEMAKER,
    "cross-checked",
    "$0.0000200 per second per GB of memory, as quoted in independent us-east-1 price tables",
  ),
  /** Data processed IN and OUT of a hosted endpoint (real-time and serverless), each way. */
  dataProcessedGb: price(
    0.016,
    "GB",
    SAGEMAKER,
    "cross-checked",
    "listed as '$0.016 per GB for Endpoint Data IN/OUT' in AWS's sample bill " +
      "https://github.com/aws-samples/sagemaker-ssh-helper/blob/main/Sample_Costs.md",
  ),
  /** General Purpose SSD ML storage attached to notebook instances. */
  mlStorageGbMonth: price(
    0.14,
    "GB-month",
    SAGEMAKER,
    "cross-checked",
    "us-east-1 figure, also quoted in independent cost notes; eu-west-1 bills $0.154 (the sample bill above)",
  ),
});

/**
 * Managed spot training saves "up to 90%" over on-demand
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/model-managed-spot-training.html, read in a
 * stored copy on 2026-11-21; its worked example shows 80%). The lower bound of the estimate
 * assumes a more conservative 70% saving; the upper bound assumes none, since the spot price
 * never exceeds the on-demand price.
 */
export const SPOT_TRAINING_SAVING = Object.freeze({
  assumed: 0.7,
  documentedMaximum: 0.9,
  source: "https://docs.aws.amazon.com/sagemaker/latest/dg/model-managed-spot-training.html",
  taken: TAKEN,
});

const EC2_NOTE =
  "Linux on-demand; the same figures recur in independent us-east-1 price tables in public repositories";

/** EC2 CPU instances (Linux, shared tenancy), per instance-hour. */
const EC2_CPU_INSTANCES = hourly(
  EC2,
  "cross-checked",
  {
    "t3.nano": 0.0052,
    "t3.micro": 0.0104,
    "t3.small": 0.0208,
    "t3.medium": 0.0416,
    "t3.large": 0.0832,
    "t3.xlarge": 0.1664,
    "t3.2xlarge": 0.3328,
    "m5.large": 0.096,
    "m5.xlarge": 0.192,
    "m5.2xlarge": 0.384,
    "c5.large": 0.085,
    "c5.xlarge": 0.17,
  },
  EC2_NOTE,
);

/**
 * The GPU types the EC2 training host trains on (HOST_GPU_TYPES in shared/accelerated-types.ts),
 * Linux on demand. The same us-east-1 figures recur in several independent price tables in public
 * repositories; where one table differs (g4dn.8xlarge $2.264; g6.2xlarge and larger), the figure
 * here is the one the other tables agree on.
 */
const EC2_GPU_INSTANCES = hourly(
  EC2,
  "cross-checked",
  {
    "g4dn.xlarge": 0.526,
    "g4dn.2xlarge": 0.752,
    "g4dn.4xlarge": 1.204,
    "g4dn.8xlarge": 2.176,
    "g4dn.12xlarge": 3.912,
    "g4dn.16xlarge": 4.352,
    "g5.xlarge": 1.006,
    "g5.2xlarge": 1.212,
    "g5.4xlarge": 1.624,
    "g5.8xlarge": 2.448,
    "g5.12xlarge": 5.672,
    "g5.16xlarge": 4.096,
    "g5.24xlarge": 8.144,
    "g5.48xlarge": 16.288,
    "g6.xlarge": 0.8048,
    "g6.2xlarge": 0.9776,
    "g6.4xlarge": 1.3232,
    "g6.8xlarge": 2.0144,
    "g6.12xlarge": 4.6016,
    "g6.16xlarge": 3.3968,
    "g6.24xlarge": 6.6752,
    "g6.48xlarge": 13.3504,
  },
  "Linux on-demand, NVIDIA T4 (g4dn), A10G (g5) and L4 (g6) GPUs; " + EC2_NOTE,
);

/** EC2 instances (Linux, shared tenancy), per instance-hour: the CPU types above and the GPU ones. */
export const EC2_INSTANCES: Readonly<Record<string, Price>> = Object.freeze({
  ...EC2_CPU_INSTANCES,
  ...EC2_GPU_INSTANCES,
});

/** EBS volumes, per provisioned GB-month (baseline IOPS and throughput of gp3 included). */
export const EBS_VOLUMES: Readonly<Record<string, Price>> = Object.freeze({
  gp3: price(
    0.08,
    "GB-month",
    EBS,
    "cross-checked",
    "gp3 baseline 3,000 IOPS and 125 MB/s are included",
  ),
  gp2: price(0.1, "GB-month", EBS, "cross-checked"),
  // HDD volumes bill storage only. io1/io2 also bill provisioned IOPS, which the estimate does not
  // model, so they stay unpriced and the budget policy reports them.
  st1: price(0.045, "GB-month", EBS, "public figure", "Throughput Optimized HDD"),
  sc1: price(0.015, "GB-month", EBS, "public figure", "Cold HDD"),
});

const LAMBDA_NOTE =
  "first pricing tier; figures match the AWS Price List API SKUs quoted in public tables " +
  "(AWS-Lambda-Duration-ARM, Lambda-Provisioned-Concurrency-ARM, Lambda-Provisioned-GB-Second-ARM)";

export const LAMBDA_PRICES = Object.freeze({
  requests: price(0.0000002, "request", LAMBDA, "cross-checked", "$0.20 per 1M requests"),
  durationGbSecond: Object.freeze({
    arm64: price(0.0000133334, "GB-second", LAMBDA, "cross-checked", LAMBDA_NOTE),
    x86_64: price(0.0000166667, "GB-second", LAMBDA, "cross-checked", LAMBDA_NOTE),
  }),
  /** Charged for every configured GB-second of provisioned concurrency, used or idle. */
  provisionedConcurrencyGbSecond: Object.freeze({
    arm64: price(0.0000033334, "GB-second", LAMBDA, "cross-checked", LAMBDA_NOTE),
    x86_64: price(0.0000041667, "GB-second", LAMBDA, "cross-checked", LAMBDA_NOTE),
  }),
  /** Duration of invocations served by provisioned concurrency replaces the on-demand rate. */
  provisionedDurationGbSecond: Object.freeze({
    arm64: price(0.0000077778, "GB-second", LAMBDA, "cross-checked", LAMBDA_NOTE),
    x86_64: price(0.0000097222, "GB-second", LAMBDA, "cross-checked", LAMBDA_NOTE),
  }),
});

export const S3_PRICES = Object.freeze({
  standardGbMonth: price(
    0.023,
    "GB-month",
    S3,
    "cross-checked",
    "S3 Standard, first 50 TB per month",
  ),
});

export const KMS_PRICES = Object.freeze({
  keyMonth: price(
    1,
    "key-month",
    KMS,
    "public figure",
    "customer managed key; AWS managed keys are free; requests ($0.03 per 10,000) are not estimated",
  ),
});

export const CLOUDWATCH_PRICES = Object.freeze({
  standardAlarmMetricMonth: price(0.1, "alarm metric-month", CLOUDWATCH, "cross-checked"),
  highResolutionAlarmMetricMonth: price(0.3, "alarm metric-month", CLOUDWATCH, "public figure"),
  logIngestGb: price(0.5, "GB ingested", CLOUDWATCH, "cross-checked", "Standard log class"),
  logStorageGbMonth: price(0.03, "GB-month stored", CLOUDWATCH, "cross-checked"),
});

export const VPC_PRICES = Object.freeze({
  /** Every public IPv4 address, an Elastic IP attached or idle, since 2024-02-01. */
  publicIpv4Hour: price(0.005, "IP-hour", VPC, "public figure", "public IPv4 address charge"),
});

export const SECRETS_MANAGER_PRICES = Object.freeze({
  secretMonth: price(
    0.4,
    "secret-month",
    SECRETS_MANAGER,
    "public figure",
    "API calls ($0.05 per 10,000) are not estimated",
  ),
});

/** One region's price level relative to us-east-1. */
export interface RegionMultiplier {
  multiplier: number;
  /** The m5.xlarge Linux on-demand hourly price the multiplier is derived from. */
  m5XlargeUsd: number;
}

/**
 * Regional price levels, derived from the EC2 m5.xlarge Linux on-demand price in each region divided
 * by us-east-1's $0.192 (https://aws.amazon.com/ec2/pricing/on-demand/, public figures recorded
 * 2026-11-21, not re-read from the page that day; independent tables disagree on some of them by a
 * few percent). SageMaker, EBS, S3 and CloudWatch carry similar regional premiums; Lambda's are
 * often smaller, so figures outside us-east-1 are approximations good to about ±10%.
 */
export const REGION_MULTIPLIERS: Readonly<Record<string, RegionMultiplier>> = Object.freeze(
  Object.fromEntries(
    Object.entries({
      "us-east-1": 0.192,
      "us-east-2": 0.192,
      "us-west-2": 0.192,
      "us-west-1": 0.224,
      "ca-central-1": 0.214,
      "eu-west-1": 0.214,
      "eu-west-2": 0.222,
      "eu-west-3": 0.224,
      "eu-central-1": 0.23,
      "eu-north-1": 0.204,
      "ap-south-1": 0.202,
      "ap-northeast-1": 0.248,
      "ap-northeast-2": 0.236,
      "ap-southeast-1": 0.24,
      "ap-southeast-2": 0.24,
      "sa-east-1": 0.306,
    }).map(([region, m5XlargeUsd]) => [
      region,
      { m5XlargeUsd, multiplier: Math.round((m5XlargeUsd / 0.192) * 1000) / 1000 },
    ]),
  ),
);

/**
 * The multiplier for `region`. A region missing from the table gets the highest known multiplier,
 * so the upper bound of the estimate stays an upper bound, and a warning.
 */
export function regionMultiplier(region: string): { multiplier: number; warning?: string } {
  const known = REGION_MULTIPLIERS[region];
  if (known) return { multiplier: known.multiplier };
  const [highestRegion, highest] = Object.entries(REGION_MULTIPLIERS).reduce((a, b) =>
    b[1].multiplier > a[1].multiplier ? b : a,
  );
  return {
    multiplier: highest.multiplier,
    warning:
      `no price level for region "${region}"; using ×${highest.multiplier} (${highestRegion}, the ` +
      `highest known) — add the region to REGION_MULTIPLIERS in cost/prices.ts`,
  };
}
