"""train.py under torchrun, with a record of what each rank read and wrote.

The test launches this file in place of train.py. It wraps the dataset's loader and the
training module's file writers, then runs train.py's own main: each rank appends one JSON line
per event to ``$PROBE_DIR/rank-<RANK>.jsonl`` (the epochs the sampler is set to, the sample
files it loads, the files it writes, its exit status).
"""

import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

import train  # noqa: E402
import trainer  # noqa: E402

RECORD = Path(os.environ["PROBE_DIR"]) / f"rank-{os.environ.get('RANK', '0')}.jsonl"


def log(**event) -> None:
    with RECORD.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(event) + "\n")


def wrap(owner, name, before):
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        before(*args, **kwargs)
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


wrap(torch.utils.data.DistributedSampler, "set_epoch",
     lambda sampler, epoch: log(kind="epoch", epoch=epoch))
wrap(trainer.ImageFolderSkippingBad, "__getitem__",
     lambda dataset, index: log(kind="read", split=Path(dataset.root).name,
                                path=dataset.samples[index][0]))
wrap(trainer, "atomic_torch_save", lambda obj, path: log(kind="write", path=str(path)))
wrap(trainer, "atomic_write_text", lambda path, text: log(kind="write", path=str(path)))
wrap(shutil, "copy2", lambda source, target, **kw: log(kind="write", path=str(target)))

if __name__ == "__main__":
    status = train.main()
    log(kind="exit", status=status)
    sys.exit(status)
