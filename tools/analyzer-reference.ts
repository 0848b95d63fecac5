// The analyzer requests as the generated protobuf classes build them: the reference the wire
// encoder (analyzer-wire.ts) is checked against, byte for byte.
import { marshal, providerOf } from "./analyzer-marshal";
import { analyzerProto, structProto } from "./analyzer-proto";
import type { StackResource } from "./stack-run";

async function toStruct(props: Record<string, unknown>): Promise<unknown> {
  return structProto.Struct.fromJavaScript((await marshal(props)) ?? {});
}

async function providerMessage(p: StackResource | undefined): Promise<unknown> {
  if (!p) return undefined;
  const m = new analyzerProto.AnalyzerProviderResource();
  m.setUrn(p.urn);
  m.setType(p.type);
  m.setName(p.name);
  m.setProperties(await toStruct(p.inputs));
  return m;
}

function optionsMessage(r: StackResource): unknown {
  const o = new analyzerProto.AnalyzerResourceOptions();
  o.setProtect(r.protect);
  o.setIgnorechangesList(r.ignoreChanges ?? []);
  o.setDeletebeforereplace(r.deleteBeforeReplace);
  o.setDeletebeforereplacedefined(r.deleteBeforeReplace);
  o.setAdditionalsecretoutputsList([]);
  o.setAliasesList([]);
  if (r.parent) o.setParent(r.parent);
  return o;
}

/** The AnalyzeRequest the generated classes build for a resource (the reference for the encoder). */
export async function buildAnalyzeRequest(
  r: StackResource,
  provider?: StackResource,
): Promise<unknown> {
  const req = new analyzerProto.AnalyzeRequest();
  req.setType(r.type);
  req.setProperties(await toStruct(r.inputs));
  req.setUrn(r.urn);
  req.setName(r.name);
  req.setOptions(optionsMessage(r));
  const p = await providerMessage(provider);
  if (p) req.setProvider(p);
  return req;
}

/** The AnalyzeStackRequest the generated classes build for a graph. */
export async function buildAnalyzeStackRequest(resources: StackResource[]): Promise<unknown> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const req = new analyzerProto.AnalyzeStackRequest();
  for (const r of resources) {
    const m = new analyzerProto.AnalyzerResource();
    m.setType(r.type);
    m.setProperties(await toStruct(r.outputs));
    m.setUrn(r.urn);
    m.setName(r.name);
    m.setOptions(optionsMessage(r));
    const provider = await providerMessage(providerOf(r, byUrn));
    if (provider) m.setProvider(provider);
    if (r.parent) m.setParent(r.parent);
    m.setDependenciesList(r.dependencies ?? []);
    for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
      if (urns.length === 0) continue;
      const deps = new analyzerProto.AnalyzerPropertyDependencies();
      deps.setUrnsList(urns);
      m.getPropertydependenciesMap().set(k, deps);
    }
    req.addResources(m);
  }
  return req;
}
