// The SageMaker notebook instance for exploration: no root access, IMDSv2, an encrypted volume, and
// a lifecycle configuration that stops the instance after a configurable idle time
// (infra/host-scripts/notebook-on-start.sh).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { hostScriptFile, renderScript } from "../host-scripts/render";
import { LIFECYCLE_CONTENT_MAX_CHARS, base64Length } from "../../shared/aws-limits";
import { HTTPS_OUT } from "../network";

/** The notebook's platform: Amazon Linux 2023 with JupyterLab 4. */
export const NOTEBOOK_PLATFORM = "notebook-al2023-v1";

export interface NotebookArgs {
  /** The stack's region, which the idle stop's AWS CLI call names. */
  region: string;
  notebookName: string;
  lifecycleConfigName: string;
  instanceType: string;
  volumeSizeGb: number;
  roleArn: pulumi.Input<string>;
  /** KMS key for the storage volume; SageMaker's own key when absent. */
  kmsKeyArn?: pulumi.Input<string>;
  /** SageMaker-provided internet access; when false the notebook reaches the network via subnetId. */
  directInternetAccess: boolean;
  /** Subnet for the notebook's network interface; "" for none. */
  subnetId: string;
  rootAccess: boolean;
  idleStopMinutes: number;
}

/** Where the idle stop lives on the notebook, and where it looks for its interpreter and CLI. */
export interface NotebookLayout {
  /** Tried in order; the first executable one runs the check. */
  pythonCandidates: readonly string[];
  awsCliCandidates: readonly string[];
  jupyterUrl: string;
  checkerPath: string;
  cronFile: string;
  logFile: string;
}

/**
 * Notebook instances serve Jupyter on https://localhost:8443 with a self-signed certificate, the
 * address SageMaker's own auto-stop sample reads
 * (https://github.com/aws-samples/amazon-sagemaker-notebook-instance-lifecycle-config-samples/blob/master/scripts/auto-stop-idle/autostop.py).
 * Where Python and the AWS CLI live differs between notebook platforms, so the on-start script
 * takes the first of these candidates that exists, and fails the start when none does.
 */
export const NOTEBOOK_LAYOUT: Readonly<NotebookLayout> = Object.freeze({
  pythonCandidates: [
    "/usr/bin/python3",
    "/home/ec2-user/anaconda3/envs/JupyterSystemEnv/bin/python",
  ],
  awsCliCandidates: [
    "/usr/local/bin/aws",
    "/usr/bin/aws",
    "/home/ec2-user/anaconda3/envs/JupyterSystemEnv/bin/aws",
    "/home/ec2-user/anaconda3/bin/aws",
  ],
  jupyterUrl: "https://localhost:8443",
  checkerPath: "/usr/local/bin/notebook-idle-stop.py",
  cronFile: "/etc/cron.d/notebook-idle-stop",
  logFile: "/var/log/notebook-idle-stop.log",
});

export interface IdleStopScriptArgs {
  region: string;
  notebookName: string;
  idleMinutes: number;
  /** The notebook's own paths; tests run the script under a temporary folder. */
  layout?: NotebookLayout;
}

/**
 * The on-start script (infra/host-scripts/notebook-on-start.sh): installs a cron job that stops
 * this notebook instance once Jupyter has been idle for `idleMinutes`
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/notebook-lifecycle-config.html).
 */
export function idleStopScript(a: IdleStopScriptArgs): string {
  const layout = a.layout ?? NOTEBOOK_LAYOUT;
  const script = renderScript(hostScriptFile("notebook-on-start.sh"), {
    REGION: a.region,
    NOTEBOOK_NAME: a.notebookName,
    IDLE_MINUTES: a.idleMinutes,
    JUPYTER_URL: layout.jupyterUrl,
    PYTHON_CANDIDATES: layout.pythonCandidates.join(" "),
    AWS_CLI_CANDIDATES: layout.awsCliCandidates.join(" "),
    CHECKER_PATH: layout.checkerPath,
    CRON_FILE: layout.cronFile,
    LOG_FILE: layout.logFile,
  });
  checkLifecycleContent(script);
  return script;
}

/** The lifecycle hook's `Content`: the script, base64-encoded. */
export function lifecycleContent(script: string): string {
  return Buffer.from(script).toString("base64");
}

/** Throws unless the script's base64 `Content` fits the hook's limit. */
export function checkLifecycleContent(script: string): void {
  const bytes = Buffer.byteLength(script);
  const chars = base64Length(bytes);
  if (chars > LIFECYCLE_CONTENT_MAX_CHARS) {
    throw new Error(
      `the notebook's on-start script is ${bytes} bytes, ${chars} characters once base64-encoded; ` +
        `SageMaker takes a lifecycle Content of at most ${LIFECYCLE_CONTENT_MAX_CHARS} characters ` +
        `(a script of at most ${(LIFECYCLE_CONTENT_MAX_CHARS / 4) * 3} bytes)`,
    );
  }
}

/**
 * Without direct internet access the idle stop reaches the SageMaker API only through the
 * notebook's subnet. Whether that subnet has a route is not known at preview, so the program
 * says what it needs; the on-start script probes the API and fails the start without one.
 */
export function idleStopRouteWarning(a: {
  region: string;
  notebookName: string;
  directInternetAccess: boolean;
  subnetId: string;
}): string | undefined {
  if (a.directInternetAccess) return undefined;
  return (
    `notebook ${a.notebookName} has no direct internet access: its idle stop calls the SageMaker API ` +
    `through subnet ${a.subnetId || "(none)"}, which needs a NAT gateway or an interface VPC endpoint ` +
    `for com.amazonaws.${a.region}.sagemaker.api (with private DNS). Without one the notebook fails ` +
    `to start, with the reason in CloudWatch Logs (/aws/sagemaker/NotebookInstances, ` +
    `${a.notebookName}/LifecycleConfigOnStart).`
  );
}

export class Notebook extends pulumi.ComponentResource {
  readonly instance: aws.sagemaker.NotebookInstance;
  readonly notebookName: pulumi.Output<string>;

  constructor(name: string, args: NotebookArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dog-breed-classifier:sagemaker:Notebook", name, {}, opts);
    const parent = { parent: this };

    const routeWarning = idleStopRouteWarning(args);
    if (routeWarning !== undefined) pulumi.log.warn(routeWarning, this);

    const lifecycle = new aws.sagemaker.NotebookInstanceLifecycleConfiguration(
      `${name}-autostop`,
      {
        name: args.lifecycleConfigName,
        onStart: lifecycleContent(
          idleStopScript({
            region: args.region,
            notebookName: args.notebookName,
            idleMinutes: args.idleStopMinutes,
          }),
        ),
      },
      parent,
    );

    let securityGroups: pulumi.Input<string>[] | undefined;
    if (args.subnetId !== "") {
      // A network interface in the subnet needs a security group; this one admits nothing.
      const subnet = aws.ec2.getSubnetOutput({ id: args.subnetId }, { parent: this });
      const group = new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
          description: `Notebook ${args.notebookName}: no inbound traffic`,
          vpcId: subnet.vpcId,
          ingress: [],
          egress: HTTPS_OUT,
        },
        parent,
      );
      securityGroups = [group.id];
    }

    this.instance = new aws.sagemaker.NotebookInstance(
      `${name}-instance`,
      {
        name: args.notebookName,
        instanceType: args.instanceType,
        volumeSize: args.volumeSizeGb,
        roleArn: args.roleArn,
        kmsKeyId: args.kmsKeyArn,
        lifecycleConfigName: lifecycle.name,
        rootAccess: args.rootAccess ? "Enabled" : "Disabled",
        directInternetAccess: args.directInternetAccess ? "Enabled" : "Disabled",
        subnetId: args.subnetId !== "" ? args.subnetId : undefined,
        securityGroups,
        // Amazon Linux 2 reached its end of life on 2026-06-30; notebook-al2023-v1 is the current
        // platform (https://www.pulumi.com/registry/packages/aws/api-docs/sagemaker/notebookinstance/).
        platformIdentifier: NOTEBOOK_PLATFORM,
        instanceMetadataServiceConfiguration: { minimumInstanceMetadataServiceVersion: "2" },
      },
      parent,
    );

    this.notebookName = this.instance.name;
    this.registerOutputs({ notebookName: this.notebookName });
  }
}
