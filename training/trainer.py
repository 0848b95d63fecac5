"""Fine-tune a torchvision ResNet on ``train/ valid/ test/`` image folders.

This is the one training module. ``train.py`` (SageMaker's entry point) and ``ec2_train.py``
(the EC2 host) only choose default paths and call :func:`run`.

Contract with the SageMaker PyTorch training containers
(https://docs.aws.amazon.com/sagemaker/latest/dg/adapt-training-container.html and
https://github.com/aws/sagemaker-training-toolkit/blob/master/ENVIRONMENT_VARIABLES.md):
hyperparameters arrive as ``--name value`` strings, input channels in ``SM_CHANNEL_<NAME>``,
the model is written to ``SM_MODEL_DIR`` (``/opt/ml/model``, packed into ``model.tar.gz``), and
managed spot training syncs ``/opt/ml/checkpoints`` with the checkpoint S3 URI
(https://docs.aws.amazon.com/sagemaker/latest/dg/model-checkpoints.html).

Data parallel: started by ``torchrun`` (which the containers' ``torch_distributed`` launch runs
across the job's hosts, one process per GPU), every process trains on its own shard of each
split and DistributedDataParallel averages the gradients. The process group comes from the
launcher's environment (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``,
``MASTER_PORT``; https://pytorch.org/docs/stable/elastic/run.html). Without it, one process
trains alone with the same code.
"""

import argparse
import contextlib
import json
import logging
import math
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence

import torch
import torch.distributed as dist
from PIL import Image
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler
from torchvision import datasets

import modeldef

LOG = logging.getLogger("dogbreed")

SPLITS = ("train", "valid", "test")
SAGEMAKER_CHECKPOINT_DIR = "/opt/ml/checkpoints"
CHECKPOINT_PREFIX = "checkpoint-"
CHECKPOINTS_KEPT = 2
INTERRUPTED_EXIT_CODE = 128 + signal.SIGTERM
# mkstemp creates 0600 files; artifacts are meant to be read by other users and tools.
FILE_MODE = 0o644
# Files copied into <model-dir>/code/: the SageMaker PyTorch inference toolkit imports
# code/inference.py and pip-installs code/requirements.txt when the endpoint starts
# (https://github.com/aws/sagemaker-pytorch-inference-toolkit, torchserve.py).
SERVING_FILES = ("inference.py", "modeldef.py", "architectures.json", "requirements.txt")
HERE = Path(__file__).resolve().parent


# ---------------------------------------------------------------------------------------------
# Command line


def str2bool(value: str) -> bool:
    """Parse booleans as SageMaker sends them.

    The training toolkit JSON-decodes hyperparameters and passes ``str(value)``, so ``true``
    arrives as ``True``; the raw CreateTrainingJob API passes ``true`` unchanged.
    """
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "on"):
        return True
    if text in ("false", "0", "no", "n", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more, got {value}")
    return number


def positive_float(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {value}")
    return number


def non_negative_float(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more, got {value}")
    return number


def _option(parser, name: str, **kwargs) -> None:
    # Accept both --batch-size and --batch_size: hyperparameter names are free-form strings.
    parser.add_argument(f"--{name}", f"--{name.replace('-', '_')}", **kwargs)


def build_parser(
    prog: str,
    data_dir: Optional[str],
    model_dir: Optional[str],
    checkpoint_dir: Optional[str],
) -> argparse.ArgumentParser:
    """Hyperparameters and paths. A path without a default becomes required."""
    # No abbreviations: a misspelt hyperparameter must fail, not silently match a longer one.
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__.splitlines()[0], allow_abbrev=False
    )
    _option(parser, "epochs", type=positive_int, default=10)
    _option(parser, "batch-size", type=positive_int, default=32)
    _option(parser, "learning-rate", type=positive_float, default=0.01)
    _option(parser, "optimizer", choices=("sgd", "adam", "adamw"), default="sgd")
    _option(parser, "momentum", type=non_negative_float, default=0.9)
    _option(parser, "weight-decay", type=non_negative_float, default=1e-4)
    _option(parser, "lr-schedule", choices=("cosine", "constant"), default="cosine")
    _option(parser, "arch", choices=sorted(modeldef.ARCHITECTURES), default="resnet50")
    _option(parser, "pretrained", type=str2bool, default=True)
    _option(parser, "freeze-backbone", type=str2bool, default=False)
    _option(parser, "image-size", type=positive_int, default=modeldef.DEFAULT_IMAGE_SIZE)
    _option(parser, "num-workers", type=non_negative_int, default=min(4, os.cpu_count() or 1))
    _option(parser, "amp", type=str2bool, default=True, help="mixed precision on GPUs")
    _option(parser, "pin-memory", type=str2bool, default=True, help="pinned batches on GPUs")
    _option(parser, "seed", type=int, default=42)
    for name, default, help_text in (
        ("data-dir", data_dir, "folder holding train/ valid/ test/"),
        ("model-dir", model_dir, "where model.pth, classes.json and code/ are written"),
        ("checkpoint-dir", checkpoint_dir, "where per-epoch checkpoints are written"),
    ):
        _option(parser, name, type=Path, default=default, required=default is None, help=help_text)
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Parse, ignoring only the hyperparameters SageMaker itself adds.

    Tuning jobs add ``_tuning_objective_metric`` and the SDK adds ``sagemaker_*`` keys; any other
    unknown option is a typo and fails the job at once rather than training with defaults.
    """
    args, unknown = parser.parse_known_args(list(argv))
    stray = []
    platform = {}
    index = 0
    while index < len(unknown):
        token = unknown[index]
        if token.startswith(("--_", "--sagemaker_", "--sagemaker-")):
            LOG.info("ignoring platform hyperparameter %s", token)
            has_value = index + 1 < len(unknown) and not unknown[index + 1].startswith("--")
            platform[token[2:]] = unknown[index + 1] if has_value else ""
            index += 2 if has_value else 1
            continue
        stray.append(token)
        index += 1
    if stray:
        parser.error(f"unrecognized arguments: {' '.join(stray)}")
    args.platform = platform
    return args


# The hyperparameter a tuning job adds to each of its training jobs; SageMaker's TensorFlow
# training toolkit keys on it the same way to tell trials apart
# (https://github.com/aws/sagemaker-tensorflow-training-toolkit/pull/179).
TUNING_HYPERPARAMETER = "_tuning_objective_metric"


def trial_checkpoint_dir(args: argparse.Namespace, environ) -> Path:
    """The checkpoint folder of this run: a tuning trial's own subfolder, else the one given.

    A tuning job's training jobs share one CheckpointConfig: the API reference
    (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HyperParameterTrainingJobDefinition.html)
    gives the definition a single ``S3Uri`` and, unlike the model output, promises no
    per-job folder under it. A trial therefore keeps its checkpoints under its own training job
    name (``TRAINING_JOB_NAME``, set in every SageMaker training container), so a restarted
    spot trial resumes its own weights and never another trial's.
    """
    job = environ.get("TRAINING_JOB_NAME", "")
    if TUNING_HYPERPARAMETER in getattr(args, "platform", {}) and job:
        return Path(args.checkpoint_dir) / job
    return Path(args.checkpoint_dir)


def sagemaker_paths(environ) -> dict:
    """Default paths inside a SageMaker training container, from its environment."""
    in_sagemaker = "SM_MODEL_DIR" in environ or "SM_TRAINING_ENV" in environ
    return {
        "data_dir": environ.get("SM_CHANNEL_TRAINING"),
        "model_dir": environ.get("SM_MODEL_DIR"),
        "checkpoint_dir": SAGEMAKER_CHECKPOINT_DIR if in_sagemaker else None,
    }


# ---------------------------------------------------------------------------------------------
# Data


def is_readable_image(path: str) -> bool:
    """Scan-time check: PIL can identify and verify the file. Warn and skip otherwise."""
    try:
        with Image.open(path) as image:
            image.verify()
        return True
    except Exception as error:  # PIL raises many types for bad files; all mean "skip it"
        LOG.warning("skipping unreadable image %s: %s", path, error)
        return False


def load_rgb(path: str) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


class ImageFolderSkippingBad(datasets.ImageFolder):
    """ImageFolder that validates files on scan and skips files that still fail on load.

    ``verify()`` does not decode pixels, so a truncated JPEG can pass the scan; such a sample
    is dropped from its batch (with a warning) instead of ending the job.
    """

    def __init__(self, root, transform, class_to_idx=None):
        self._fixed_classes = class_to_idx
        super().__init__(
            str(root), transform=transform, loader=load_rgb, is_valid_file=is_readable_image
        )

    def find_classes(self, directory):
        found, _ = super().find_classes(directory)
        if self._fixed_classes is None:
            return found, {name: index for index, name in enumerate(found)}
        extra = sorted(set(found) - set(self._fixed_classes))
        if extra:
            raise ValueError(f"{directory} has classes not in train/: {', '.join(extra)}")
        names = sorted(self._fixed_classes, key=self._fixed_classes.get)
        return names, dict(self._fixed_classes)

    def __getitem__(self, index):
        try:
            return super().__getitem__(index)
        except Exception as error:  # decode errors surface here, after the scan
            LOG.warning("skipping image that failed to load %s: %s", self.samples[index][0], error)
            return None


def collate_skipping_none(batch):
    batch = [item for item in batch if item is not None]
    if not batch:
        return None
    return torch.utils.data.default_collate(batch)


def _ignore_sigterm_in_worker(_worker_id: int) -> None:
    # DataLoader workers share the process group; the main process handles SIGTERM and shuts
    # them down, so a worker must not die first and turn a clean stop into a crash.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def load_datasets(data_dir: Path, image_size: int) -> dict:
    for split in SPLITS:
        if not (data_dir / split).is_dir():
            raise FileNotFoundError(f"expected {data_dir / split}/ with one folder per class")
    train = ImageFolderSkippingBad(data_dir / "train", modeldef.train_transform(image_size))
    evaluation = modeldef.eval_transform(image_size)
    return {
        "train": train,
        "valid": ImageFolderSkippingBad(data_dir / "valid", evaluation, train.class_to_idx),
        "test": ImageFolderSkippingBad(data_dir / "test", evaluation, train.class_to_idx),
    }


class ShardSampler(DistributedSampler):
    """A DistributedSampler for evaluation: every sample exactly once across the ranks.

    The stock sampler pads the shards to equal length with repeated samples, which training
    needs (every rank must take as many steps) but which would count some images twice in the
    validation and test scores. Evaluation runs no collective per batch, so shards may differ
    by one sample.
    """

    def __init__(self, dataset, num_replicas: int, rank: int):
        super().__init__(dataset, num_replicas=num_replicas, rank=rank, shuffle=False)
        self.num_samples = len(range(rank, len(dataset), num_replicas))

    def __iter__(self):
        return iter(range(self.rank, len(self.dataset), self.num_replicas))


def make_loader(dataset, args, cluster: "Cluster", train: bool) -> DataLoader:
    """Batches of this process's shard: shuffled per epoch for training (set the sampler's
    epoch), in order for evaluation. Pinned memory and worker processes on request."""
    if train:
        sampler = DistributedSampler(
            dataset, num_replicas=cluster.world_size, rank=cluster.rank, shuffle=True,
            seed=args.seed,
        )
    else:
        sampler = ShardSampler(dataset, cluster.world_size, cluster.rank)
    return DataLoader(
        dataset,
        batch_size=args.batch_size,
        sampler=sampler,
        num_workers=args.num_workers,
        collate_fn=collate_skipping_none,
        pin_memory=args.pin_memory and cluster.device.type == "cuda",
        worker_init_fn=_ignore_sigterm_in_worker,
        persistent_workers=args.num_workers > 0,
    )


# ---------------------------------------------------------------------------------------------
# Metrics


@dataclass
class Scores:
    loss: float
    accuracy: float
    samples: int


class Totals:
    """Per-sample averages: sum(loss * batch size) / samples and correct / samples.

    Averaging per batch, or dividing by the batch count, would make the metric depend on the
    batch size, which the tuner varies.
    """

    def __init__(self):
        self.loss_sum = 0.0
        self.correct = 0
        self.samples = 0

    def add(self, mean_loss: float, logits: torch.Tensor, labels: torch.Tensor) -> None:
        count = labels.size(0)
        self.loss_sum += mean_loss * count
        self.correct += int((logits.argmax(dim=1) == labels).sum().item())
        self.samples += count

    def scores(self) -> Scores:
        if self.samples == 0:
            return Scores(float("nan"), float("nan"), 0)
        return Scores(self.loss_sum / self.samples, self.correct / self.samples, self.samples)


def format_epoch_line(epoch: int, train: Scores, valid: Scores) -> str:
    """One line per epoch; the regexes in metric_definitions.json parse it."""
    return (
        f"epoch={epoch} train_loss={train.loss:.6f} train_accuracy={train.accuracy:.6f} "
        f"valid_loss={valid.loss:.6f} valid_accuracy={valid.accuracy:.6f}"
    )


def format_final_line(selected_epoch: int, valid: Scores, test: Scores) -> str:
    """Last metrics line: the saved model's validation scores again, then its test scores.

    Tuning reads the last value of its objective, so repeating the selected model's
    ``valid_accuracy`` here makes the tuner compare exactly the models that were saved.
    """
    return (
        f"final selected_epoch={selected_epoch} valid_loss={valid.loss:.6f} "
        f"valid_accuracy={valid.accuracy:.6f} test_loss={test.loss:.6f} "
        f"test_accuracy={test.accuracy:.6f}"
    )


def emit(line: str) -> None:
    print(line, flush=True)


# ---------------------------------------------------------------------------------------------
# Stopping on SIGTERM


class StopRequested(Exception):
    """Raised between batches once SIGTERM has arrived."""


class StopFlag:
    """SIGTERM only sets a flag; the loop checks it between batches.

    Saving from inside the handler could capture weights half way through an optimizer step.
    """

    def __init__(self):
        self.requested = False

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum, _frame) -> None:
        self.requested = True
        LOG.warning("received signal %d: stopping after the current batch", signum)

    def check(self) -> None:
        if self.requested:
            raise StopRequested()


# ---------------------------------------------------------------------------------------------
# Processes


class Cluster:
    """This process's place among the training processes, and the collectives they share.

    One process alone (no launcher) is a cluster of one: every collective is then a no-op, so
    the training loop has a single code path.
    """

    def __init__(self, rank: int, world_size: int, local_rank: int, device: torch.device):
        self.rank = rank
        self.world_size = world_size
        self.local_rank = local_rank
        self.device = device

    @classmethod
    def alone(cls) -> "Cluster":
        return cls(0, 1, 0, torch.device("cuda" if torch.cuda.is_available() else "cpu"))

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def any(self, *flags: bool) -> List[bool]:
        """Each flag, true on every rank when it is true on any rank.

        The ranks must take the same decisions at the same step (stop now, skip this batch):
        a rank that leaves the loop alone leaves the others waiting in a collective forever.
        """
        if not self.distributed:
            return [bool(flag) for flag in flags]
        values = torch.tensor([float(bool(flag)) for flag in flags], device=self.device)
        dist.all_reduce(values, op=dist.ReduceOp.MAX)
        return [value > 0 for value in values.tolist()]

    def sum(self, values: Sequence[float]) -> List[float]:
        if not self.distributed:
            return list(values)
        tensor = torch.tensor(list(values), dtype=torch.float64, device=self.device)
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        return tensor.tolist()

    def broadcast(self, obj):
        """Rank 0's object on every rank."""
        if not self.distributed:
            return obj
        holder = [obj if self.is_main else None]
        dist.broadcast_object_list(holder, src=0)
        return holder[0]

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()

    def close(self) -> None:
        if self.distributed and dist.is_initialized():
            dist.destroy_process_group()


def join_cluster(environ=None) -> Cluster:
    """Join the process group torchrun describes in the environment, or run alone.

    NCCL between GPUs, gloo on CPUs (https://pytorch.org/docs/stable/distributed.html#backends).
    Each process drives the GPU of its ``LOCAL_RANK`` on its host.
    """
    environ = os.environ if environ is None else environ
    world_size = int(environ.get("WORLD_SIZE", "1"))
    rank = int(environ.get("RANK", "0"))
    local_rank = int(environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    if world_size > 1:
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
        LOG.info("rank=%d of world_size=%d joined (%s)", rank, world_size, dist.get_backend())
    return Cluster(rank, world_size, local_rank, device)


# ---------------------------------------------------------------------------------------------
# Training and evaluation


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def make_optimizer(params, args) -> torch.optim.Optimizer:
    if args.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=args.learning_rate, momentum=args.momentum, weight_decay=args.weight_decay
        )
    if args.optimizer == "adam":
        return torch.optim.Adam(params, lr=args.learning_rate, weight_decay=args.weight_decay)
    return torch.optim.AdamW(params, lr=args.learning_rate, weight_decay=args.weight_decay)


def make_scheduler(optimizer, args):
    if args.lr_schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    return None


def trainable_parameters(model: nn.Module, freeze_backbone: bool) -> List[nn.Parameter]:
    if freeze_backbone:
        for name, param in model.named_parameters():
            param.requires_grad = name.startswith("fc.")
    return [param for param in model.parameters() if param.requires_grad]


class Precision:
    """Mixed precision on GPUs: float16 autocast with a gradient scaler
    (https://pytorch.org/docs/stable/notes/amp_examples.html). Off, both are pass-throughs."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.scaler = torch.cuda.amp.GradScaler(enabled=enabled)

    def autocast(self):
        if not self.enabled:
            return contextlib.nullcontext()
        return torch.autocast(device_type="cuda", dtype=torch.float16)

    def step(self, loss, optimizer) -> None:
        self.scaler.scale(loss).backward()
        self.scaler.step(optimizer)
        self.scaler.update()


def reduce_scores(totals: "Totals", cluster: Cluster) -> Scores:
    """Scores over every rank's samples: the sums are added up, then divided once."""
    loss_sum, correct, samples = cluster.sum([totals.loss_sum, totals.correct, totals.samples])
    whole = Totals()
    whole.loss_sum, whole.correct, whole.samples = loss_sum, int(correct), int(samples)
    return whole.scores()


def train_one_epoch(model, loader, criterion, optimizer, cluster, stop, precision) -> Scores:
    """One pass over this rank's shard. Every rank takes the same number of steps: the
    sampler gives equal shards, and a stop or an empty batch is agreed before each step."""
    model.train()
    totals = Totals()
    for batch in loader:
        stopping, skipping = cluster.any(stop.requested, batch is None)
        if stopping:
            raise StopRequested()
        if skipping:
            continue
        inputs = batch[0].to(cluster.device, non_blocking=True)
        labels = batch[1].to(cluster.device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        with precision.autocast():
            logits = model(inputs)
            loss = criterion(logits, labels)
        precision.step(loss, optimizer)
        totals.add(loss.item(), logits.detach(), labels)
    if cluster.any(stop.requested)[0]:
        raise StopRequested()
    return reduce_scores(totals, cluster)


def evaluate(network, loader, criterion, cluster, stop, precision) -> Scores:
    """Scores of the plain network (never the DDP wrapper, so no collective runs per batch)
    on this rank's shard, then summed over the ranks."""
    network.eval()
    totals = Totals()
    with torch.no_grad():
        for batch in loader:
            if not cluster.distributed:
                stop.check()
            if batch is None:
                continue
            inputs = batch[0].to(cluster.device, non_blocking=True)
            labels = batch[1].to(cluster.device, non_blocking=True)
            with precision.autocast():
                logits = network(inputs)
                loss = criterion(logits, labels)
            totals.add(loss.item(), logits.float(), labels)
    if cluster.any(stop.requested)[0]:
        raise StopRequested()
    return reduce_scores(totals, cluster)


def is_better(candidate: Scores, best: Optional[dict]) -> bool:
    """Select on validation accuracy, ties broken by lower validation loss."""
    if best is None:
        return True
    if candidate.accuracy != best["valid_accuracy"]:
        return candidate.accuracy > best["valid_accuracy"]
    return candidate.loss < best["valid_loss"]


def cpu_state(model: nn.Module) -> dict:
    return {key: value.detach().cpu().clone() for key, value in model.state_dict().items()}


# ---------------------------------------------------------------------------------------------
# Checkpoints


def atomic_torch_save(obj, path: Path) -> None:
    """Write to a temporary file in the same folder, then rename over the target.

    A reader (or SageMaker's checkpoint sync) never sees a half-written file under the final
    name.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(obj, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, FILE_MODE)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp_name, FILE_MODE)
    os.replace(tmp_name, path)


def checkpoint_path(checkpoint_dir: Path, epochs_done: int) -> Path:
    return checkpoint_dir / f"{CHECKPOINT_PREFIX}{epochs_done:04d}.pth"


def list_checkpoints(checkpoint_dir: Path) -> List[Path]:
    """Newest first, by the completed-epoch count in the name."""
    if not checkpoint_dir.is_dir():
        return []
    found = [
        path
        for path in checkpoint_dir.glob(f"{CHECKPOINT_PREFIX}*.pth")
        if path.stem[len(CHECKPOINT_PREFIX):].isdigit()
    ]
    return sorted(found, key=lambda path: int(path.stem[len(CHECKPOINT_PREFIX):]), reverse=True)


def save_checkpoint(checkpoint_dir: Path, state: dict) -> Path:
    path = checkpoint_path(checkpoint_dir, state["epochs_done"])
    atomic_torch_save(state, path)
    for old in list_checkpoints(checkpoint_dir)[CHECKPOINTS_KEPT:]:
        old.unlink(missing_ok=True)
    return path


def load_latest_checkpoint(checkpoint_dir: Path) -> Optional[dict]:
    """The newest checkpoint that loads; a damaged one is reported and the next tried."""
    for path in list_checkpoints(checkpoint_dir):
        try:
            # Full unpickling: checkpoints hold floats and optimizer state, which torch 1.13's
            # weights-only loader refuses; they come from this code's own checkpoint location.
            state = torch.load(path, map_location="cpu", weights_only=False)
        except Exception as error:
            LOG.warning("ignoring unreadable checkpoint %s: %s", path, error)
            continue
        state["path"] = str(path)
        return state
    return None


def check_resumable(state: dict, args: argparse.Namespace, classes: List[str]) -> None:
    """Refuse to resume a run whose network or data no longer match."""
    saved = state["args"]
    for key in ("arch", "image_size", "freeze_backbone"):
        if saved.get(key) != getattr(args, key):
            raise ValueError(
                f"checkpoint {state['path']} was made with {key}={saved.get(key)!r}, this run has "
                f"{key}={getattr(args, key)!r}; use another --checkpoint-dir or remove it"
            )
    if state["classes"] != classes:
        raise ValueError(
            f"checkpoint {state['path']} was made for different classes; use another "
            "--checkpoint-dir or remove it"
        )


# ---------------------------------------------------------------------------------------------
# Model artifacts


def save_model_artifacts(model_dir: Path, state_dict: dict, classes, arch, image_size) -> None:
    """Write what model_fn needs, in the layout of SageMaker's model.tar.gz.

    ``model.pth`` (state dict), ``classes.json`` (names in index order), ``model_config.json``
    and ``code/`` with the inference handler, so the PyTorch serving container finds
    ``code/inference.py`` without repackaging.
    """
    model_dir.mkdir(parents=True, exist_ok=True)
    atomic_torch_save(state_dict, model_dir / modeldef.MODEL_WEIGHTS_FILE)
    atomic_write_text(model_dir / modeldef.CLASSES_FILE, json.dumps(classes, indent=1) + "\n")
    config = modeldef.model_config(arch, len(classes), image_size)
    atomic_write_text(model_dir / modeldef.MODEL_CONFIG_FILE, json.dumps(config, indent=1) + "\n")
    code_dir = model_dir / "code"
    code_dir.mkdir(exist_ok=True)
    for name in SERVING_FILES:
        shutil.copy2(HERE / name, code_dir / name)


# ---------------------------------------------------------------------------------------------
# The run


def describe_args(args: argparse.Namespace) -> dict:
    return {
        key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()
    }


def run(
    args: argparse.Namespace, stop: Optional[StopFlag] = None, cluster: Optional[Cluster] = None
) -> dict:
    """Train, resuming from the newest checkpoint, then write the model. Returns final scores.

    Every rank trains; only rank 0 prints metrics and writes checkpoints and the model. Raises
    :class:`StopRequested` (on every rank, at the same step) after rank 0 has written a
    checkpoint when SIGTERM arrives.
    """
    stop = stop or StopFlag()
    cluster = cluster or Cluster.alone()
    main_rank = cluster.is_main
    data = load_datasets(args.data_dir, args.image_size)
    classes = list(data["train"].classes)
    LOG.info(
        "rank=%d device=%s classes=%d train=%d valid=%d test=%d",
        cluster.rank, cluster.device, len(classes), len(data["train"]), len(data["valid"]),
        len(data["test"]),
    )

    # Rank 0 picks the checkpoint and hands it to all: every rank resumes the same state, even
    # on hosts whose checkpoint folder holds nothing.
    resume = cluster.broadcast(load_latest_checkpoint(args.checkpoint_dir) if main_rank else None)
    if resume is not None:
        check_resumable(resume, args, classes)
    seed_everything(args.seed)
    # With a checkpoint to resume, the ImageNet weights would be overwritten at once: skip them.
    network = modeldef.build_model(args.arch, len(classes), args.pretrained and resume is None)
    network.to(cluster.device)
    optimizer = make_optimizer(trainable_parameters(network, args.freeze_backbone), args)
    scheduler = make_scheduler(optimizer, args)
    precision = Precision(args.amp and cluster.device.type == "cuda")
    criterion = nn.CrossEntropyLoss()

    epochs_done, best = 0, None
    if resume is not None:
        network.load_state_dict(resume["model"])
        optimizer.load_state_dict(resume["optimizer"])
        if scheduler is not None and resume.get("scheduler") is not None:
            scheduler.load_state_dict(resume["scheduler"])
        if precision.enabled and resume.get("scaler"):
            precision.scaler.load_state_dict(resume["scaler"])
        epochs_done, best = resume["epochs_done"], resume["best"]
        if best is not None and best["model"] is None:
            best["model"] = resume["model"]
        LOG.info("rank=%d resumed checkpoint=%s epochs_done=%d", cluster.rank, resume["path"],
                 epochs_done)
        if main_rank:
            emit(f"resumed checkpoint={resume['path']} epochs_done={epochs_done}")
    # Augmentations differ per rank; the weights do not: DDP copies rank 0's at wrapping.
    seed_everything(args.seed + cluster.rank)
    if cluster.distributed:
        device_ids = [cluster.local_rank] if cluster.device.type == "cuda" else None
        model = DistributedDataParallel(network, device_ids=device_ids)
    else:
        model = network

    def snapshot(at_epoch_end: bool) -> dict:
        # When the epoch just finished is the best so far, its weights are the model's own:
        # storing them once keeps checkpoints (and their S3 sync) a third smaller.
        same = at_epoch_end and best is not None and best["epoch"] == epochs_done
        return {
            "epochs_done": epochs_done,
            "model": cpu_state(network),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict() if scheduler is not None else None,
            "scaler": precision.scaler.state_dict() if precision.enabled else None,
            "best": dict(best, model=None) if same else best,
            "classes": classes,
            "args": describe_args(args),
        }

    def save(at_epoch_end: bool) -> Optional[Path]:
        path = save_checkpoint(args.checkpoint_dir, snapshot(at_epoch_end)) if main_rank else None
        # Nobody moves on (or exits) before the checkpoint is whole.
        cluster.barrier()
        return path

    train_loader = make_loader(data["train"], args, cluster, train=True)
    valid_loader = make_loader(data["valid"], args, cluster, train=False)
    try:
        while epochs_done < args.epochs:
            epoch = epochs_done + 1
            train_loader.sampler.set_epoch(epoch)
            started, cpu_started = time.perf_counter(), time.process_time()
            train_scores = train_one_epoch(
                model, train_loader, criterion, optimizer, cluster, stop, precision
            )
            seconds = time.perf_counter() - started
            if main_rank:
                LOG.info(
                    "epoch=%d train_images=%d train_seconds=%.3f train_cpu_seconds=%.3f "
                    "images_per_second=%.1f", epoch, train_scores.samples, seconds,
                    time.process_time() - cpu_started, train_scores.samples / max(seconds, 1e-9),
                )
            valid_scores = evaluate(network, valid_loader, criterion, cluster, stop, precision)
            if scheduler is not None:
                scheduler.step()
            if is_better(valid_scores, best):
                best = {
                    "epoch": epoch,
                    "valid_loss": valid_scores.loss,
                    "valid_accuracy": valid_scores.accuracy,
                    "model": cpu_state(network),
                }
            epochs_done = epoch
            save(at_epoch_end=True)
            if main_rank:
                emit(format_epoch_line(epoch, train_scores, valid_scores))

        network.load_state_dict(best["model"])
        test_scores = evaluate(
            network, make_loader(data["test"], args, cluster, train=False), criterion, cluster,
            stop, precision,
        )
    except StopRequested:
        # Weights may be part-way through an epoch; resuming repeats that epoch from here.
        path = save(at_epoch_end=False)
        if main_rank:
            emit(f"interrupted checkpoint={path} epochs_done={epochs_done}")
        raise

    result = {
        "selected_epoch": best["epoch"],
        "valid_loss": best["valid_loss"],
        "valid_accuracy": best["valid_accuracy"],
        "test_loss": test_scores.loss,
        "test_accuracy": test_scores.accuracy,
    }
    if main_rank:
        save_model_artifacts(args.model_dir, best["model"], classes, args.arch, args.image_size)
        selected = Scores(best["valid_loss"], best["valid_accuracy"], len(data["valid"]))
        emit(format_final_line(best["epoch"], selected, test_scores))
        atomic_write_text(args.model_dir / "metrics.json", json.dumps(result, indent=1) + "\n")
    cluster.barrier()
    return result


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def main(parser: argparse.ArgumentParser, argv: Sequence[str], after: Optional[Callable] = None):
    """Shared entry: parse, join the other processes (if any), train, run ``after(args)`` on
    rank 0 on success. Returns the exit code."""
    configure_logging()
    args = parse_args(parser, argv)
    args.checkpoint_dir = trial_checkpoint_dir(args, os.environ)
    stop = StopFlag()
    stop.install()
    cluster = join_cluster()
    try:
        run(args, stop, cluster)
    except StopRequested:
        return INTERRUPTED_EXIT_CODE
    finally:
        cluster.close()
    if after is not None and cluster.is_main:
        after(args)
    return 0
