// Required tags on every taggable resource, counting the provider's default tags, which AWS
// applies to every resource the provider creates
// (https://www.pulumi.com/registry/packages/aws/api-docs/provider/#default_tags_go).
import { defaultTags, isUnknown, label, obj, plain, Props, schema, stackPolicy } from "./common";
// The resource types of the AWS provider whose arguments take `tags`, generated from its typings
// by scripts/taggable-types.js.
import taggable from "./taggable-types.json";

const TAGGABLE: ReadonlySet<string> = new Set(taggable.types);

/**
 * A resource's own tags as a map. Auto Scaling groups take theirs as a list of
 * `{key, value, propagateAtLaunch}` blocks
 * (https://www.pulumi.com/registry/packages/aws/api-docs/autoscaling/group/#grouptag), every
 * other type as a map.
 */
function ownTags(v: unknown): Props {
  if (!Array.isArray(v)) return obj(v) ?? {};
  const out: Props = {};
  for (const t of v) {
    const key = obj(t)?.key;
    if (typeof key === "string") out[key] = obj(t)?.value;
  }
  return out;
}

export const REQUIRED_TAGS = ["project", "environment", "owner", "cost-center"];

interface TagsConfig {
  requiredTags: string[];
}

export const requiredTags = stackPolicy<TagsConfig>({
  name: "aws-resource-require-tags",
  description:
    "Requires the configured tags on every taggable AWS resource, directly or through the provider's default tags.",
  enforcementLevel: "advisory",
  config: {
    requiredTags: schema.strings("Tag keys every taggable resource must carry.", REQUIRED_TAGS),
  },
  check: (items, report, c) => {
    for (const it of items) {
      if (!TAGGABLE.has(it.type)) continue;
      const own = it.props.tags;
      if (isUnknown(own)) continue;
      const provider = it.resource.provider;
      const inherited = defaultTags(provider ? plain(provider.props) : undefined);
      if (inherited === "unknown") continue;
      const all = obj(it.props.tagsAll);
      const tags: Props = { ...inherited, ...(all ?? {}), ...ownTags(own) };
      const missing = c.requiredTags.filter((k) => {
        const v = tags[k];
        return !isUnknown(v) && (typeof v !== "string" || v.trim() === "");
      });
      if (missing.length === 0) continue;
      report(
        it.urn,
        `${label(it.type, it.name)} lacks tag(s) ${missing.map((m) => `"${m}"`).join(", ")}` +
          `${provider ? ` (its provider's defaultTags do not set them)` : " and uses no provider with defaultTags"}. ` +
          `Set them in the aws.Provider's defaultTags.tags, or in the resource's tags.`,
      );
    }
  },
});

export const tagPolicies = [requiredTags];
