// The EC2 training host's image, instance type and volume, checked against each other by the
// config: each mismatch is refused naming the keys and what to set.
import * as assert from "assert";
import { ConfigError, parseConfig } from "../../infra/config";
import {
  DLAMI_GPU_FAMILIES,
  GPU_HOST_AMI_PARAMETER,
  HOST_GPU_TYPES,
  gpuCount,
  isAcceleratedType,
  isGpuAmiParameter,
} from "../../shared/accelerated-types";
import { instanceFamily } from "../../shared/aws-facts";
import { EC2_INSTANCES } from "../../cost/prices";
import { loadStackConfig } from "../../tools/stack-config";
import { findProjectRoot } from "../../tools/stack-run";

const ROOT = findProjectRoot(__dirname);
const NS = "dog-breed-classifier";
const AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

function parse(overrides: Record<string, unknown>) {
  return parseConfig(loadStackConfig(ROOT, "dev", overrides).config, "dev");
}

/** The problem lines of a refused config. */
function problems(overrides: Record<string, unknown>): string[] {
  try {
    parse(overrides);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message
      .split("\n")
      .slice(1)
      .map((l) => l.trim());
  }
  assert.fail("expected the config to be rejected");
}

const gpuHost = { ec2Enabled: true, ec2AmiParameter: GPU_HOST_AMI_PARAMETER, ec2RootVolumeGb: 100 };

describe("training host config: image and instance type", () => {
  it("accepts a CPU type on Amazon Linux 2023 and each GPU type on the GPU image", () => {
    assert.strictEqual(parse({ ec2Enabled: true }).ec2InstanceType, "m5.xlarge");
    for (const t of ["g4dn.xlarge", "g5.xlarge", "g5.12xlarge", "g6.48xlarge"]) {
      assert.strictEqual(parse({ ...gpuHost, ec2InstanceType: t }).ec2InstanceType, t);
    }
  });

  it("refuses a GPU type on an image without the NVIDIA driver, naming both keys and the fix", () => {
    assert.deepStrictEqual(
      problems({ ec2Enabled: true, ec2InstanceType: "g5.xlarge", ec2RootVolumeGb: 100 }),
      [
        `${NS}:ec2AmiParameter = "${AL2023}": names an image without the NVIDIA driver, but ` +
          `ec2InstanceType g5.xlarge has 1 GPU: set ec2AmiParameter to ${GPU_HOST_AMI_PARAMETER} ` +
          "(Deep Learning Base OSS Nvidia Driver GPU AMI, Amazon Linux 2023), or ec2InstanceType to a " +
          "CPU type such as m5.xlarge",
      ],
    );
    // A DLAMI the host's setup is not written for (Ubuntu has no dnf).
    const ubuntu =
      "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id";
    const [line] = problems({
      ...gpuHost,
      ec2InstanceType: "g5.12xlarge",
      ec2AmiParameter: ubuntu,
    });
    assert.match(
      line,
      /ec2AmiParameter = ".*ubuntu-22\.04.*": is a GPU image the training host does not set up \(it installs PyTorch with dnf on Amazon Linux 2023\), but ec2InstanceType g5\.12xlarge has 4 GPUs: set ec2AmiParameter to \/aws\/service\/deeplearning\/ami\/x86_64\/base-oss-nvidia-driver-gpu-amazon-linux-2023\/latest\/ami-id/,
    );
  });

  it("refuses the GPU image on a CPU type, naming both keys and the fix", () => {
    assert.deepStrictEqual(problems({ ...gpuHost, ec2InstanceType: "m5.xlarge" }), [
      `${NS}:ec2AmiParameter = "${GPU_HOST_AMI_PARAMETER}": is an image for GPU instances, but ` +
        `ec2InstanceType m5.xlarge has no GPU: remove ec2AmiParameter from the stack file for the ` +
        `default ${AL2023}, or set ec2InstanceType to a GPU type: g4dn.*, g5.*, g6.* ` +
        "(e.g. g5.xlarge, 1 GPU; g5.12xlarge, 4 GPUs)",
    ]);
  });

  it("refuses accelerated types the host does not set up", () => {
    for (const t of ["p5.48xlarge", "g4ad.xlarge", "g5g.xlarge", "inf2.xlarge", "g4dn.metal"]) {
      const lines = problems({ ...gpuHost, ec2InstanceType: t });
      assert.deepStrictEqual(
        lines,
        [
          `${NS}:ec2InstanceType = "${t}": is an accelerated type the training host does not set ` +
            "up: it trains on the NVIDIA GPUs of g4dn.*, g5.*, g6.* (e.g. g5.xlarge, 1 GPU; " +
            "g5.12xlarge, 4 GPUs), each priced in the estimate, or on a CPU type such as m5.xlarge",
        ],
        t,
      );
    }
  });

  it("refuses a root volume smaller than the GPU image's snapshot", () => {
    assert.deepStrictEqual(
      problems({ ...gpuHost, ec2InstanceType: "g5.xlarge", ec2RootVolumeGb: 60 }),
      [
        `${NS}:ec2RootVolumeGb = 60: must be at least 75 with the GPU image of ec2InstanceType ` +
          "g5.xlarge: its root snapshot is 75 GB and EC2 refuses a smaller root volume (set " +
          "ec2RootVolumeGb to 100, the project default)",
      ],
    );
  });

  it("leaves the host's keys alone while the host is off", () => {
    assert.strictEqual(parse({ ec2InstanceType: "g5.xlarge" }).ec2Enabled, false);
  });
});

describe("accelerated types", () => {
  it("counts GPUs of EC2 types and their ml. twins alike", () => {
    assert.deepStrictEqual(
      ["m5.xlarge", "g5.xlarge", "g5.12xlarge", "ml.g5.12xlarge", "g6.48xlarge", "inf2.xlarge"].map(
        gpuCount,
      ),
      [0, 1, 4, 4, 8, 0],
    );
    assert.ok(isAcceleratedType("inf2.xlarge") && isAcceleratedType("p5.48xlarge"));
    assert.ok(!isAcceleratedType("m5.xlarge") && !isAcceleratedType("c6gd.large"));
  });

  it("tells GPU images from others", () => {
    assert.ok(isGpuAmiParameter(GPU_HOST_AMI_PARAMETER));
    assert.ok(!isGpuAmiParameter(AL2023));
    assert.ok(
      !isGpuAmiParameter(
        "/aws/service/deeplearning/ami/x86_64/base-oss-neuron-amazon-linux-2023/latest/ami-id",
      ),
    );
  });

  it("allows only real GPU types the image supports, each with a price for the estimate", () => {
    assert.strictEqual(HOST_GPU_TYPES.length, 22);
    for (const t of HOST_GPU_TYPES) {
      assert.ok(DLAMI_GPU_FAMILIES.includes(instanceFamily(t)), t);
      assert.ok(gpuCount(t) >= 1, t);
      const p = EC2_INSTANCES[t];
      assert.ok(p, `${t} has no price in cost/prices.ts`);
      assert.ok(p.usd > 0 && /^https:\/\/aws\.amazon\.com\//.test(p.source), t);
    }
  });
});
