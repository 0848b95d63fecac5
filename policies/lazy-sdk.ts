// The pack's start-up without the Pulumi SDK's index. `@pulumi/policy` loads `@pulumi/pulumi`
// (every resource, provider, automation and closure-serialization module: about half a second, as
// much as the rest of the pack's start) only in its deserialize module, and reads two things from
// it: the asset and archive classes and `Output.isInstance`. Before the policy SDK loads, the
// index is entered in Node's module cache as a stand-in that serves those two from their own
// modules and loads the real index, once, if anything else is ever read from it. Every module
// behind them is the same cached instance the runner and the policy SDK use.
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("module");

interface NodeModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
  load(filename: string): void;
}
type ModuleClass = new (id: string, parent?: unknown) => NodeModule;
type ModuleStatics = { _nodeModulePaths(dir: string): string[] };

/** Enters the stand-in for the SDK index `@pulumi/policy` would load; a no-op once it is loaded. */
export function deferPulumiIndex(): void {
  let policyDir: string;
  let indexPath: string;
  try {
    policyDir = path.dirname(require.resolve("@pulumi/policy/package.json"));
    indexPath = require.resolve("@pulumi/pulumi", { paths: [policyDir] });
  } catch {
    return;
  }
  if (require.cache[indexPath]) return;
  const sdk = (subpath: string) =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(require.resolve(`@pulumi/pulumi/${subpath}`, { paths: [policyDir] })) as Record<
      string,
      unknown
    >;
  let real: object | undefined;
  const index = (): object => {
    if (!real) {
      const m = new (Module as unknown as ModuleClass)(indexPath);
      m.filename = indexPath;
      m.paths = (Module as unknown as ModuleStatics)._nodeModulePaths(path.dirname(indexPath));
      m.load(indexPath);
      real = m.exports as object;
    }
    return real;
  };
  const light: Record<string, () => unknown> = {
    asset: () => sdk("asset"),
    Output: () => sdk("output").Output,
  };
  const standIn = new Proxy(
    {},
    {
      get: (_, key) =>
        typeof key === "string" && key in light ? light[key]() : Reflect.get(index(), key),
      has: (_, key) => (typeof key === "string" && key in light) || Reflect.has(index(), key),
      ownKeys: () => Reflect.ownKeys(index()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(index(), key);
        return d ? { ...d, configurable: true } : undefined;
      },
    },
  );
  const entry = new (Module as unknown as ModuleClass)(indexPath);
  entry.filename = indexPath;
  entry.exports = standIn;
  entry.loaded = true;
  require.cache[indexPath] = entry as unknown as NodeJS.Module;
}
