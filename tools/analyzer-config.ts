// Policy config as the Pulumi CLI handles it: enforcement levels, the `--policy-pack-config` file
// shape, and its reconciliation over the policies' schema defaults before Configure.
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/** Policy config as in a `--policy-pack-config` file: a level, or a level plus properties. */
export type PolicyConfig = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

export interface PolicyInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  /** Config property schemas (with their defaults). */
  configSchema?: Record<string, { default?: unknown } & Record<string, unknown>>;
}

/** The wire codes of `EnforcementLevel` (analyzer.proto). */
export const LEVEL_CODES: Record<EnforcementLevel, number> = {
  advisory: 0,
  mandatory: 1,
  disabled: 2,
  remediate: 3,
};

const LEVELS = Object.fromEntries(
  Object.entries(LEVEL_CODES).map(([level, code]) => [code, level as EnforcementLevel]),
);

/** The level a wire code stands for; advisory, as the CLI reads it, when the code is unknown. */
export function levelOf(code: number): EnforcementLevel {
  return LEVELS[code] ?? "advisory";
}

/**
 * Config reconciliation (pulumi/pulumi ReconcilePolicyPackConfig): schema defaults, then the
 * config's `all` level, then each policy's level and properties.
 */
export function reconcileConfig(
  policies: PolicyInfo[],
  config: PolicyConfig = {},
): Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }> {
  const out: Record<
    string,
    { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }
  > = {};
  const all = config.all;
  const allLevel = typeof all === "string" ? all : all?.enforcementLevel;
  for (const p of policies) {
    const properties: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(p.configSchema ?? {})) {
      if (s.default !== undefined) properties[k] = s.default;
    }
    let enforcementLevel = allLevel ?? p.enforcementLevel;
    const given = config[p.name];
    if (typeof given === "string") enforcementLevel = given;
    else if (given) {
      const { enforcementLevel: level, ...props } = given;
      if (level) enforcementLevel = level;
      Object.assign(properties, props);
    }
    out[p.name] = { enforcementLevel, properties };
  }
  return out;
}
