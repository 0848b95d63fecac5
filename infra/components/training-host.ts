// The EC2 training host: trains with the same code as the training jobs, from the bucket's code and
// data prefixes, uploads the model, and stops (user data: infra/host-scripts/training-host.sh). No
// inbound rules; shell access is through SSM Session Manager. On a GPU type it installs the CUDA
// build of the pinned PyTorch and trains one process per GPU.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { gpuCount } from "../../shared/accelerated-types";
import { renderScript, hostScriptFile } from "../host-scripts/render";
import {
  HOST_PYTORCH_PINS,
  hostPytorchPins,
  pinRequirements,
  pipIndexUrl,
} from "../host-scripts/pytorch-pins";
import { HTTPS_OUT } from "../network";
import { hostImageProvider } from "./host-image-provider";

export interface TrainingHyperparameters {
  epochs: number;
  batchSize: number;
  learningRate: string;
  arch: string;
  pretrained: boolean;
}

export interface TrainingHostArgs {
  /** The stack's region, which every AWS CLI call on the host names. */
  region: string;
  /** A CPU type, or a GPU type of the host's GPU families (`HOST_GPU_TYPES`). */
  instanceType: string;
  /**
   * Public SSM parameter holding the AMI id, read when the host is first created and pinned
   * (HostImage): a new release of the image does not replace the host, a new parameter does.
   */
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
  /** PyTorch version of the framework images; the host installs its pinned set (pytorch-pins.ts). */
  frameworkVersion: string;
  hyperparameters: TrainingHyperparameters;
  kmsKeyArn?: pulumi.Input<string>;
  /** Stop the instance on every way out of the user data: no dataset, failure, success. */
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

/** Where the host keeps its files, logs and per-boot copy of the user data, and its PATH. */
export interface HostLayout {
  workDir: string;
  logFile: string;
  /** cloud-init's per-boot scripts folder. */
  perBootDir: string;
  /** The PATH the script sets for itself. */
  path: string;
}

export const HOST_LAYOUT: Readonly<HostLayout> = Object.freeze({
  workDir: "/opt/dog-breed",
  logFile: "/var/log/dog-breed-training.log",
  perBootDir: "/var/lib/cloud/scripts/per-boot",
  path: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
});

/**
 * EC2 takes at most 16 KB of user data, before base64 encoding
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html).
 */
export const USER_DATA_MAX_BYTES = 16 * 1024;

export interface TrainingUserDataArgs {
  region: string;
  /** Its GPUs (gpuCount) decide the wheels and the launch: CPU builds and one process without. */
  instanceType: string;
  bucket: string;
  prefixes: { code: string; data: string; output: string };
  frameworkVersion: string;
  hyperparameters: TrainingHyperparameters;
  stopAfterTraining: boolean;
  codeDigest: string;
  hostName: string;
  /** The host's own paths; tests run the script under a temporary folder. */
  layout?: HostLayout;
}

/** The user data: infra/host-scripts/training-host.sh rendered with plain values. */
export function trainingUserData(a: TrainingUserDataArgs): string {
  const pins = hostPytorchPins(a.frameworkVersion);
  if (pins === undefined) {
    throw new Error(
      `the EC2 training host has no pinned torch, torchvision and numpy for PyTorch ${a.frameworkVersion}; ` +
        `known: ${Object.keys(HOST_PYTORCH_PINS).join(", ")}`,
    );
  }
  const hp = a.hyperparameters;
  const layout = a.layout ?? HOST_LAYOUT;
  const gpus = gpuCount(a.instanceType);
  const script = renderScript(hostScriptFile("training-host.sh"), {
    REGION: a.region,
    BUCKET: a.bucket,
    CODE_PREFIX: a.prefixes.code,
    DATA_PREFIX: a.prefixes.data,
    OUTPUT_PREFIX: a.prefixes.output,
    HOST_NAME: a.hostName,
    INSTANCE_TYPE: a.instanceType,
    INSTANCE_GPUS: gpus,
    STOP_AFTER_TRAINING: a.stopAfterTraining,
    PYTORCH_PINS: pinRequirements(pins).join(" "),
    PIP_INDEX_URL: pipIndexUrl(pins, gpus > 0 ? "cuda" : "cpu"),
    EPOCHS: hp.epochs,
    BATCH_SIZE: hp.batchSize,
    LEARNING_RATE: hp.learningRate,
    ARCH: hp.arch,
    PRETRAINED: hp.pretrained,
    CODE_DIGEST: a.codeDigest,
    WORK_DIR: layout.workDir,
    LOG_FILE: layout.logFile,
    PER_BOOT_DIR: layout.perBootDir,
    HOST_PATH: layout.path,
  });
  const bytes = Buffer.byteLength(script);
  if (bytes > USER_DATA_MAX_BYTES) {
    throw new Error(
      `the training host's user data is ${bytes} bytes; EC2 takes at most ${USER_DATA_MAX_BYTES}`,
    );
  }
  return script;
}

/** The pinned image of the host (host-image-provider.ts). */
export class HostImage extends pulumi.dynamic.Resource {
  declare readonly parameter: pulumi.Output<string>;
  /** The AMI id recorded when the pin was created. */
  declare readonly imageId: pulumi.Output<string>;

  constructor(
    name: string,
    args: { parameter: pulumi.Input<string>; imageId: pulumi.Input<string> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(hostImageProvider, name, args, opts, "ec2", "HostImage");
  }
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

    // The image the parameter names when the host is first created, kept across image releases.
    const image = new HostImage(
      `${name}-image`,
      {
        parameter: args.amiParameter,
        imageId: aws.ssm.getParameterOutput({ name: args.amiParameter }, { parent: this }).value,
      },
      parent,
    );

    const userData = pulumi.output(args.bucketName).apply((bucket) =>
      trainingUserData({
        region: args.region,
        instanceType: args.instanceType,
        hostName: args.hostName,
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
        // A new image parameter replaces the pin, and so the host; a new release of the same one
        // leaves both alone.
        ami: image.imageId,
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
        // The image choice, readable in the console and in the offline check's settings column.
        tags: { Name: args.hostName, AmiParameter: args.amiParameter },
        volumeTags: { ...args.volumeTags, Name: args.hostName },
      },
      // The code must be in the bucket before the host boots and syncs it.
      { parent: this, dependsOn: uploads },
    );

    this.instanceId = this.instance.id;
    this.registerOutputs({ instanceId: this.instanceId });
  }
}
