"""Data-parallel scaling of the training code on CPU (npm run bench:train).

Trains the tiny model (resnet18 from scratch, 128-pixel crops) on generated images with train.py
in the SageMaker layout, once as one process and once as two gloo processes under torchrun (the
launch SageMaker's torch_distributed runs), each process on one thread, with the same global
batch (32 = 1 x 32 = 2 x 16), seed and epochs. Prints the training throughput of each run (images
per second over the epochs after the first, which includes start-up costs), their ratio, and
the final test accuracy of each, and checks that the two accuracies agree within binomial noise.

Figures are wall-clock on a shared machine: two processes on two cores can at best double the
throughput, minus the gradient all-reduce (45 MB of resnet18 gradients per step over loopback)
and whatever else the cores are doing: the load average is printed with the figures.

    /usr/bin/python3 bench/train_scale.py [--epochs N] [--per-class N]
"""

import argparse
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAINING = ROOT / "training"
sys.path.insert(0, str(TRAINING / "tests"))

from conftest import image_bytes  # noqa: E402

COLOURS = [(200, 40, 40), (40, 200, 40), (40, 40, 200), (200, 200, 40)]
GLOBAL_BATCH = 32
IMAGE_SIZE = 128
EPOCH_LOG = re.compile(
    r"epoch=(\d+) train_images=(\d+) train_seconds=([0-9.]+) train_cpu_seconds=([0-9.]+)"
)
FINAL = re.compile(r"^final .*test_accuracy=([0-9.]+)", re.M)
# torch 1.13's torchrun on Python 3.11 needs an explicit redirect mapping (see
# training/tests/test_distributed.py); "9:0" names no local rank, so output stays on the console.
TORCHRUN_STD_OPTIONS = ["--redirects", "9:0", "--tee", "9:0"]


def make_data(root: Path, per_class: int) -> Path:
    splits = (("train", per_class), ("valid", per_class // 2), ("test", per_class))
    for offset, (split, count) in enumerate(splits):
        for index, colour in enumerate(COLOURS):
            folder = root / split / f"{index + 1:03d}.breed_{index + 1}"
            folder.mkdir(parents=True)
            for n in range(count):
                fmt, suffix = ("PNG", "png") if n % 2 else ("JPEG", "jpg")
                seed = n + 1000 * index + 97 * offset
                (folder / f"{n:04d}.{suffix}").write_bytes(image_bytes(colour, fmt, seed=seed))
    return root


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def train(data: Path, work: Path, processes: int, epochs: int) -> dict:
    model_dir = work / "model"
    model_dir.mkdir(parents=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SM_")},
        "SM_CHANNEL_TRAINING": str(data), "SM_MODEL_DIR": str(model_dir),
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo",
        "TORCH_HOME": str(work / "torch"), "PYTHONDONTWRITEBYTECODE": "1",
    }
    args = [
        str(TRAINING / "train.py"), "--arch", "resnet18", "--pretrained", "false",
        "--image-size", str(IMAGE_SIZE), "--num-workers", "0", "--epochs", str(epochs),
        "--batch-size", str(GLOBAL_BATCH // processes), "--learning-rate", "0.01",
        "--checkpoint-dir", str(work / "checkpoints"),
    ]
    if processes > 1:
        command = [sys.executable, "-m", "torch.distributed.run", *TORCHRUN_STD_OPTIONS,
                   "--nnodes", "1", "--nproc_per_node", str(processes),
                   "--master_addr", "127.0.0.1", "--master_port", str(free_port()), *args]
    else:
        command = [sys.executable, *args]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-3000:])
        raise SystemExit(f"training with {processes} process(es) failed")
    epochs_seen = [(int(e), int(n), float(s), float(c))
                   for e, n, s, c in EPOCH_LOG.findall(result.stderr)]
    steady = [row for row in epochs_seen if row[0] > 1] or epochs_seen
    images = sum(row[1] for row in steady)
    seconds = sum(row[2] for row in steady)
    cpu_seconds = sum(row[3] for row in steady)
    test_accuracy = float(FINAL.search(result.stdout).group(1))
    # Rank 0's CPU time stands for every rank's: each takes the same steps on the same shares.
    return {"processes": processes, "images_per_second": images / seconds, "wall": wall,
            "images_per_cpu_second": images / cpu_seconds,
            "test_accuracy": test_accuracy, "epochs": len(epochs_seen)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--per-class", type=int, default=48)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        tmp = Path(tmp)
        data = make_data(tmp / "data", args.per_class)
        test_images = args.per_class * len(COLOURS)
        print(f"dataset: {len(COLOURS)} classes, {args.per_class * len(COLOURS)} train / "
              f"{test_images} test images; resnet18 from scratch at {IMAGE_SIZE} px, "
              f"{args.epochs} epochs, global batch {GLOBAL_BATCH}, one thread per process; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
        runs = [train(data, tmp / f"run-{n}", n, args.epochs) for n in (1, 2)]
    for run in runs:
        print(f"{run['processes']} process(es): {run['images_per_second']:7.1f} images/s "
              f"(epochs 2-{run['epochs']}), wall {run['wall']:.1f} s, "
              f"test accuracy {run['test_accuracy']:.3f}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    ratio = runs[1]["images_per_second"] / runs[0]["images_per_second"]
    print(f"speed-up with 2 processes: {ratio:.2f}x (ideal 2.00x)")
    # A process waiting in the all-reduce, or for a core another job holds, uses no CPU time:
    # with a free core per process, wall time per epoch would be the CPU time per rank.
    cpu_ratio = runs[1]["images_per_cpu_second"] / runs[0]["images_per_cpu_second"]
    print(f"speed-up with a free core per process (from CPU time per rank): {cpu_ratio:.2f}x; "
          f"images per CPU-second: {runs[0]['images_per_cpu_second']:.1f} with 1 process, "
          f"{runs[1]['images_per_cpu_second'] / 2:.1f} per rank with 2")
    # Two independent binomial estimates on the same test set: their difference has a standard
    # deviation of about sqrt(2 p (1 - p) / n); allow three of those, and one image either way.
    p = (runs[0]["test_accuracy"] + runs[1]["test_accuracy"]) / 2
    tolerance = 3 * math.sqrt(2 * p * (1 - p) / test_images) + 1 / test_images
    difference = abs(runs[0]["test_accuracy"] - runs[1]["test_accuracy"])
    same = difference <= tolerance
    print(f"accuracy difference {difference:.3f}, noise tolerance {tolerance:.3f}: "
          f"{'same within noise' if same else 'DIFFERENT beyond noise'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
