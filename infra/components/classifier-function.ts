// The Lambda function in front of the endpoint: arm64, the esbuild bundle from dist/handler, its
// own log group with retention, a published version behind a `live` alias (where provisioned
// concurrency and the optional function URL attach).
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const ALIAS_NAME = "live";

export interface ClassifierFunctionArgs {
  functionName: string;
  roleArn: pulumi.Input<string>;
  /** Folder holding the bundle `index.js` (handler `index.handler`). */
  bundleDir: string;
  runtime: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** -1 leaves the function unreserved. */
  reservedConcurrency: number;
  /** On the `live` alias; 0 for none. */
  provisionedConcurrency: number;
  functionUrl: boolean;
  /**
   * IAM principals (role or user ARNs, account ids) allowed to call the function URL. Each gets
   * lambda:InvokeFunctionUrl and lambda:InvokeFunction (through the URL only) on the alias.
   */
  urlInvokers?: readonly string[];
  logRetentionDays: number;
  environment: Record<string, pulumi.Input<string>>;
}

/** The bundle folder, or a clear error when the handler has not been built. */
export function requireBundle(bundleDir: string): string {
  const entry = path.join(bundleDir, "index.js");
  if (!fs.existsSync(entry)) {
    throw new Error(
      `The Lambda handler bundle ${entry} is missing. Run \`npm run build\` to build it, then run the program again.`,
    );
  }
  return bundleDir;
}

export class ClassifierFunction extends pulumi.ComponentResource {
  readonly fn: aws.lambda.Function;
  readonly alias: aws.lambda.Alias;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly url?: aws.lambda.FunctionUrl;
  readonly functionName: pulumi.Output<string>;
  readonly aliasArn: pulumi.Output<string>;
  readonly functionUrl?: pulumi.Output<string>;

  constructor(name: string, args: ClassifierFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dog-breed-classifier:lambda:ClassifierFunction", name, {}, opts);
    const parent = { parent: this };
    const bundleDir = requireBundle(args.bundleDir);

    // Created before the function so that Lambda never makes its own, retention-less group.
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays },
      parent,
    );

    this.fn = new aws.lambda.Function(
      `${name}-function`,
      {
        name: args.functionName,
        description: "Classifies the dog breed in an image by calling the SageMaker endpoint",
        role: args.roleArn,
        runtime: args.runtime,
        architectures: ["arm64"],
        handler: "index.handler",
        code: new pulumi.asset.FileArchive(bundleDir),
        memorySize: args.memoryMb,
        timeout: args.timeoutSeconds,
        reservedConcurrentExecutions: args.reservedConcurrency,
        publish: true,
        environment: { variables: args.environment },
        loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      },
      { parent: this, dependsOn: [this.logGroup] },
    );

    this.alias = new aws.lambda.Alias(
      `${name}-alias`,
      {
        name: ALIAS_NAME,
        description: "The published version that serves traffic",
        functionName: this.fn.name,
        functionVersion: this.fn.version,
      },
      parent,
    );

    if (args.provisionedConcurrency > 0) {
      new aws.lambda.ProvisionedConcurrencyConfig(
        `${name}-provisioned`,
        {
          functionName: this.fn.name,
          qualifier: this.alias.name,
          provisionedConcurrentExecutions: args.provisionedConcurrency,
        },
        parent,
      );
    }

    if (args.functionUrl) {
      this.url = new aws.lambda.FunctionUrl(
        `${name}-url`,
        { functionName: this.fn.name, qualifier: this.alias.name, authorizationType: "AWS_IAM" },
        parent,
      );
      this.functionUrl = this.url.functionUrl;

      // A URL with AWS_IAM auth takes callers allowed both actions by the function's resource
      // policy (or their own identity policy in this account), scoped here to the alias.
      // https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
      for (const principal of args.urlInvokers ?? []) {
        const id = createHash("sha256").update(principal).digest("hex").slice(0, 8);
        const scope = { function: this.fn.name, qualifier: this.alias.name, principal };
        new aws.lambda.Permission(
          `${name}-url-invoke-${id}`,
          { ...scope, action: "lambda:InvokeFunctionUrl", functionUrlAuthType: "AWS_IAM" },
          parent,
        );
        new aws.lambda.Permission(
          `${name}-invoke-${id}`,
          { ...scope, action: "lambda:InvokeFunction", invokedViaFunctionUrl: true },
          parent,
        );
      }
    } else if ((args.urlInvokers ?? []).length > 0) {
      throw new Error(`${name}: urlInvokers needs functionUrl: they are callers of the URL`);
    }

    this.functionName = this.fn.name;
    this.aliasArn = this.alias.arn;
    this.registerOutputs({
      functionName: this.functionName,
      aliasArn: this.aliasArn,
      functionUrl: this.functionUrl,
    });
  }
}
