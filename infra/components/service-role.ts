// One IAM role for one principal: a trust policy naming its service, one inline policy with the
// exact permissions it needs, and (for EC2) an instance profile.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "../iam/policies";

export interface ServiceRoleArgs {
  /** Physical role name (at most 64 characters). */
  roleName: string;
  description: string;
  /** Trust policy: which service assumes the role. */
  trustPolicy: pulumi.Input<PolicyDocument>;
  /** The permissions, built by the pure functions in infra/iam/policies.ts. */
  policy: pulumi.Input<PolicyDocument>;
  /** Also create an instance profile of the same name, for EC2. */
  instanceProfile?: boolean;
}

export class ServiceRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
  /** The role ARN, resolved once the permissions are attached: consumers wait for them. */
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly instanceProfile?: aws.iam.InstanceProfile;
  /** The instance profile name, resolved once the role's permissions are attached. */
  readonly instanceProfileName?: pulumi.Output<string>;

  constructor(name: string, args: ServiceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dog-breed-classifier:iam:ServiceRole", name, {}, opts);
    const parent = { parent: this };

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        name: args.roleName,
        description: args.description,
        assumeRolePolicy: pulumi.output(args.trustPolicy).apply((p) => JSON.stringify(p)),
        // Sessions of a service role need no more than the default hour.
        maxSessionDuration: 3600,
      },
      parent,
    );
    this.policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.name,
        name: "least-privilege",
        policy: pulumi.output(args.policy).apply((p) => JSON.stringify(p)),
      },
      parent,
    );
    if (args.instanceProfile ?? false) {
      this.instanceProfile = new aws.iam.InstanceProfile(
        `${name}-profile`,
        { name: args.roleName, role: this.role.name },
        parent,
      );
    }
    // A service that assumes the role at create time (SageMaker pulling the image, EC2 syncing
    // the bucket at boot) must find the policy attached, so the outputs carry its dependency.
    const attached = <T>(value: pulumi.Output<T>) =>
      pulumi.all([value, this.policy.id]).apply(([v]) => v);
    this.arn = attached(this.role.arn);
    this.name = this.role.name;
    this.instanceProfileName = this.instanceProfile
      ? attached(this.instanceProfile.name)
      : undefined;
    this.registerOutputs({ arn: this.arn, name: this.name });
  }
}
