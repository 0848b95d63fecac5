// Autoscaling of SageMaker endpoints: each instance-based variant needs an Application Auto
// Scaling target and a target-tracking policy, with a ceiling the stack can afford. Resource ids
// follow `endpoint/<endpoint name>/variant/<variant name>`
// (https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-add-code-register.html).
import {
  forStack,
  inStacks,
  isUnknown,
  label,
  num,
  obj,
  refersVia,
  schema,
  stackPolicy,
  str,
  StackItem,
} from "./common";
import { allVariants, SM, variants } from "./sagemaker";
import { TYPES } from "../shared/resource-types";

export const AAS = {
  target: TYPES.scalingTarget,
  policy: TYPES.scalingPolicy,
  scheduledAction: TYPES.scheduledAction,
} as const;

/** A capacity as a number, also when written as a numeric string. */
function count(v: unknown): number | undefined {
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return num(v);
}

/** Whether a target or scheduled action scales SageMaker capacity. */
function scalesSageMaker(it: StackItem): boolean {
  return (
    String(it.props.serviceNamespace).toLowerCase() === "sagemaker" ||
    (isUnknown(it.props.serviceNamespace) &&
      /^(endpoint|inference-component)\//.test(str(it.props.resourceId) ?? ""))
  );
}

const DIMENSION = "sagemaker:variant:DesiredInstanceCount";

/**
 * The most instances a SageMaker variant may scale to, per environment: the governance limit this
 * policy holds each environment to, and its one home (the policy's config default; a policy config
 * file may override it per environment). It is deliberately stricter than the stack config's range
 * for `endpointMaxInstances` (up to 100), which is only what AWS and the program accept: a stack
 * may set a value its config accepts and still be stopped here. Production scales to 4; every
 * other environment (dev serves from a serverless endpoint) to 2.
 */
export const MAX_INSTANCES: Record<string, number> = { production: 4, default: 2 };

interface AutoscalingConfig {
  maxInstances: Record<string, number>;
  stacks: string[];
}

function configOf(items: StackItem[], endpoint: StackItem): StackItem | undefined {
  return items.find(
    (it) =>
      it.type === SM.endpointConfig &&
      refersVia(endpoint, "endpointConfigName", it, [it.props.name, it.props.id]),
  );
}

export const endpointAutoscaling = stackPolicy<AutoscalingConfig>({
  name: "sagemaker-endpoint-require-autoscaling",
  description:
    "Requires every instance-based endpoint variant to have a scalable target and a target-tracking policy, and every SageMaker scalable target and scheduled action to keep max capacity within the stack's cap.",
  enforcementLevel: "mandatory",
  config: {
    maxInstances: schema.numberByStack(
      "Highest maxCapacity allowed for a variant, by environment (`default` for the others).",
      MAX_INSTANCES,
    ),
    stacks: schema.strings("Environments where the rule applies (`*` for all).", ["*"]),
  },
  check: (items, report, c) => {
    // Every SageMaker scalable target, whatever it scales and whether or not it matches a
    // variant: registering a second target for the same variant replaces the first's range.
    const targets = items.filter((it) => it.type === AAS.target && scalesSageMaker(it));
    const policies = items.filter((it) => it.type === AAS.policy);
    /** What each target scales, for messages. */
    const scales = new Map<StackItem, string>();
    for (const endpoint of items.filter((it) => it.type === SM.endpoint)) {
      if (!inStacks(c.stacks, endpoint)) continue;
      const cfg = configOf(items, endpoint);
      if (!cfg) continue;
      const endpointName = str(endpoint.props.name) ?? str(endpoint.props.id);
      for (const v of variants(cfg.props).filter((x) => !x.serverless)) {
        const resourceId = endpointName ? `endpoint/${endpointName}/variant/${v.name}` : undefined;
        const matchTarget = (t: StackItem) =>
          isUnknown(t.props.resourceId)
            ? refersVia(t, "resourceId", endpoint, [])
            : resourceId !== undefined && t.props.resourceId === resourceId;
        const matching = targets.filter(matchTarget);
        const where = `${label(endpoint.type, endpoint.name)} variant "${v.name}"`;
        if (matching.length === 0) {
          report(
            endpoint.urn,
            `${where} has no aws.appautoscaling.Target (resourceId "${resourceId ?? "endpoint/<name>/variant/<variant>"}", ` +
              `scalableDimension "${DIMENSION}"), so it cannot follow load. Add one with minCapacity and ` +
              `maxCapacity, and a TargetTrackingScaling policy on SageMakerVariantInvocationsPerInstance.`,
          );
          continue;
        }
        for (const target of matching) {
          scales.set(target, where);
          const tracking = policies.find(
            (p) =>
              (p.props.policyType === "TargetTrackingScaling" || isUnknown(p.props.policyType)) &&
              (p.props.resourceId === target.props.resourceId ||
                refersVia(p, "resourceId", target, [target.props.resourceId])),
          );
          if (!tracking) {
            report(
              target.urn,
              `${where} has a scalable target but no target-tracking policy. Add an aws.appautoscaling.Policy ` +
                `with policyType "TargetTrackingScaling" and predefinedMetricType "SageMakerVariantInvocationsPerInstance".`,
            );
          }
        }
      }
    }
    // A variant starts at its initial count, whatever its scaling range: that count is capacity too.
    for (const cfg of items.filter((it) => it.type === SM.endpointConfig)) {
      if (!inStacks(c.stacks, cfg)) continue;
      const cap = forStack(c.maxInstances, cfg);
      for (const v of allVariants(cfg.props).filter((x) => !x.serverless)) {
        if (cap === undefined) continue;
        const initial = count(v.variant.initialInstanceCount);
        if (initial !== undefined && initial > cap) {
          report(
            cfg.urn,
            `${label(cfg.type, cfg.name)} ${v.label} has initialInstanceCount ${initial}, above this stack's cap of ` +
              `${cap} instances. Set initialInstanceCount to at most ${cap} and let autoscaling add capacity, or ` +
              `raise maxInstances for the stack in the policy config.`,
          );
        }
        // Managed instance scaling (for inference components) grows the variant on its own.
        const managed = obj(v.variant.managedInstanceScaling);
        const managedMax = count(managed?.maxInstanceCount);
        if (
          managed &&
          String(managed.status ?? "").toUpperCase() !== "DISABLED" &&
          managedMax !== undefined &&
          managedMax > cap
        ) {
          report(
            cfg.urn,
            `${label(cfg.type, cfg.name)} ${v.label} has managedInstanceScaling.maxInstanceCount ${managedMax}, above ` +
              `this stack's cap of ${cap} instances. Set maxInstanceCount to at most ${cap}, or raise maxInstances ` +
              `for the stack in the policy config.`,
          );
        }
      }
    }
    // A scheduled action sets the target's range when it runs: its maximum is a ceiling too.
    for (const action of items.filter(
      (it) => it.type === AAS.scheduledAction && scalesSageMaker(it),
    )) {
      if (!inStacks(c.stacks, action)) continue;
      const cap = forStack(c.maxInstances, action);
      const range = obj(action.props.scalableTargetAction);
      // A minimum above the cap forces at least that many instances, whatever the maximum.
      const bounds = [count(range?.maxCapacity), count(range?.minCapacity)].filter(
        (n): n is number => n !== undefined,
      );
      const max = bounds.length > 0 ? Math.max(...bounds) : undefined;
      if (max === undefined || cap === undefined || max <= cap) continue;
      const id = str(action.props.resourceId);
      report(
        action.urn,
        `${label(action.type, action.name)} for ${id ? `resourceId "${id}"` : "its resource"} sets capacity up to ${max} ` +
          `when it runs, above this stack's cap of ${cap}. Set scalableTargetAction.maxCapacity to at most ${cap}, ` +
          `or raise maxInstances for the stack in the policy config.`,
      );
    }
    for (const target of targets) {
      if (!inStacks(c.stacks, target)) continue;
      const cap = forStack(c.maxInstances, target);
      const max = count(target.props.maxCapacity);
      const min = count(target.props.minCapacity);
      const id = str(target.props.resourceId);
      const what = scales.get(target) ?? (id ? `resourceId "${id}"` : "its resource");
      if (max !== undefined && cap !== undefined && max > cap) {
        report(
          target.urn,
          `${label(target.type, target.name)} for ${what} has maxCapacity ${max}, above this stack's cap of ${cap}. ` +
            `Set maxCapacity to at most ${cap}, or raise maxInstances for the stack in the policy config.`,
        );
      }
      if (max !== undefined && min !== undefined && min > max) {
        report(
          target.urn,
          `${label(target.type, target.name)} has minCapacity ${min} above maxCapacity ${max}. Set minCapacity <= maxCapacity.`,
        );
      }
    }
  },
});

export const autoscalingPolicies = [endpointAutoscaling];
