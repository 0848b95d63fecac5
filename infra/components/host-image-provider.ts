// Dynamic provider that pins the training host's image: the AMI id an AMI parameter named when the
// pin was created. AWS moves a public parameter such as `.../al2023-ami-kernel-default-x86_64` to
// every new image release; an instance's `ami` is fixed at launch, so reading the parameter on
// every `up` would replace the host, which trains again, at each release. The pin keeps the id
// until the parameter itself changes (a deliberate config change, `ec2AmiParameter`), and is
// replaced then, with the id the parameter names at that moment.
//
// `ignoreChanges: ["ami"]` on the instance would not do: Pulumi keeps an ignored property's old
// value from the state for replacements too ("Pulumi ignores a property by using the old value
// from the state", https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/), so a host
// replaced for a new image parameter would boot the old image.
//
// Pulumi serializes these functions into the stack state and runs them from there
// (https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/), so the module stays
// self-contained. The provider calls no API: the program resolves the parameter.
import type * as pulumi from "@pulumi/pulumi";

export interface HostImageInputs {
  /** The public SSM parameter the image id was read from. */
  parameter: string;
  /** The AMI id the parameter names now. */
  imageId: string;
}

/**
 * Create keeps the id it is given. Diff asks for a replacement when the parameter changes and
 * reports no change otherwise, whatever the parameter names now: the engine then keeps the
 * outputs it holds, so `imageId` stays the one recorded at creation.
 */
export const hostImageProvider: pulumi.dynamic.ResourceProvider<HostImageInputs, HostImageInputs> =
  {
    async create(inputs: HostImageInputs) {
      const outs: HostImageInputs = { parameter: inputs.parameter, imageId: inputs.imageId };
      return { id: `${outs.parameter}@${outs.imageId}`, outs };
    },

    async diff(_id: string, olds: HostImageInputs, news: HostImageInputs) {
      const replaces = olds.parameter === news.parameter ? [] : ["parameter"];
      return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
    },

    async delete() {
      // Nothing to remove: the pin is a record in the stack's state.
    },
  };
