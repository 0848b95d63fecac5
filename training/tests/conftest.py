"""Shared fixtures: a tiny generated dataset and helpers to run the entry points."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

TRAINING_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TRAINING_DIR))

CLASSES = ["001.Affenpinscher", "002.Afghan_hound", "003.Airedale_terrier"]
# Each class gets its own dominant colour so a few epochs can learn something.
COLOURS = [(200, 40, 40), (40, 200, 40), (40, 40, 200)]
PER_SPLIT = {"train": 8, "valid": 3, "test": 3}
SMALL_RUN = [
    "--arch", "resnet18",
    "--pretrained", "false",
    "--batch-size", "4",
    "--image-size", "64",
    "--learning-rate", "0.01",
    "--num-workers", "0",
]


def image_bytes(colour, fmt="JPEG", size=(64, 64), mode="RGB", seed=0) -> bytes:
    """A small noisy image of one colour, in the given format and colour mode."""
    image = Image.new("RGB", size, colour)
    pixels = image.load()
    for x in range(0, size[0], 3):
        for y in range(0, size[1], 3):
            shade = (x * 7 + y * 13 + seed * 31) % 60
            pixels[x, y] = tuple(min(255, c + shade) for c in colour)
    if mode != "RGB":
        image = image.convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def make_dataset(root: Path, per_split=None) -> Path:
    """train/ valid/ test/ with one folder per class, JPEG and PNG, colour, grey and RGBA files,
    plus a corrupt JPEG, a truncated JPEG and a text file that must all be skipped."""
    per_split = per_split or PER_SPLIT
    for split_index, (split, count) in enumerate(per_split.items()):
        for name, colour in zip(CLASSES, COLOURS):
            folder = root / split / name
            folder.mkdir(parents=True)
            for index in range(count):
                variant, seed = index % 3, index + 100 * split_index
                if variant == 0:
                    data, suffix = image_bytes(colour, "JPEG", seed=seed), "jpg"
                elif variant == 1:
                    data, suffix = image_bytes(colour, "PNG", mode="RGBA", seed=seed), "png"
                else:
                    data, suffix = image_bytes(colour, "JPEG", mode="L", seed=seed), "jpeg"
                (folder / f"{name}_{index:03d}.{suffix}").write_bytes(data)
    broken = root / "train" / CLASSES[0] / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10)
    (root / "train" / CLASSES[1] / "notes.txt").write_text("not an image\n")
    whole = image_bytes(COLOURS[2], "JPEG", size=(64, 64), seed=99)
    (root / "valid" / CLASSES[2] / "truncated.jpg").write_bytes(whole[: len(whole) // 3])
    return root


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def metric_definitions():
    return json.loads((TRAINING_DIR / "metric_definitions.json").read_text())


def parse_metrics(lines, definitions):
    """Apply each Regex to each line as SageMaker does: {name: [values in order]}."""
    found = {definition["Name"]: [] for definition in definitions}
    for line in lines:
        for definition in definitions:
            match = re.search(definition["Regex"], line)
            if match:
                found[definition["Name"]].append(float(match.group(1)))
    return found


def child_env(extra=None, tmp_home=None) -> dict:
    """Environment for training subprocesses: one thread (the machine is shared) and an empty
    torch cache, so any attempt to download weights would fail rather than hit a cache."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SM_") and key not in ("PYTHONPATH",)
    }
    env.update({"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"})
    if tmp_home is not None:
        env["TORCH_HOME"] = str(tmp_home)
    env.update(extra or {})
    return env


def run_script(script: str, args, env, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(TRAINING_DIR / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
