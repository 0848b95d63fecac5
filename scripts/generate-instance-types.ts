// Writes shared/instance-type-lists.json, the real instance types each kind of config key may name, from
// packaged data: the SageMaker API's enums of valid values in @aws-sdk/client-sagemaker
// (CreateNotebookInstance, ProductionVariant, ResourceConfig) and the EC2 instance types of
// @pulumi/aws. The program reads the JSON, so it never loads the SDK. `npm run instance-types:generate`;
// a test fails when the JSON differs from the installed packages.
import * as fs from "fs";
import * as path from "path";
import {
  ProductionVariantInstanceType,
  TrainingInstanceType,
  _InstanceType as NotebookInstanceType,
} from "@aws-sdk/client-sagemaker";
import { InstanceType as Ec2InstanceType } from "@pulumi/aws/types/enums/ec2";
import type { InstanceTypeKind } from "../shared/stack-keys";

const FILE = path.join(__dirname, "..", "shared", "instance-type-lists.json");

const sorted = (values: object) => [...new Set(Object.values(values) as string[])].sort();

/** The instance types of each kind, sorted, as the installed packages list them. */
export function instanceTypesFromPackages(): Record<InstanceTypeKind, string[]> {
  return {
    notebook: sorted(NotebookInstanceType),
    hosting: sorted(ProductionVariantInstanceType),
    training: sorted(TrainingInstanceType),
    ec2: sorted(Ec2InstanceType),
  };
}

/** The JSON text of shared/instance-type-lists.json. */
export function renderInstanceTypes(): string {
  return JSON.stringify(instanceTypesFromPackages(), null, 2) + "\n";
}

if (require.main === module) {
  fs.writeFileSync(FILE, renderInstanceTypes());
  console.log(`wrote ${path.relative(process.cwd(), FILE)}`);
}
