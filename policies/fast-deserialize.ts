// The policy SDK turns a resource's properties from protobuf into JavaScript once per policy: a
// stack of N resources under P policies costs N x P conversions, most of the analysis time. The
// conversion is pure, so the first result for a message is kept (keyed by the message object,
// which gRPC gives every policy) and handed to the others. Policies only read properties.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkDeserialize = require("@pulumi/policy/deserialize") as Record<string, unknown>;

type Deserialize = ((struct: object, proxySecrets: boolean) => unknown) & { cached?: boolean };

const original = sdkDeserialize.deserializeProperties as Deserialize | undefined;
if (typeof original === "function" && !original.cached) {
  const cache = new WeakMap<object, unknown>();
  const cached: Deserialize = (struct, proxySecrets) => {
    // Remediations (proxySecrets) may return modified properties: never share those.
    if (proxySecrets || !struct || typeof struct !== "object")
      return original(struct, proxySecrets);
    let props = cache.get(struct);
    if (props === undefined) {
      props = original(struct, proxySecrets);
      cache.set(struct, props);
    }
    return props;
  };
  cached.cached = true;
  sdkDeserialize.deserializeProperties = cached;
}

// It then wraps those properties in a proxy that refuses unknown values, again once per policy.
// The proxy holds no state of its own (it reads its target), so one per properties object serves
// every policy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy = require("@pulumi/policy/proxy") as Record<string, unknown>;

type Wrap = ((target: unknown) => unknown) & { cached?: boolean };

const wrap = sdkProxy.unknownCheckingProxy as Wrap | undefined;
if (typeof wrap === "function" && !wrap.cached) {
  const proxies = new WeakMap<object, unknown>();
  const cachedWrap: Wrap = (target) => {
    if (!target || typeof target !== "object") return wrap(target);
    let proxy = proxies.get(target);
    if (proxy === undefined) proxies.set(target, (proxy = wrap(target)));
    return proxy;
  };
  cachedWrap.cached = true;
  sdkProxy.unknownCheckingProxy = cachedWrap;
}

export {};
