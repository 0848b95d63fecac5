import * as assert from "assert";
import { isPrincipalKey, restricts } from "../../policies/iam-conditions";
import { wideness } from "../../policies/iam-analysis";

const principalKeys = (k: string) => isPrincipalKey(k);

describe("restricts: a condition narrows only if an outsider's every request fails it", () => {
  const narrowing: [string, Record<string, unknown>][] = [
    [
      "StringEquals on the organisation",
      { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } },
    ],
    ["StringEquals on an external id", { StringEquals: { "sts:ExternalId": "s3cr3t-id" } }],
    [
      "ArnLike on roles of one account",
      { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/ci-*" } },
    ],
    [
      "IfExists on a key every request carries",
      {
        StringEqualsIfExists: { "aws:PrincipalAccount": "123456789012" },
      },
    ],
    [
      "ForAnyValue on the org paths",
      {
        "ForAnyValue:StringLike": {
          "aws:PrincipalOrgPaths": "o-abc123def4/r-ab12/ou-ab12-11111111/*",
        },
      },
    ],
  ];
  for (const [what, condition] of narrowing) {
    it(`counts ${what}`, () => assert.strictEqual(restricts(condition, principalKeys), true));
  }

  const vacuous: [string, Record<string, unknown>][] = [
    ['StringLike "*"', { StringLike: { "aws:PrincipalOrgID": "*" } }],
    ["Null false", { Null: { "aws:PrincipalOrgID": "false" } }],
    ["a negated operator", { StringNotEquals: { "aws:PrincipalAccount": "999988887777" } }],
    [
      "IfExists on a key the request may omit",
      {
        StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123def4" },
      },
    ],
    [
      "ForAllValues on an absent key",
      {
        "ForAllValues:StringEquals": { "aws:PrincipalOrgPaths": ["o-abc123def4/r-ab12/"] },
      },
    ],
    [
      "an ARN pattern with a wildcard account",
      {
        ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/admin" },
      },
    ],
    ["an unrelated key", { Bool: { "aws:SecureTransport": "true" } }],
    ["the whole internet as source", { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } }],
  ];
  for (const [what, condition] of vacuous) {
    it(`does not count ${what}`, () =>
      assert.strictEqual(restricts(condition, principalKeys), false));
  }
});

describe("wideness: a wildcard in a part that decides scope", () => {
  const wide: [string, string][] = [
    ["*", "every resource"],
    ["arn:aws:s3:::*/*", "every bucket"],
    ["arn:aws:iam::123456789012:role/*", "every role"],
    ["arn:aws:iam::*:role/*", "every role"],
    ["arn:aws:secretsmanager:*:*:secret:*", "every secret"],
    ["arn:aws:sagemaker:us-east-1:123456789012:*", "every sagemaker resource"],
    ["arn:aws:*:us-east-1:123456789012:*", "every service"],
  ];
  for (const [arn, why] of wide) {
    it(`reads ${arn} as ${why}`, () => assert.strictEqual(wideness(arn), why));
  }
  for (const arn of [
    "arn:aws:s3:::data/models/*",
    "arn:aws:iam::123456789012:role/app-*",
    "arn:aws:iam::*:user/${aws:username}",
    "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:log-stream:*",
    "arn:aws:sagemaker:*:123456789012:endpoint/classifier",
  ]) {
    it(`reads ${arn} as named`, () => assert.strictEqual(wideness(arn), undefined));
  }
});
