// SageMaker training: training and tuning jobs declared in the graph, or the training the stack
// config asks for before any job is declared; spot or on-demand prices bound each run.
import { Estimator, type GraphResource, fmt, usd, str, num, list, path, read } from "./core";
import { type Price, SAGEMAKER_TRAINING, SPOT_TRAINING_SAVING } from "./prices";
import { TYPES } from "../shared/resource-types";

/** Instance-hours of one training job definition, with its spot setting. */
function jobShape(
  e: Estimator,
  r: GraphResource,
  def: unknown,
): { type: string; count: number; hours: number; spot: boolean; price: Price } | undefined {
  const type = str(path(def, "resourceConfig", "instanceType"));
  const price = type ? SAGEMAKER_TRAINING[type] : undefined;
  if (!price || !type) {
    e.unpricedInstance(r, "SageMaker training", type);
    return undefined;
  }
  const count = num(path(def, "resourceConfig", "instanceCount")) ?? 1;
  // SageMaker's default MaxRuntimeInSeconds is one day; billed time never exceeds it.
  const seconds = num(path(def, "stoppingCondition", "maxRuntimeInSeconds")) ?? 86400;
  const spot = read(def, "enableManagedSpotTraining") === true;
  return { type, count, hours: seconds / 3600, spot, price };
}

function addTraining(
  e: Estimator,
  r: GraphResource | undefined,
  item: string,
  shape: { type: string; count: number; spot: boolean; price: Price },
  instanceHoursPerRun: number,
  runFormula: string,
  inputs: Record<string, string | number | boolean>,
): void {
  const runs = e.usage.trainingRunsPerMonth;
  const max = instanceHoursPerRun * runs * shape.price.usd;
  const saving = SPOT_TRAINING_SAVING.assumed;
  const min = shape.spot ? max * (1 - saving) : max;
  const spotNote = shape.spot ? `; spot: min assumes ${saving * 100}% saving, max on-demand` : "";
  e.add(
    r,
    item,
    `${runFormula} × ${fmt(runs)} runs × ${usd(shape.price)}/h${spotNote}`,
    {
      ...inputs,
      instanceType: shape.type,
      instanceCount: shape.count,
      runsPerMonth: runs,
      usdPerHour: shape.price.usd,
      spot: shape.spot,
      ...(shape.spot ? { assumedSpotSaving: saving } : {}),
    },
    min,
    max,
  );
}

export function trainingJob(e: Estimator, r: GraphResource): void {
  const shape = jobShape(e, r, r.props);
  if (!shape) return;
  addTraining(
    e,
    r,
    "training job",
    shape,
    shape.count * shape.hours,
    `${fmt(shape.count)} × ${shape.type} × ${fmt(shape.hours)} h`,
    { maxRuntimeHours: shape.hours },
  );
}

export function tuningJob(e: Estimator, r: GraphResource): void {
  const defs = [
    read(r.props, "trainingJobDefinition"),
    ...list(read(r.props, "trainingJobDefinitions")),
  ].filter((d) => d && typeof d === "object");
  const shapes = defs
    .map((d) => jobShape(e, r, d))
    .filter((s): s is NonNullable<typeof s> => s !== undefined);
  if (shapes.length === 0) {
    if (defs.length === 0)
      e.warnings.push(
        `${r.name}: tuning job without a training job definition — left out of the estimate`,
      );
    return;
  }
  // With several definitions every job may run the priciest one: the upper bound.
  const shape = shapes.reduce((a, b) =>
    b.count * b.hours * b.price.usd > a.count * a.hours * a.price.usd ? b : a,
  );
  const limits = path(r.props, "config", "resourceLimits") ?? read(r.props, "resourceLimits");
  let jobs = num(read(limits, "maxNumberOfTrainingJobs"));
  if (jobs === undefined) {
    jobs = e.usage.training.tuningMaxJobs;
    e.warnings.push(`${r.name}: maxNumberOfTrainingJobs not set; assuming ${jobs} (tuningMaxJobs)`);
  }
  const parallel = num(read(limits, "maxParallelTrainingJobs"));
  const tuningSeconds = num(read(limits, "maxRuntimeInSeconds"));
  let jobHours = jobs * shape.hours;
  let runFormula = `${fmt(jobs)} jobs × ${fmt(shape.count)} × ${shape.type} × ${fmt(shape.hours)} h`;
  const inputs: Record<string, number> = {
    maxTrainingJobs: jobs,
    maxRuntimeHoursPerJob: shape.hours,
  };
  // The tuning job's own time limit caps the total: at most `parallel` jobs run at a time.
  if (
    parallel !== undefined &&
    tuningSeconds !== undefined &&
    parallel * (tuningSeconds / 3600) < jobHours
  ) {
    jobHours = parallel * (tuningSeconds / 3600);
    runFormula = `${fmt(parallel)} parallel jobs × ${fmt(tuningSeconds / 3600)} h tuning limit × ${fmt(shape.count)} × ${shape.type}`;
    Object.assign(inputs, {
      maxParallelTrainingJobs: parallel,
      tuningMaxRuntimeHours: tuningSeconds / 3600,
    });
  }
  addTraining(e, r, "tuning job", shape, jobHours * shape.count, runFormula, inputs);
}

/** Training the config asks for when the graph has no job resource (yet). */
export function trainingFromConfig(e: Estimator): void {
  const t = e.usage.training;
  if (t.mode === "none") return;
  const declared = e.graph.some((r) => r.type === TYPES.trainingJob || r.type === TYPES.tuningJob);
  if (declared) return;
  const price = SAGEMAKER_TRAINING[t.instanceType];
  if (!price) {
    e.noPrice(
      undefined,
      `SageMaker training instance type ${t.instanceType} (trainingInstanceType)`,
      `trainingInstanceType: no SageMaker training price for ${t.instanceType} — training left out of the estimate`,
    );
    return;
  }
  const hours = t.maxRuntimeSeconds / 3600;
  const shape = { type: t.instanceType, count: t.instanceCount, spot: t.useSpot, price };
  if (t.mode === "train") {
    addTraining(
      e,
      undefined,
      "training job (from config)",
      shape,
      t.instanceCount * hours,
      `${fmt(t.instanceCount)} × ${t.instanceType} × ${fmt(hours)} h`,
      { maxRuntimeHours: hours },
    );
  } else {
    addTraining(
      e,
      undefined,
      "tuning job (from config)",
      shape,
      t.tuningMaxJobs * t.instanceCount * hours,
      `${fmt(t.tuningMaxJobs)} jobs × ${fmt(t.instanceCount)} × ${t.instanceType} × ${fmt(hours)} h`,
      { maxTrainingJobs: t.tuningMaxJobs, maxRuntimeHoursPerJob: hours },
    );
  }
}
