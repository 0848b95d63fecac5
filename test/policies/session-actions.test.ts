// The session- and URL-minting actions: the data file matches what the installed IAM data gives.
import * as assert from "assert";
import data from "../../policies/session-actions.json";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { derive } = require("../../policies/scripts/session-actions.js") as {
  derive(): typeof data;
};

describe("session-actions.json", () => {
  it("matches the installed IAM data (node policies/scripts/session-actions.js rewrites it)", () => {
    assert.deepStrictEqual(data, derive());
  });

  it("holds the actions that open a role, an instance, a notebook or a function", () => {
    for (const a of [
      "sts:AssumeRole",
      "sts:GetFederationToken",
      "ssm:StartSession",
      "sagemaker:CreatePresignedNotebookInstanceUrl",
      "sagemaker:CreatePresignedDomainUrl",
      "lambda:CreateFunctionUrlConfig",
    ]) {
      assert.ok(data.actions.includes(a), a);
    }
    // Called without credentials: no identity policy decides them.
    assert.ok(!data.actions.includes("sts:AssumeRoleWithWebIdentity"));
  });
});
