// The SageMaker notebook instance for exploration: no root access, IMDSv2, an encrypted volume, and
// a lifecycle configuration that stops the instance after a configurable idle time.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HTTPS_OUT } from "../network";

export interface NotebookArgs {
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

/**
 * The on-start script: installs a cron job that asks the local Jupyter server when it was last
 * active and stops this instance once it has been idle for `idleMinutes`. Lifecycle scripts run as
 * root, must finish within five minutes and are limited to 16384 characters
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/notebook-lifecycle-config.html).
 */
export function idleStopScript(idleMinutes: number): string {
  return `#!/bin/bash
# Stops this notebook instance after ${idleMinutes} minutes without Jupyter activity.
set -euo pipefail

cat > /usr/local/bin/notebook-idle-stop.py <<'PY'
"""Stop this notebook instance when Jupyter has been idle longer than argv[1] minutes."""
import json
import ssl
import subprocess
import sys
import urllib.request
from datetime import datetime, timezone

LIMIT_SECONDS = int(sys.argv[1]) * 60
# The local Jupyter server listens on 8443 with a self-signed certificate.
CONTEXT = ssl.create_default_context()
CONTEXT.check_hostname = False
CONTEXT.verify_mode = ssl.CERT_NONE


def jupyter(path):
    with urllib.request.urlopen("https://localhost:8443" + path, context=CONTEXT, timeout=10) as r:
        return json.load(r)


def parse(ts):
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def main():
    now = datetime.now(timezone.utc)
    kernels = jupyter("/api/kernels")
    if any(k.get("execution_state") == "busy" for k in kernels):
        return
    stamps = [parse(jupyter("/api/status")["last_activity"])]
    stamps += [parse(k["last_activity"]) for k in kernels if k.get("last_activity")]
    if (now - max(stamps)).total_seconds() < LIMIT_SECONDS:
        return
    with open("/opt/ml/metadata/resource-metadata.json") as f:
        name = json.load(f)["ResourceName"]
    subprocess.run(
        ["aws", "sagemaker", "stop-notebook-instance", "--notebook-instance-name", name],
        check=True,
    )


if __name__ == "__main__":
    main()
PY

echo "*/5 * * * * root /usr/bin/python3 /usr/local/bin/notebook-idle-stop.py ${idleMinutes} >> /var/log/notebook-idle-stop.log 2>&1" > /etc/cron.d/notebook-idle-stop
chmod 0644 /etc/cron.d/notebook-idle-stop
`;
}

export class Notebook extends pulumi.ComponentResource {
  readonly instance: aws.sagemaker.NotebookInstance;
  readonly notebookName: pulumi.Output<string>;

  constructor(name: string, args: NotebookArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dog-breed-classifier:sagemaker:Notebook", name, {}, opts);
    const parent = { parent: this };

    const lifecycle = new aws.sagemaker.NotebookInstanceLifecycleConfiguration(
      `${name}-autostop`,
      {
        name: args.lifecycleConfigName,
        onStart: Buffer.from(idleStopScript(args.idleStopMinutes)).toString("base64"),
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
        platformIdentifier: "notebook-al2-v3",
        instanceMetadataServiceConfiguration: { minimumInstanceMetadataServiceVersion: "2" },
      },
      parent,
    );

    this.notebookName = this.instance.name;
    this.registerOutputs({ notebookName: this.notebookName });
  }
}
