// Network rules shared by the security groups of the notebook and the EC2 training host.
import type * as aws from "@pulumi/aws";

/** Outbound HTTPS only: S3, SSM, SageMaker APIs and package indexes are all reached over 443. */
export const HTTPS_OUT: aws.types.input.ec2.SecurityGroupEgress[] = [
  {
    description: "HTTPS out",
    protocol: "tcp",
    fromPort: 443,
    toPort: 443,
    cidrBlocks: ["0.0.0.0/0"],
  },
];
