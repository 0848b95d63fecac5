// The value of an Output for the program's own decisions, such as whether to declare a part of
// the stack at all. A resource's outputs are known once the engine has registered it: during
// `pulumi up` after its provider created or updated it, during a preview only when nothing about
// it changes. The Output's `isKnown` and `promise()` are the SDK's own (sdk/nodejs/output.ts in
// pulumi/pulumi), which `apply` itself is built on; they are not in its typings.
import type * as pulumi from "@pulumi/pulumi";

interface Resolvable<T> {
  isKnown: Promise<boolean>;
  promise(withUnknowns?: boolean): Promise<T>;
}

/** The value of `o`, or undefined while it is unknown (a preview of what the `up` computes). */
export async function valueOf<T>(o: pulumi.Output<T>): Promise<T | undefined> {
  const r = o as unknown as Resolvable<T>;
  return (await r.isKnown) ? r.promise() : undefined;
}
