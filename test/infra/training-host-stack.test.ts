// The EC2 training host per instance type, under mocks: the image each type boots (and its pin),
// the PyTorch wheels it installs, the processes it launches, and what the estimate bills for it.
import * as assert from "assert";
import * as path from "path";
import {
  codeDigest,
  trainingCodeFiles,
  trainingUserData,
} from "../../infra/components/training-host";
import { hostImageProvider } from "../../infra/components/host-image-provider";
import { renderedParameters } from "../../infra/host-scripts/render";
import { estimateStackRun } from "../../cost/estimate";
import { GPU_HOST_AMI_PARAMETER } from "../../shared/accelerated-types";
import { MOCK_AMI } from "../../tools/mock-cloud";
import { summarize } from "../../tools/resource-summary";
import { StackRun } from "../../tools/stack-run";
import { BUCKET, DEV_TRAINING, boot, trainingHost } from "../host-scripts/sandbox";
import { one, servingRun } from "./helpers";

const AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
const PREFIX = "dog-breed-classifier-dev";
const HOST_IMAGE = "pulumi-nodejs:dynamic/ec2:HostImage";
const INSTANCE = "aws:ec2/instance:Instance";

interface Expected {
  type: string;
  overrides: Record<string, unknown>;
  image: string;
  gpus: string;
  index: string;
  /** The launch line the host logs at boot, after "launching ". */
  launch: RegExp;
  /** The host's line of the estimate, at the dev stack's 6 hours a month. */
  cost: string;
}

const HOSTS: Expected[] = [
  {
    type: "m5.xlarge",
    overrides: {},
    image: AL2023,
    gpus: "0",
    index: "https://download.pytorch.org/whl/cpu",
    launch: /launching 1 training process on the CPU: \S+\/venv\/bin\/python ec2_train\.py/,
    cost: "1 × m5.xlarge × 6 h × $0.192/h",
  },
  {
    type: "g5.xlarge",
    overrides: { ec2AmiParameter: GPU_HOST_AMI_PARAMETER, ec2RootVolumeGb: 100 },
    image: GPU_HOST_AMI_PARAMETER,
    gpus: "1",
    index: "https://download.pytorch.org/whl/cu121",
    launch: /launching 1 training process on the GPU: \S+\/venv\/bin\/python ec2_train\.py/,
    cost: "1 × g5.xlarge × 6 h × $1.006/h",
  },
  {
    type: "g5.12xlarge",
    overrides: { ec2AmiParameter: GPU_HOST_AMI_PARAMETER, ec2RootVolumeGb: 100 },
    image: GPU_HOST_AMI_PARAMETER,
    gpus: "4",
    index: "https://download.pytorch.org/whl/cu121",
    launch:
      /launching 4 training processes \(torchrun, one per GPU, DDP over NCCL\): \S+\/venv\/bin\/python -m torch\.distributed\.run --standalone --nnodes 1 --nproc_per_node 4 ec2_train\.py/,
    cost: "1 × g5.12xlarge × 6 h × $5.672/h",
  },
];

for (const e of HOSTS) {
  describe(`training host on ${e.type}, under mocks`, () => {
    let run: StackRun;
    before(async () => {
      run = await servingRun("dev", { ec2InstanceType: e.type, ...e.overrides });
    });

    it(`boots the image of ${e.image.split("/").slice(-3).join("/")}, pinned`, () => {
      const pin = one(run, HOST_IMAGE);
      const inst = one(run, INSTANCE);
      assert.strictEqual(pin.inputs.parameter, e.image);
      assert.strictEqual(pin.inputs.imageId, MOCK_AMI);
      // The instance's AMI is the pin's recorded id, not the parameter read at this run.
      assert.strictEqual(inst.inputs.ami, pin.outputs.imageId);
      assert.deepStrictEqual(inst.propertyDependencies.ami, [pin.urn]);
      assert.deepStrictEqual(inst.ignoreChanges, []);
      assert.strictEqual(inst.inputs.instanceType, e.type);
      assert.deepStrictEqual(inst.inputs.tags, {
        Name: `${PREFIX}-training-host`,
        AmiParameter: e.image,
      });
      // The offline check's resource table shows the image beside the type.
      const row = summarize(run.resources).find((r) => r.type === INSTANCE);
      assert.strictEqual(row?.settings.image, e.image);
      assert.strictEqual(row?.settings.instance, e.type);
    });

    it(`installs the pinned set from ${e.index.split("/").at(-1)} wheels and launches as the type needs`, async () => {
      const userData = String(one(run, INSTANCE).inputs.userData);
      assert.deepStrictEqual(
        renderedParameters(userData, [
          "INSTANCE_TYPE",
          "INSTANCE_GPUS",
          "PYTORCH_PINS",
          "PIP_INDEX_URL",
        ]),
        {
          INSTANCE_TYPE: e.type,
          INSTANCE_GPUS: e.gpus,
          PYTORCH_PINS: "torch==2.1.2 torchvision==0.16.2 numpy==1.26.4",
          PIP_INDEX_URL: e.index,
        },
      );
      const codeDir = path.join(__dirname, "..", "..", "training");
      assert.strictEqual(
        userData,
        trainingUserData({
          region: "us-east-1",
          instanceType: e.type,
          bucket: BUCKET,
          ...DEV_TRAINING,
          stopAfterTraining: true,
          codeDigest: codeDigest(codeDir, trainingCodeFiles(codeDir)),
          hostName: `${PREFIX}-training-host`,
        }),
      );
      // The same user data, booted under stand-ins on a host with the type's GPUs.
      const h = trainingHost(true, e.type);
      try {
        h.box.scenario({ DATASET: "present", NVIDIA_GPUS: e.gpus });
        const r = await boot(h);
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, e.launch);
        assert.ok(h.box.calls().some((c) => c.includes(`--index-url ${e.index} `)));
        assert.strictEqual(h.box.calls().at(-1), "shutdown -h now");
      } finally {
        h.box.remove();
      }
    });

    it("is priced by the estimate", () => {
      const est = estimateStackRun(run);
      const line = est.lines.find((l) => l.item === "EC2 instance hours");
      assert.strictEqual(line?.formula, e.cost);
      assert.deepStrictEqual(
        est.unpriced.filter((u) => u.type === INSTANCE),
        [],
      );
    });
  });
}

describe("the host's image pin", () => {
  const P = AL2023;

  it("records the id its parameter names when it is created", async () => {
    const r = await hostImageProvider.create({ parameter: P, imageId: "ami-0aaaaaaaaaaaaaaa1" });
    assert.deepStrictEqual(r.outs, { parameter: P, imageId: "ami-0aaaaaaaaaaaaaaa1" });
  });

  it("sees no change when AWS publishes a new image under the same parameter", async () => {
    const d = await hostImageProvider.diff!(
      "id",
      { parameter: P, imageId: "ami-0aaaaaaaaaaaaaaa1" },
      { parameter: P, imageId: "ami-0bbbbbbbbbbbbbbb2" },
    );
    assert.deepStrictEqual(d, { changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("is replaced, with the new parameter's id, when the parameter changes", async () => {
    const d = await hostImageProvider.diff!(
      "id",
      { parameter: P, imageId: "ami-0aaaaaaaaaaaaaaa1" },
      { parameter: GPU_HOST_AMI_PARAMETER, imageId: "ami-0ccccccccccccccc3" },
    );
    assert.deepStrictEqual(d, {
      changes: true,
      replaces: ["parameter"],
      deleteBeforeReplace: false,
    });
  });
});
