// The exact torch, torchvision and numpy the EC2 training host installs, per PyTorch minor version
// of the framework images (`trainingFrameworkVersion`). The one home of these pins: the user data
// installs them and the config refuses a framework version that has none.

export interface PytorchPins {
  torch: string;
  torchvision: string;
  numpy: string;
}

/**
 * torchvision releases pair with one torch minor version each (the compatibility table in
 * https://github.com/pytorch/vision#installation): the last patch release of each pair here.
 * numpy stays below 2 everywhere: torch below 2.3 cannot use NumPy 2 ("Numpy is not available",
 * https://github.com/pytorch/pytorch/issues/132179), and torch 2.3 and later also run on 1.26
 * (https://github.com/pytorch/pytorch/issues/107302), so one numpy serves every row. All of them
 * have CPython 3.11 wheels, the Python the host installs.
 */
export const HOST_PYTORCH_PINS: Readonly<Record<string, Readonly<PytorchPins>>> = Object.freeze({
  "2.0": { torch: "2.0.1", torchvision: "0.15.2", numpy: "1.26.4" },
  "2.1": { torch: "2.1.2", torchvision: "0.16.2", numpy: "1.26.4" },
  "2.2": { torch: "2.2.2", torchvision: "0.17.2", numpy: "1.26.4" },
  "2.3": { torch: "2.3.1", torchvision: "0.18.1", numpy: "1.26.4" },
  "2.4": { torch: "2.4.1", torchvision: "0.19.1", numpy: "1.26.4" },
  "2.5": { torch: "2.5.1", torchvision: "0.20.1", numpy: "1.26.4" },
  "2.6": { torch: "2.6.0", torchvision: "0.21.0", numpy: "1.26.4" },
});

/**
 * CPU wheels (the host has no GPU). The index also mirrors numpy and torch's other dependencies
 * from PyPI (https://github.com/pytorch/test-infra/pull/8367), so one index resolves the set.
 */
export const HOST_PIP_INDEX_URL = "https://download.pytorch.org/whl/cpu";

/** The pins for a framework version such as `2.1` or `2.1.0`, or undefined when there are none. */
export function hostPytorchPins(frameworkVersion: string): Readonly<PytorchPins> | undefined {
  const minor = /^(\d+\.\d+)(\.\d+)?$/.exec(frameworkVersion)?.[1];
  return minor === undefined ? undefined : HOST_PYTORCH_PINS[minor];
}

/** pip requirement specifiers for the pins, e.g. `torch==2.1.2`. */
export function pinRequirements(p: PytorchPins): string[] {
  return [`torch==${p.torch}`, `torchvision==${p.torchvision}`, `numpy==${p.numpy}`];
}
