// Writes permission-types.json: every resource type of the installed AWS provider with an argument
// that can let someone in, read from the provider's own typings (each resource's `<Name>Args`
// interface, the argument blocks it nests from `types/input.d.ts`, and the doc comment of each
// argument). Re-run after upgrading @pulumi/aws: `node policies/scripts/permission-types.js`;
// test/policies/permission-types.test.ts fails while the file differs from what the installed
// provider gives.
//
// Arguments are found at any depth and recorded by path: `policy`, `details.policy` (a block),
// `permissions[].principal` (a list of blocks). Two kinds of argument carry access:
// - a policy document: an argument named `policy`, `policyDocument`, `accessPolicy`/`accessPolicies`,
//   `resourcePolicy`, `repositoryPolicy`, `assumeRolePolicy`, `inlinePolicy`, `sessionPolicy`,
//   `policyTemplate`, `<service>PolicyDocument`, ..., or `content` documented as a resource policy,
//   that holds text (not a name, an ARN or a flag);
// - a principal or grantee: `principal(s)`, `granteePrincipal`, `retiringPrincipal`, `grantee`,
//   `grants`, `targetGrants`, `sharedAccounts`, `allowedPrincipals`, `principalArn`, `principalId`;
//   on a resource or block that is itself a permission, share, grant or authorization
//   (`AmiLaunchPermission`, `PortfolioShare`, an Image Builder distribution's `launchPermission`),
//   the accounts, groups and organisations it names (`accountId`, `userIds`, `userGroups`, ...);
//   and a `permissions` map of account ids (an SSM document's sharing).
// Each document argument is then placed by what its documentation says it is: an identity policy of
// IAM or IAM Identity Center (judged by the IAM rules), a session policy (it can only narrow what a
// role already has), a VPC endpoint policy (it decides what passes through the endpoint), a policy that is no permission at all (lifecycle, redrive, data protection,
// ...: the word that says so is recorded), or a resource policy, judged by the pack's resource-policy
// analysis. A principal argument of a lifecycle rule (an image lifecycle policy's excluded accounts)
// is recorded under `ignored` with that word.
"use strict";
const fs = require("fs");
const path = require("path");

const { providerResources, argsOf, inputTypes, members, version } = require("./provider-resources");

const DOCUMENT_NAME =
  /^(?:policy|policyDocument|policyTemplate|accessPolic(?:y|ies)|resourcePolicy|repositoryPolicy|assumeRolePolicy|inlinePolicy|sessionPolicy|deliveryDestinationPolicy|[a-z0-9]+PolicyDocument)$/;
/** `content` is a document only where its documentation calls it a resource policy (Organizations'). */
const CONTENT = { name: /^content$/, docs: /resource policy/i };
const PRINCIPAL_NAME =
  /^(?:principal|principals|granteePrincipal|retiringPrincipal|grantee|grants|targetGrants|sharedAccounts|allowedPrincipals|principalArn|principalId)$/;
/** Arguments that name who gets in on a resource or block that is itself a permission, share or grant. */
const GRANT_RESOURCE = /(?:Permission|Share|Grant|Authorization)$/;
const GRANT_RESOURCE_ARGUMENT =
  /^(?:accountId|accountIds|awsAccountId|consumerIdentifier|group|userGroups|organizationArns?|organizationalUnitArns?|userIds)$/;
/** A map of strings named as permissions: an SSM document's `{type: "Share", accountIds: "All"}`. */
const PERMISSION_MAP = { name: /^permissions$/, type: /\[key: string\]/ };
/** An account argument that defaults to the provider's own account names where the resource lives. */
const OWN_ACCOUNT = /defaults? to (?:the )?(?:automatically determined|current)/i;
/**
 * A resource named as a lifecycle rule lists accounts to exclude from it, not to let in (an image
 * lifecycle policy's `sharedAccounts`).
 */
const NOT_GRANT = /lifecycle/i;
/** Arguments beside a principal that narrow who may use it: the calling resource or organisation. */
const NARROWING = /^(?:sourceArn|sourceAccount|principalOrgId|organizationId|condition)$/;
/** How deep argument blocks are followed: the deepest grant in the provider sits four blocks down. */
const MAX_DEPTH = 6;

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
/**
 * Documentation of a VPC endpoint's policy: it decides which requests may pass through the
 * endpoint and "does not override or replace identity-based policies or resource-based policies"
 * (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html), so it grants
 * nothing; a gateway endpoint's must even name `Principal: "*"`.
 */
const ENDPOINT = /attach to the endpoint that controls access/i;

/** What a document argument is: `resource`, `identity`, `trust`, `session` or not a permission. */
function documentKind(arg, module, words) {
  // The resource's own name qualifies its document first (`LogIndexPolicy`), then the
  // argument's documentation, where words that say it grants access win.
  const not =
    NOT_PERMISSION.find((re) => re.exec(words)) ??
    (GRANTS.test(arg.docs) ? undefined : NOT_PERMISSION.find((re) => re.test(arg.docs)));
  const said = not ? (not.exec(words) ?? not.exec(arg.docs))[0].toLowerCase() : "";
  return arg.name === "assumeRolePolicy"
    ? "trust"
    : module === "iam" || module === "ssoadmin"
      ? "identity"
      : SESSION.test(arg.docs)
        ? "session"
        : ENDPOINT.test(arg.docs)
          ? "endpoint"
          : not
            ? `not a permission (${said})`
            : "resource";
}

/** The permission-bearing types of the installed provider, as permission-types.json holds them. */
function derive() {
  const blocks = inputTypes();
  const types = {};
  for (const { token, cls, module, typings } of providerResources()) {
    const entry = { documents: {}, principals: [], narrowing: [], ignored: {} };
    const words = cls.replace(/([a-z0-9])([A-Z])/g, "$1 $2");
    const notGrant = NOT_GRANT.exec(words);
    const visit = (args, prefix, owner, depth, seen) => {
      for (const arg of args) {
        const at = prefix + arg.name;
        const textual =
          /string|PolicyDocument/.test(arg.type) && !/\[\]|boolean|number/.test(arg.type);
        const block = /inputs\.(\w+)\.(\w+)/.exec(arg.type);
        if (
          textual &&
          (DOCUMENT_NAME.test(arg.name) ||
            (CONTENT.name.test(arg.name) && CONTENT.docs.test(arg.docs)))
        ) {
          entry.documents[at] = documentKind(arg, module, words);
        } else if (
          PRINCIPAL_NAME.test(arg.name) ||
          (GRANT_RESOURCE.test(owner) &&
            GRANT_RESOURCE_ARGUMENT.test(arg.name) &&
            !OWN_ACCOUNT.test(arg.docs)) ||
          (PERMISSION_MAP.name.test(arg.name) && PERMISSION_MAP.type.test(arg.type))
        ) {
          if (notGrant) entry.ignored[at] = `not a permission (${notGrant[0].toLowerCase()})`;
          else entry.principals.push(at);
        } else if (depth === 0 && NARROWING.test(arg.name)) {
          entry.narrowing.push(at);
        } else if (block && depth < MAX_DEPTH && !seen.has(block[0])) {
          const inner = members(blocks[`${block[1]}.${block[2]}`] ?? "");
          const list = /\[\]/.test(arg.type) ? "[]" : "";
          visit(inner, `${at}${list}.`, block[2], depth + 1, new Set([...seen, block[0]]));
        }
      }
    };
    visit(members(argsOf(typings, cls) ?? ""), "", cls, 0, new Set());
    if (Object.keys(entry.documents).length > 0 || entry.principals.length > 0) {
      if (entry.principals.length === 0 || entry.narrowing.length === 0) delete entry.narrowing;
      if (entry.principals.length === 0) delete entry.principals;
      if (Object.keys(entry.ignored).length === 0) delete entry.ignored;
      types[token] = entry;
    } else if (Object.keys(entry.ignored).length > 0) {
      types[token] = { documents: {}, ignored: entry.ignored };
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
