// Budget alerts that reach someone: the stack files name no address, a preview and the check list
// the missing or reserved address as a step still to do, and `pulumi up` refuses it.
import * as assert from "assert";
import { reservedMailDomain } from "../../infra/budget";
import { runStack } from "../../tools/stack-run";
import { stackRun } from "./helpers";

type Waiting = { what: string; reason: string; next: string[] };
const alertsWaiting = (waiting: unknown) =>
  (waiting as Waiting[]).filter((w) => w.what.startsWith("budget alerts"));

describe("budget alerts", () => {
  it("knows the domains reserved for examples, which receive no mail", () => {
    for (const [address, reserved] of [
      ["ml-platform@example.com", "example.com"],
      ["a@EXAMPLE.org", "example.org"],
      ["a@mail.example.net", "example.net"],
      ["a@team.test", ".test"],
      ["a@x.invalid", ".invalid"],
      ["a@corp.example", ".example"],
      ["a@localhost", "localhost"],
      ["a@dev.localhost", ".localhost"],
    ] as const) {
      assert.strictEqual(reservedMailDomain(address), reserved, address);
    }
    for (const address of ["ml@examples.com", "a@example.co", "a@notexample.com", "a@acme.io"]) {
      assert.strictEqual(reservedMailDomain(address), undefined, address);
    }
  });

  it("the stack files name no address; a preview lists the step and still shows the budget", async () => {
    for (const stack of ["dev", "prod"]) {
      const run = await stackRun(stack);
      // The project default (empty), as the stack file sets none.
      assert.strictEqual(run.config["dog-breed-classifier:budgetAlertEmail"], "", stack);
      const [w] = alertsWaiting(run.outputs.waiting);
      assert.match(w.reason, /budgetAlertEmail and budgetAlertSnsTopicArn are empty/);
      assert.match(w.reason, /`pulumi up` refuses to deploy/);
      assert.deepStrictEqual(w.next, [
        `pulumi config set dog-breed-classifier:budgetAlertEmail <your team's address> --stack ${stack}`,
      ]);
      assert.ok(run.resources.some((r) => r.type === "aws:budgets/budget:Budget"));
    }
  });

  it("refuses an up without an address or with a reserved one, naming the key, value and what is allowed", async () => {
    await assert.rejects(
      runStack({ stack: "dev", preview: false }),
      /dog-breed-classifier:budgetAlertEmail = "": budgetMonthlyUsd is 50 but budgetAlertEmail and budgetAlertSnsTopicArn are empty.*Allowed: an address in a domain that receives mail \(not example\.com, example\.net, example\.org, \.test, \.example, \.invalid, \.localhost\), or budgetAlertSnsTopicArn/,
    );
    for (const email of [
      "ml-platform@example.com",
      "ops@team.test",
      "ops@x.invalid",
      "root@dev.localhost",
    ]) {
      await assert.rejects(
        runStack({ stack: "prod", preview: false, overrides: { budgetAlertEmail: email } }),
        new RegExp(
          `budgetAlertEmail = "${email.replace(/\./g, "\\.")}": budgetAlertEmail = .* is in .*a domain reserved for examples that receives no mail`,
        ),
        email,
      );
    }
  });

  it("lets an up with a real address or an SNS topic through, with nothing waiting for alerts", async () => {
    const run = await runStack({
      stack: "dev",
      preview: false,
      overrides: { budgetAlertEmail: "ml-platform@acme-pets.io" },
    });
    assert.deepStrictEqual(alertsWaiting(run.outputs.waiting), []);
    const topic = await runStack({
      stack: "dev",
      preview: false,
      overrides: { budgetAlertSnsTopicArn: "arn:aws:sns:us-east-1:123456789012:budget-alerts" },
    });
    assert.deepStrictEqual(alertsWaiting(topic.outputs.waiting), []);
  });
});
