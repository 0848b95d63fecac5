// What dev costs while nobody uses it: the check's estimator on the real dev stack with every
// usage assumption at zero, fresh and once it serves its tuned model.
import * as assert from "assert";
import { estimateStackRun } from "../../cost/estimate";
import { stackRun } from "../infra/helpers";

/** No notebook or host hours, no training runs, requests, storage or logs. */
const ZERO_USAGE = {
  notebookActiveHoursPerMonth: 0,
  ec2HoursPerMonth: 0,
  trainingRunsPerMonth: 0,
  monthlyRequests: 0,
  storageGb: 0,
  logIngestGbPerMonth: 0,
};

describe("dev's idle cost", () => {
  it("is at most $5 a month: the KMS key and the notebook's 5 GB volume", async () => {
    const fresh = estimateStackRun(await stackRun("dev", ZERO_USAGE));
    assert.ok(fresh.totals.max <= 5, `fresh dev idles at $${fresh.totals.max}`);
    const billed = fresh.lines.filter((l) => l.monthlyMax > 0);
    assert.deepStrictEqual(
      billed.map((l) => [l.name, l.item, l.monthlyMax]),
      [
        ["notebook-instance", "notebook ML storage", 0.7],
        ["data-key", "KMS key", 1],
      ],
    );
    assert.strictEqual(fresh.totals.max, 1.7);
  });

  it("stays at most $5 a month once it serves its tuned model: the two alarms on top", async () => {
    const serving = estimateStackRun(
      await stackRun("dev", { ...ZERO_USAGE, trainingMode: "tune" }, undefined, "Completed"),
    );
    assert.ok(serving.totals.max <= 5, `serving dev idles at $${serving.totals.max}`);
    assert.strictEqual(Math.round(serving.totals.max * 100) / 100, 1.9);
  });
});
