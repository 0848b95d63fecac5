// The AWS calls the host scripts make when executed, evaluated as IAM would against the roles the
// dev stack gives the host and the notebook: every call a script makes is one its role allows.
import * as assert from "assert";
import { FakeJupyter } from "./fake-jupyter";
import { BUCKET, REGION, boot, cronTick, notebookBox, onStart, trainingHost } from "./sandbox";
import { DeployedRole, decide, deployedRoles, servingRun } from "../infra/helpers";

const ACCOUNT = "123456789012";

interface Request {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

/** The IAM requests behind one recorded AWS CLI call (the stand-in's `aws <args> [...]` line). */
function requestsOf(call: string): Request[] {
  const args = call
    .replace(/ \[AWS_REGION=[^\]]*\]$/, "")
    .split(" ")
    .slice(1);
  const opt = (name: string) => args[args.indexOf(name) + 1];
  const s3 = (uri: string) => {
    const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
    if (!m) throw new Error(`not an S3 URI: ${uri}`);
    return { bucket: m[1], key: m[2] };
  };
  const notebook = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/`;
  switch (`${args[0]} ${args[1]}`) {
    case "s3api list-objects-v2":
      return [
        {
          action: "s3:ListBucket",
          resource: `arn:aws:s3:::${opt("--bucket")}`,
          context: { "s3:prefix": opt("--prefix") },
        },
      ];
    case "s3 sync": {
      // A sync from S3 lists the prefix and reads the objects under it.
      const { bucket, key } = s3(args[2]);
      return [
        {
          action: "s3:ListBucket",
          resource: `arn:aws:s3:::${bucket}`,
          context: { "s3:prefix": key },
        },
        { action: "s3:GetObject", resource: `arn:aws:s3:::${bucket}/${key}some/object` },
      ];
    }
    case "s3 cp": {
      const { bucket, key } = s3(args[3]);
      return [{ action: "s3:PutObject", resource: `arn:aws:s3:::${bucket}/${key}` }];
    }
    case "sagemaker describe-notebook-instance":
      return [
        {
          action: "sagemaker:DescribeNotebookInstance",
          resource: notebook + opt("--notebook-instance-name"),
        },
      ];
    case "sagemaker stop-notebook-instance":
      return [
        {
          action: "sagemaker:StopNotebookInstance",
          resource: notebook + opt("--notebook-instance-name"),
        },
      ];
  }
  throw new Error(`no IAM mapping for ${call}`);
}

async function denied(role: DeployedRole, calls: string[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const call of calls) {
    for (const r of requestsOf(call)) {
      const got = await decide(role, r.action, r.resource, r.context);
      if (got !== "Allowed") wrong.push(`${call}: ${r.action} on ${r.resource} is ${got}`);
    }
  }
  return wrong;
}

describe("host scripts against their roles", () => {
  let roles: Map<string, DeployedRole>;
  before(async () => {
    roles = deployedRoles(await servingRun("dev"));
  });
  const role = (suffix: string) => {
    const r = roles.get(`dog-breed-classifier-dev-${suffix}`);
    assert.ok(r, `the dev stack has the ${suffix} role`);
    return r;
  };

  it("the training host's role allows every call of a training run", async () => {
    const h = trainingHost();
    try {
      h.box.scenario({ DATASET: "present" });
      assert.strictEqual((await boot(h)).status, 0);
      const calls = h.box.calls().filter((c) => c.startsWith("aws "));
      assert.strictEqual(calls.length, 4, calls.join("\n"));
      assert.deepStrictEqual(await denied(role("ec2-host"), calls), []);
      assert.ok(calls.every((c) => c.includes(BUCKET)));
    } finally {
      h.box.remove();
    }
  });

  it("the notebook's role allows the on-start probe and the idle stop", async () => {
    const jupyter = new FakeJupyter();
    await jupyter.start();
    const n = notebookBox(jupyter.url);
    try {
      n.box.scenario({});
      assert.strictEqual((await onStart(n)).status, 0);
      jupyter.now = new Date(Date.UTC(2026, 11, 1, 13));
      jupyter.lastActivity = new Date(Date.UTC(2026, 11, 1, 12));
      assert.strictEqual((await cronTick(n)).status, 0);
      const calls = n.box.calls();
      assert.deepStrictEqual(
        calls.map((c) => c.split(" ").slice(0, 3).join(" ")),
        ["aws sagemaker describe-notebook-instance", "aws sagemaker stop-notebook-instance"],
      );
      assert.deepStrictEqual(await denied(role("notebook"), calls), []);
    } finally {
      n.box.remove();
      await jupyter.stop();
    }
  });
});
