// The analyzer's request messages, encoded with protobufjs. Field names and numbers are those of
// pulumi/pulumi's proto/pulumi/analyzer.proto (AnalyzeRequest, AnalyzeStackRequest,
// AnalyzerResource, AnalyzerResourceOptions, AnalyzerProviderResource,
// AnalyzerPropertyDependencies): @pulumi/pulumi ships only the classes generated from it, not the
// .proto itself. google.protobuf.Struct comes with protobufjs.
import * as protobuf from "protobufjs";

const string = (id: number) => ({ type: "string", id });
const strings = (id: number) => ({ type: "string", id, rule: "repeated" });
const bool = (id: number) => ({ type: "bool", id });
const struct = (id: number) => ({ type: "google.protobuf.Struct", id });

/** Fields 1-6, the same in AnalyzeRequest and AnalyzerResource. */
const RESOURCE_FIELDS = {
  type: string(1),
  properties: struct(2),
  urn: string(3),
  name: string(4),
  options: { type: "AnalyzerResourceOptions", id: 5 },
  provider: { type: "AnalyzerProviderResource", id: 6 },
};

const root = new protobuf.Root();
root.addJSON(protobuf.common.get("google/protobuf/struct.proto")!.nested!);
root.addJSON({
  pulumirpc: {
    nested: {
      AnalyzerResourceOptions: {
        fields: {
          protect: bool(1),
          ignoreChanges: strings(2),
          deleteBeforeReplace: bool(3),
          deleteBeforeReplaceDefined: bool(4),
          parent: string(8),
        },
      },
      AnalyzerProviderResource: {
        fields: { type: string(1), properties: struct(2), urn: string(3), name: string(4) },
      },
      AnalyzerPropertyDependencies: { fields: { urns: strings(1) } },
      AnalyzeRequest: { fields: RESOURCE_FIELDS },
      AnalyzerResource: {
        fields: {
          ...RESOURCE_FIELDS,
          parent: string(7),
          dependencies: strings(8),
          propertyDependencies: {
            keyType: "string",
            type: "AnalyzerPropertyDependencies",
            id: 9,
          },
        },
      },
      AnalyzeStackRequest: {
        fields: { resources: { type: "AnalyzerResource", id: 1, rule: "repeated" } },
      },
    },
  },
} as protobuf.INamespace["nested"] & object);

/**
 * The fields of these messages in analyzer.proto that the client never sends, by message: a test
 * reads every field of the generated classes and requires each to be encoded above or named here.
 */
export const UNSENT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  // The program's run records neither option; the engine sends them empty for such resources.
  AnalyzerResourceOptions: ["additionalSecretOutputs", "aliases", "customTimeouts"],
};

export const AnalyzeRequest = root.lookupType("pulumirpc.AnalyzeRequest");
export const AnalyzeStackRequest = root.lookupType("pulumirpc.AnalyzeStackRequest");
