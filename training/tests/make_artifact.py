"""Train a small model on generated images and pack it as a training job's output holds it.

Writes, under OUT_DIR:

- ``data/``: the generated dataset (three breeds of coloured images, plus unreadable files);
- ``model.tar.gz``: the model folder train.py wrote in the SageMaker layout, packed at the
  archive root like the job's ``output/model.tar.gz`` (the same packing as the EC2 host's);
- ``samples/``: one JPEG and one PNG per breed, not in the dataset, named after the breed.

and prints a JSON summary: the artifact, the class names, the samples and the final metrics.

    python3 make_artifact.py OUT_DIR
"""

import contextlib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import ec2_train  # noqa: E402
import train  # noqa: E402
from conftest import CLASSES, COLOURS, SMALL_RUN, image_bytes, make_dataset  # noqa: E402

EPOCHS = 2


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    data = make_dataset(out / "data")
    model_dir = out / "opt_ml" / "model"
    model_dir.mkdir(parents=True)
    # train.py's own main, in this process, as the container runs it: SageMaker's variables, the
    # hyperparameters as arguments. Its metric lines go to standard error here, so standard
    # output carries only the summary.
    os.environ.update({"SM_CHANNEL_TRAINING": str(data), "SM_MODEL_DIR": str(model_dir),
                       "TORCH_HOME": str(out / "torch-home")})
    with contextlib.redirect_stdout(sys.stderr):
        status = train.main([*SMALL_RUN, "--epochs", str(EPOCHS),
                             "--checkpoint-dir", str(out / "opt_ml" / "checkpoints")])
    if status != 0:
        return status
    artifact = ec2_train.pack_model_dir(model_dir, out / "model.tar.gz")

    samples = out / "samples"
    samples.mkdir()
    written = {}
    for name, colour in zip(CLASSES, COLOURS):
        for fmt, suffix in (("JPEG", "jpg"), ("PNG", "png")):
            path = samples / f"{name}.{suffix}"
            path.write_bytes(image_bytes(colour, fmt, size=(96, 80), seed=7))
            written[str(path)] = name
    print(json.dumps({
        "artifact": str(artifact),
        "classes": json.loads((model_dir / "classes.json").read_text()),
        "samples": written,
        "metrics": json.loads((model_dir / "metrics.json").read_text()),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
