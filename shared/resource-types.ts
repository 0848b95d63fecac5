// The Pulumi type tokens of the resources that more than one part of the project names: the
// policy pack, the cost estimator, the offline check's resource summary and the mocked cloud.
// Tokens are the AWS provider's (`aws:<module>/<resource>:<Resource>`), as the engine reports
// them, and the program's dynamic resources' (`pulumi-nodejs:dynamic/<module>:<Resource>`, the
// module and name each class passes to `pulumi.dynamic.Resource`).

export const TYPES = {
  // SageMaker
  notebook: "aws:sagemaker/notebookInstance:NotebookInstance",
  endpointConfig: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  endpoint: "aws:sagemaker/endpoint:Endpoint",
  model: "aws:sagemaker/model:Model",
  // The jobs are the program's dynamic resources (infra/training/job.ts), which start a job and
  // return without waiting for it; their inputs keep the AWS provider's shapes.
  trainingJob: "pulumi-nodejs:dynamic/sagemaker:TrainingJob",
  tuningJob: "pulumi-nodejs:dynamic/sagemaker:TuningJob",
  jobName: "pulumi-nodejs:dynamic/sagemaker:JobName",
  endpointCheck: "pulumi-nodejs:dynamic/sagemaker:EndpointCheck",
  domain: "aws:sagemaker/domain:Domain",
  userProfile: "aws:sagemaker/userProfile:UserProfile",
  // Application Auto Scaling
  scalingTarget: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  scheduledAction: "aws:appautoscaling/scheduledAction:ScheduledAction",
  // EC2 and EBS
  instance: "aws:ec2/instance:Instance",
  spotInstanceRequest: "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  eip: "aws:ec2/eip:Eip",
  volume: "aws:ebs/volume:Volume",
  // Lambda
  function: "aws:lambda/function:Function",
  provisionedConcurrency: "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
  functionUrl: "aws:lambda/functionUrl:FunctionUrl",
  // S3
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  // CloudWatch, KMS, IAM, Budgets, Secrets Manager
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  kmsKey: "aws:kms/key:Key",
  role: "aws:iam/role:Role",
  budget: "aws:budgets/budget:Budget",
  secret: "aws:secretsmanager/secret:Secret",
} as const;

export type ResourceType = (typeof TYPES)[keyof typeof TYPES];
