// The dog-breed-classifier policy pack: guardrails for IAM, SageMaker, EC2, S3, Lambda,
// autoscaling, tags and cost. Each service's policies live in their own module.
import "./bundle-check";
import "./fast-deserialize";
import { PolicyPack } from "@pulumi/policy";
import { autoscalingPolicies } from "./autoscaling";
import { costPolicies } from "./cost";
import { ec2Policies } from "./ec2";
import { iamPolicies } from "./iam";
import { resourcePolicyPolicies } from "./iam-resource-policies";
import { lambdaPolicies } from "./lambda";
import { providerPolicies } from "./providers";
import { s3Policies } from "./s3";
import { sagemakerPolicies } from "./sagemaker";
import { tagPolicies } from "./tags";
import { warmUpWhenListening } from "./warm-up";

new PolicyPack("dog-breed-classifier-guardrails", {
  policies: [
    ...iamPolicies,
    ...resourcePolicyPolicies,
    ...sagemakerPolicies,
    ...ec2Policies,
    ...s3Policies,
    ...lambdaPolicies,
    ...autoscalingPolicies,
    ...tagPolicies,
    ...providerPolicies,
    ...costPolicies,
  ],
});

warmUpWhenListening();
