// Callers of prod's function URL: each principal in lambdaUrlInvokers gets both permissions an
// AWS_IAM function URL requires, on the live alias, the second only through the URL; without
// callers the function has no resource policy at all.
import * as assert from "assert";
import { ofType } from "../../tools/stack-run";
import { servingRun } from "./helpers";

const PERMISSION = "aws:lambda/permission:Permission";
const APP = "arn:aws:iam::111122223333:role/app";
const TEAM_ACCOUNT = "444455556666";

describe("function URL callers", () => {
  it("grant nothing by default", async () => {
    const prod = await servingRun("prod");
    assert.deepStrictEqual(ofType(prod, PERMISSION), []);
  });

  it("get lambda:InvokeFunctionUrl and lambda:InvokeFunction (through the URL only) on the live alias", async () => {
    const prod = await servingRun("prod", { lambdaUrlInvokers: [APP, TEAM_ACCOUNT] });
    const grants = ofType(prod, PERMISSION)
      .map((p) => ({
        principal: p.inputs.principal,
        action: p.inputs.action,
        function: p.inputs.function,
        qualifier: p.inputs.qualifier,
        functionUrlAuthType: p.inputs.functionUrlAuthType,
        invokedViaFunctionUrl: p.inputs.invokedViaFunctionUrl,
        parent: p.parent?.split("::").pop(),
      }))
      .sort((a, b) => `${a.principal}${a.action}`.localeCompare(`${b.principal}${b.action}`));
    const fn = "dog-breed-classifier-prod-classify";
    const both = (principal: string) => [
      {
        principal,
        action: "lambda:InvokeFunction",
        function: fn,
        qualifier: "live",
        functionUrlAuthType: undefined,
        invokedViaFunctionUrl: true,
        parent: "classifier",
      },
      {
        principal,
        action: "lambda:InvokeFunctionUrl",
        function: fn,
        qualifier: "live",
        functionUrlAuthType: "AWS_IAM",
        invokedViaFunctionUrl: undefined,
        parent: "classifier",
      },
    ];
    assert.deepStrictEqual(grants, [...both(TEAM_ACCOUNT), ...both(APP)]);
    // The URL itself stays IAM-authenticated on the same alias.
    const [url] = ofType(prod, "aws:lambda/functionUrl:FunctionUrl");
    assert.strictEqual(url.inputs.authorizationType, "AWS_IAM");
    assert.strictEqual(url.inputs.qualifier, "live");
  });
});
