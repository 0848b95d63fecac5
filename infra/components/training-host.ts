// The EC2 training host: trains once at first boot with the same code as the training jobs, from
// the bucket's code and data prefixes, uploads the model, and stops. No inbound rules; shell
// access is through SSM Session Manager.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HTTPS_OUT } from "../network";

export interface TrainingHyperparameters {
  epochs: number;
  batchSize: number;
  learningRate: string;
  arch: string;
  pretrained: boolean;
}

export interface TrainingHostArgs {
  instanceType: string;
  /** Public SSM parameter holding the AMI id, read at deploy time. */
  amiParameter: string;
  rootVolumeGb: number;
  /** "" for the default VPC's default subnet. */
  subnetId: string;
  instanceProfileName: pulumi.Input<string>;
  bucketName: pulumi.Input<string>;
  /** Bucket prefixes (ending in `/`): the code uploaded from `codeDir`, the dataset, the output. */
  prefixes: { code: string; data: string; output: string };
  /** Local folder with the training code (the repository's training/). */
  codeDir: string;
  /** PyTorch version installed on the host, matching the framework images. */
  frameworkVersion: string;
  hyperparameters: TrainingHyperparameters;
  kmsKeyArn?: pulumi.Input<string>;
  /** Stop the instance once the model is uploaded. */
  stopAfterTraining: boolean;
  /** Name tag and security group name. */
  hostName: string;
  /** Tags for the root volume, which the provider's default tags do not reach. */
  volumeTags: Readonly<Record<string, string>>;
}

/** The files of the training code the host needs: modules, data files and requirements, no tests. */
export function trainingCodeFiles(codeDir: string): string[] {
  if (!fs.existsSync(codeDir)) throw new Error(`training code folder ${codeDir} does not exist`);
  return fs
    .readdirSync(codeDir, { withFileTypes: true })
    .filter((e) => e.isFile() && (/\.(py|json)$/.test(e.name) || e.name === "requirements.txt"))
    .filter((e) => !/^test_|_test\.py$|^conftest\.py$/.test(e.name))
    .map((e) => e.name)
    .sort();
}

/** A digest of the code, so that changed code replaces the host and trains again. */
export function codeDigest(codeDir: string, files: string[]): string {
  const h = createHash("sha256");
  for (const f of files)
    h.update(f)
      .update("\0")
      .update(fs.readFileSync(path.join(codeDir, f)));
  return h.digest("hex").slice(0, 16);
}

/** The user data script: plain text, built from plain values so it can be tested as it is. */
export function trainingUserData(a: {
  bucket: string;
  prefixes: { code: string; data: string; output: string };
  frameworkVersion: string;
  hyperparameters: TrainingHyperparameters;
  stopAfterTraining: boolean;
  codeDigest: string;
}): string {
  const hp = a.hyperparameters;
  const s3 = (prefix: string) => `s3://${a.bucket}/${prefix}`;
  return `#!/bin/bash
# Dog-breed classifier training host: trains once at first boot, uploads the model, then ${a.stopAfterTraining ? "stops" : "stays up"}.
# Training code digest: ${a.codeDigest}
set -euxo pipefail
exec > >(tee -a /var/log/dog-breed-training.log) 2>&1

WORK=/opt/dog-breed
mkdir -p "$WORK/code" "$WORK/data" "$WORK/model" "$WORK/checkpoints"

# CPU build of PyTorch (the host has no GPU), the same minor version as the framework images.
dnf install -y python3.11 python3.11-pip
python3.11 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --upgrade pip
"$WORK/venv/bin/pip" install --index-url https://download.pytorch.org/whl/cpu "torch==${a.frameworkVersion}.*" torchvision

aws s3 sync "${s3(a.prefixes.code)}" "$WORK/code" --only-show-errors
if [ -f "$WORK/code/requirements.txt" ]; then
  "$WORK/venv/bin/pip" install -r "$WORK/code/requirements.txt"
fi
aws s3 sync "${s3(a.prefixes.data)}" "$WORK/data" --only-show-errors

# The same training code as the jobs; it packs model.tar.gz and uploads it with the AWS CLI.
cd "$WORK/code"
"$WORK/venv/bin/python" ec2_train.py \\
  --data-dir "$WORK/data" \\
  --model-dir "$WORK/model" \\
  --checkpoint-dir "$WORK/checkpoints" \\
  --epochs ${hp.epochs} \\
  --batch-size ${hp.batchSize} \\
  --learning-rate ${hp.learningRate} \\
  --arch ${hp.arch} \\
  --pretrained ${hp.pretrained} \\
  --upload-to "${s3(a.prefixes.output)}$(date -u +%Y%m%dT%H%M%SZ)/model.tar.gz"
${a.stopAfterTraining ? "shutdown -h now" : "echo 'training done; the host stays up'"}
`;
}

export class TrainingHost extends pulumi.ComponentResource {
  readonly instance: aws.ec2.Instance;
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly instanceId: pulumi.Output<string>;

  constructor(name: string, args: TrainingHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dog-breed-classifier:ec2:TrainingHost", name, {}, opts);
    const parent = { parent: this };

    // The training code, one object per file under the code prefix, which the host syncs.
    const files = trainingCodeFiles(args.codeDir);
    const digest = codeDigest(args.codeDir, files);
    const uploads = files.map(
      (file) =>
        new aws.s3.BucketObjectv2(
          `${name}-code-${file.replace(/[^a-zA-Z0-9]/g, "-")}`,
          {
            bucket: args.bucketName,
            key: `${args.prefixes.code}${file}`,
            source: new pulumi.asset.FileAsset(path.join(args.codeDir, file)),
            contentType: file.endsWith(".py")
              ? "text/x-python"
              : file.endsWith(".json")
                ? "application/json"
                : "text/plain",
          },
          parent,
        ),
    );

    const subnet =
      args.subnetId !== ""
        ? aws.ec2.getSubnetOutput({ id: args.subnetId }, { parent: this })
        : undefined;
    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        name: args.hostName,
        description: "Training host: no inbound traffic; HTTPS out for S3, SSM and package indexes",
        vpcId: subnet?.vpcId,
        ingress: [],
        egress: HTTPS_OUT,
      },
      parent,
    );

    // The current AMI, resolved when the stack deploys.
    const ami = aws.ssm.getParameterOutput({ name: args.amiParameter }, { parent: this });

    const userData = pulumi.output(args.bucketName).apply((bucket) =>
      trainingUserData({
        bucket,
        prefixes: args.prefixes,
        frameworkVersion: args.frameworkVersion,
        hyperparameters: args.hyperparameters,
        stopAfterTraining: args.stopAfterTraining,
        codeDigest: digest,
      }),
    );

    this.instance = new aws.ec2.Instance(
      `${name}-instance`,
      {
        ami: ami.value,
        instanceType: args.instanceType,
        iamInstanceProfile: args.instanceProfileName,
        vpcSecurityGroupIds: [this.securityGroup.id],
        subnetId: args.subnetId !== "" ? args.subnetId : undefined,
        // The default VPC has no NAT: a public address is the host's only way out. No inbound
        // rule exists, so nothing can reach it.
        associatePublicIpAddress: args.subnetId === "",
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: 1,
        },
        rootBlockDevice: {
          volumeType: "gp3",
          volumeSize: args.rootVolumeGb,
          encrypted: true,
          kmsKeyId: args.kmsKeyArn,
          deleteOnTermination: true,
        },
        ebsOptimized: true,
        monitoring: false,
        instanceInitiatedShutdownBehavior: "stop",
        userData,
        // New code or hyperparameters: a new host that trains again.
        userDataReplaceOnChange: true,
        tags: { Name: args.hostName },
        volumeTags: { ...args.volumeTags, Name: args.hostName },
      },
      // The code must be in the bucket before the host boots and syncs it.
      { parent: this, dependsOn: uploads },
    );

    this.instanceId = this.instance.id;
    this.registerOutputs({ instanceId: this.instanceId });
  }
}
