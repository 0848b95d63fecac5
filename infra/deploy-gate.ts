// A step that must be done before anything is deployed, refused by `pulumi up` only: a preview
// (and the offline check) lists it as waiting, so that a pull request still shows its plan.
import * as pulumi from "@pulumi/pulumi";
import { DEPLOY_REFUSED_TITLE } from "../shared/program-errors";

/**
 * A RunError, so the CLI prints its message alone, without a stack trace (@pulumi/pulumi
 * cmd/run, its uncaught-error handler).
 */
export class DeployRefusedError extends pulumi.RunError {
  constructor(reason: string) {
    super(`${DEPLOY_REFUSED_TITLE}: ${reason}`);
    this.name = "DeployRefusedError";
  }
}
