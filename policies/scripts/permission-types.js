// Writes permission-types.json: every resource type of the installed AWS provider with an argument
// that can let someone in, read from the provider's own typings (each resource's `<Name>Args`
// interface and the doc comment of each argument). Re-run after upgrading @pulumi/aws:
// `node policies/scripts/permission-types.js`; test/policies/permission-types.test.ts fails while
// the file differs from what the installed provider gives.
//
// Two kinds of argument carry access:
// - a policy document: an argument named `policy`, `policyDocument`, `accessPolicy`/`accessPolicies`,
//   `resourcePolicy`, `repositoryPolicy`, `assumeRolePolicy`, `inlinePolicy`, `sessionPolicy`,
//   `policyTemplate`, `<service>PolicyDocument`, ... that holds text (not a name, an ARN or a flag);
// - a principal or grantee: `principal(s)`, `granteePrincipal`, `retiringPrincipal`, `grantee`,
//   `grants`, `sharedAccounts`, `allowedPrincipals`, `principalArn`, `principalId`, and on a resource
//   that is itself a permission, share or grant (`AmiLaunchPermission`, `PortfolioShare`), the
//   `accountId`/`group`/`organizationArn` it names.
// Each document argument is then placed by what its documentation says it is: an identity policy of
// IAM or IAM Identity Center (judged by the IAM rules), a session policy (it can only narrow what a
// role already has), a policy that is no permission at all (lifecycle, redrive, data protection,
// ...: the word that says so is recorded), or a resource policy, judged by the pack's resource-policy
// analysis.
"use strict";
const fs = require("fs");
const path = require("path");

const { providerResources, version } = require("./provider-resources");

const DOCUMENT_NAME =
  /^(?:policy|policyDocument|policyTemplate|accessPolic(?:y|ies)|resourcePolicy|repositoryPolicy|assumeRolePolicy|inlinePolicy|sessionPolicy|deliveryDestinationPolicy|[a-z0-9]+PolicyDocument)$/;
const PRINCIPAL_NAME =
  /^(?:principal|principals|granteePrincipal|retiringPrincipal|grantee|grants|sharedAccounts|allowedPrincipals|principalArn|principalId)$/;
/** Arguments that name who gets in on a resource that is itself a permission, share or grant. */
const GRANT_RESOURCE = /(?:Permission|Share|Grant)$/;
const GRANT_RESOURCE_ARGUMENT =
  /^(?:accountId|accountIds|group|organizationArn|organizationalUnitArn|userIds)$/;
/** Arguments beside a principal that narrow who may use it: the calling resource or organisation. */
const NARROWING = /^(?:sourceArn|sourceAccount|principalOrgId|organizationId|condition)$/;

/** Documentation that says the document is not a permission policy, with the words that say so. */
const NOT_PERMISSION = [
  /lifecycle/i,
  /data protection/i,
  /redrive/i,
  /\bindex\b/i,
  /core network/i,
  /autoscaling policy/i,
  /snapshot/i,
  /filter/i,
  /browser/i,
  /Block or Allow/,
  /name of the policy/i,
  /policy rules/i,
  /stack policy/i,
  /account policy/i,
];
/** Documentation that says a document grants access. */
const GRANTS = /\bgrants?\b|resource-based|\bIAM\b/i;
/** Documentation of a policy that narrows a session's permissions and grants nothing. */
const SESSION = /scopes? down|additional restrictions|session policy|trust boundary/i;

function argsOf(text, cls) {
  const m = new RegExp(`export interface ${cls}Args \\{([\\s\\S]*?)\\n\\}`).exec(text);
  if (!m) return [];
  const out = [];
  const re = /(?:\/\*\*([\s\S]*?)\*\/\s*\n)?\s*(\w+)\??: ([^;]*);/g;
  let a;
  while ((a = re.exec(m[1]))) {
    out.push({ name: a[2], type: a[3], docs: (a[1] ?? "").replace(/\s*\*\s?/g, " ").trim() });
  }
  return out;
}

/** The permission-bearing types of the installed provider, as permission-types.json holds them. */
function derive() {
  const types = {};
  for (const { token, cls, module, typings } of providerResources()) {
    const entry = { documents: {}, principals: [], narrowing: [] };
    for (const arg of argsOf(typings, cls)) {
      const textual =
        /string|PolicyDocument/.test(arg.type) && !/\[\]|boolean|number/.test(arg.type);
      if (DOCUMENT_NAME.test(arg.name) && textual) {
        // The resource's own name qualifies its document first (`LogIndexPolicy`), then the
        // argument's documentation, where words that say it grants access win.
        const words = cls.replace(/([a-z0-9])([A-Z])/g, "$1 $2");
        const not =
          NOT_PERMISSION.find((re) => re.exec(words)) ??
          (GRANTS.test(arg.docs) ? undefined : NOT_PERMISSION.find((re) => re.test(arg.docs)));
        const said = not ? (not.exec(words) ?? not.exec(arg.docs))[0].toLowerCase() : "";
        entry.documents[arg.name] =
          arg.name === "assumeRolePolicy"
            ? "trust"
            : module === "iam" || module === "ssoadmin"
              ? "identity"
              : SESSION.test(arg.docs)
                ? "session"
                : not
                  ? `not a permission (${said})`
                  : "resource";
      } else if (
        PRINCIPAL_NAME.test(arg.name) ||
        (GRANT_RESOURCE.test(cls) && GRANT_RESOURCE_ARGUMENT.test(arg.name))
      ) {
        entry.principals.push(arg.name);
      } else if (NARROWING.test(arg.name)) {
        entry.narrowing.push(arg.name);
      }
    }
    if (Object.keys(entry.documents).length > 0 || entry.principals.length > 0) {
      if (entry.principals.length === 0 || entry.narrowing.length === 0) delete entry.narrowing;
      if (entry.principals.length === 0) delete entry.principals;
      types[token] = entry;
    }
  }
  const sorted = Object.fromEntries(Object.entries(types).sort(([a], [b]) => a.localeCompare(b)));
  return { provider: `@pulumi/aws@${version}`, types: sorted };
}

module.exports = { derive };

if (require.main === module) {
  const data = derive();
  const out = path.join(__dirname, "..", "permission-types.json");
  fs.writeFileSync(out, JSON.stringify(data, null, 1) + "\n");
  console.log(
    `wrote ${Object.keys(data.types).length} permission-bearing types from ${data.provider} to ${out}`,
  );
}
