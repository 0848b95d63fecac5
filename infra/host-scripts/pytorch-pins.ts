// The exact torch, torchvision and numpy the EC2 training host installs, per PyTorch minor version
// of the framework images (`trainingFrameworkVersion`), and the wheel index of each variant: CPU
// builds on CPU types, CUDA builds on GPU types. The one home of these pins: the user data installs
// them and the config refuses a framework version that has none.

export interface PytorchPins {
  torch: string;
  torchvision: string;
  numpy: string;
  /** The CUDA build of this torch the GPU host installs: its wheel index, e.g. `cu121`. */
  cuda: string;
}

/** What the host's PyTorch is built for: its CPU, or its NVIDIA GPUs. */
export type PytorchVariant = "cpu" | "cuda";

/**
 * torchvision releases pair with one torch minor version each (the compatibility table in
 * https://github.com/pytorch/vision#installation): the last patch release of each pair here.
 * numpy stays below 2 everywhere: torch below 2.3 cannot use NumPy 2 ("Numpy is not available",
 * https://github.com/pytorch/pytorch/issues/132179), and torch 2.3 and later also run on 1.26
 * (https://github.com/pytorch/pytorch/issues/107302), so one numpy serves every row. All of them
 * have CPython 3.11 wheels, the Python the host installs.
 *
 * `cuda` is a CUDA build PyTorch publishes for that release ("Previous PyTorch Versions",
 * https://pytorch.org/get-started/previous-versions/: 2.0.1 for CUDA 11.7 and 11.8; 2.1 to 2.5 for
 * 11.8 and 12.1, 2.4 and 2.5 also 12.4; 2.6.0 for 11.8, 12.4 and 12.6): 12.x where there is one,
 * the 12.4 build from 2.4 on, so that the CUDA releases in use stay few. The wheels carry their
 * CUDA runtime and need only the driver, which the GPU image provides: its 595 driver runs every
 * CUDA 11.x and 12.x runtime (NVIDIA's CUDA compatibility guide,
 * https://docs.nvidia.com/deploy/cuda-compatibility/: a driver supports the runtimes of its major
 * version and all earlier ones). All of them include kernels for the T4, A10G and L4 GPUs of the
 * host's GPU types (compute capabilities 7.5, 8.6 and 8.9).
 */
export const HOST_PYTORCH_PINS: Readonly<Record<string, Readonly<PytorchPins>>> = Object.freeze({
  "2.0": { torch: "2.0.1", torchvision: "0.15.2", numpy: "1.26.4", cuda: "cu118" },
  "2.1": { torch: "2.1.2", torchvision: "0.16.2", numpy: "1.26.4", cuda: "cu121" },
  "2.2": { torch: "2.2.2", torchvision: "0.17.2", numpy: "1.26.4", cuda: "cu121" },
  "2.3": { torch: "2.3.1", torchvision: "0.18.1", numpy: "1.26.4", cuda: "cu121" },
  "2.4": { torch: "2.4.1", torchvision: "0.19.1", numpy: "1.26.4", cuda: "cu124" },
  "2.5": { torch: "2.5.1", torchvision: "0.20.1", numpy: "1.26.4", cuda: "cu124" },
  "2.6": { torch: "2.6.0", torchvision: "0.21.0", numpy: "1.26.4", cuda: "cu124" },
});

const WHEEL_INDEX = "https://download.pytorch.org/whl";

/**
 * CPU wheels (the host has no GPU). The index also mirrors numpy and torch's other dependencies
 * from PyPI (https://github.com/pytorch/test-infra/pull/8367), so one index resolves the set; the
 * CUDA indexes mirror them the same way, with the `nvidia-*` libraries the CUDA wheels require.
 */
export const HOST_PIP_INDEX_URL = `${WHEEL_INDEX}/cpu`;

/** The wheel index of a pinned set's variant: `.../whl/cpu`, or e.g. `.../whl/cu121`. */
export function pipIndexUrl(p: PytorchPins, variant: PytorchVariant): string {
  return variant === "cpu" ? HOST_PIP_INDEX_URL : `${WHEEL_INDEX}/${p.cuda}`;
}

/** The pins for a framework version such as `2.1` or `2.1.0`, or undefined when there are none. */
export function hostPytorchPins(frameworkVersion: string): Readonly<PytorchPins> | undefined {
  const minor = /^(\d+\.\d+)(\.\d+)?$/.exec(frameworkVersion)?.[1];
  return minor === undefined ? undefined : HOST_PYTORCH_PINS[minor];
}

/** pip requirement specifiers for the pins, e.g. `torch==2.1.2`. */
export function pinRequirements(p: PytorchPins): string[] {
  return [`torch==${p.torch}`, `torchvision==${p.torchvision}`, `numpy==${p.numpy}`];
}
