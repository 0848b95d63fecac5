// Storage and keys: S3 Standard storage (the `storageGb` assumption), KMS keys and secrets.
import { Estimator, type GraphResource, fmt, usd } from "./core";
import { KMS_PRICES, S3_PRICES, SECRETS_MANAGER_PRICES } from "./prices";
import { TYPES } from "../shared/resource-types";

export function storage(e: Estimator): void {
  const buckets = [...e.ofType(TYPES.bucket), ...e.ofType(TYPES.bucketV2)];
  const gb = e.usage.storageGb;
  const p = S3_PRICES.standardGbMonth;
  if (buckets.length === 0) {
    if (gb > 0)
      e.warnings.push(
        `storageGb is ${gb} but the stack declares no bucket; storage left out of the estimate`,
      );
    return;
  }
  // `storageGb` is what the stack keeps in S3; it is counted once, on the first bucket.
  e.add(
    buckets[0],
    "S3 Standard storage",
    `${fmt(gb)} GB × ${usd(p)}/GB-month`,
    { storageGb: gb, usdPerGbMonth: p.usd },
    gb * p.usd,
    gb * p.usd,
  );
}

export function secret(e: Estimator, r: GraphResource): void {
  const p = SECRETS_MANAGER_PRICES.secretMonth;
  e.add(
    r,
    "secret",
    `1 secret × ${usd(p)}/secret-month`,
    { secrets: 1, usdPerSecretMonth: p.usd },
    p.usd,
    p.usd,
  );
}

export function kmsKey(e: Estimator, r: GraphResource): void {
  e.add(
    r,
    "KMS key",
    `1 key × ${usd(KMS_PRICES.keyMonth)}/key-month`,
    { keys: 1, usdPerKeyMonth: KMS_PRICES.keyMonth.usd },
    KMS_PRICES.keyMonth.usd,
    KMS_PRICES.keyMonth.usd,
  );
}
