"""Data-parallel training: train.py under torchrun with two gloo processes, in the SageMaker
layout, stopped with SIGTERM after its first epoch and then resumed to the end."""

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import trainer
from conftest import SMALL_RUN, TRAINING_DIR, child_env, parse_metrics

EPOCHS = 3
RANKS = 2
# torch 1.13's torchrun turns its default "--redirects 0 --tee 0" into None on Python 3.11,
# whose IntFlag iteration skips the zero member, and then fails. A mapping that names no local
# rank of this run gives every rank the real "no redirect" value: output stays on the console.
TORCHRUN_STD_OPTIONS = ["--redirects", "9:0", "--tee", "9:0"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def torchrun(args, env) -> subprocess.Popen:
    """Debian's torch 1.13 ships torchrun as the torch.distributed.run module."""
    command = [
        sys.executable, "-m", "torch.distributed.run", *TORCHRUN_STD_OPTIONS, "--nnodes", "1",
        "--nproc_per_node", str(RANKS), "--master_addr", "127.0.0.1",
        "--master_port", str(free_port()), str(TRAINING_DIR / "tests" / "ddp_probe.py"), *args,
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def events(probe_dir: Path, rank: int) -> list:
    path = probe_dir / f"rank-{rank}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def train_reads_by_epoch(records) -> dict:
    epoch, reads = None, {}
    for event in records:
        if event["kind"] == "epoch":
            epoch = event["epoch"]
        elif event["kind"] == "read" and event["split"] == "train":
            reads.setdefault(epoch, []).append(event["path"])
    return reads


def wait(process: subprocess.Popen, timeout: float):
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
    return out, err


@pytest.fixture(scope="module")
def runs(dataset, tmp_path_factory):
    """First run: SIGTERM to torchrun once epoch 1 is printed. Second run: resume, finish."""
    root = tmp_path_factory.mktemp("ddp")
    model_dir, checkpoints = root / "model", root / "checkpoints"
    probes = [root / "probe-1", root / "probe-2"]
    for folder in probes:
        folder.mkdir()
    args = [*SMALL_RUN, "--epochs", str(EPOCHS), "--checkpoint-dir", str(checkpoints)]

    def env(probe_dir):
        return child_env({
            "SM_CHANNEL_TRAINING": str(dataset), "SM_MODEL_DIR": str(model_dir),
            "PROBE_DIR": str(probe_dir), "GLOO_SOCKET_IFNAME": "lo",
        }, root / "torch")

    first = torchrun(args, env(probes[0]))
    seen = []
    try:
        for line in first.stdout:  # bounded: the process ends, or the timeout below kills it
            seen.append(line.rstrip("\n"))
            if line.startswith("epoch=1 "):
                first.send_signal(signal.SIGTERM)  # torchrun passes it on to every rank
                break
    finally:
        out, err = wait(first, 120)
    seen.extend(out.splitlines())
    model_written_early = (model_dir / "model.pth").exists()

    second = torchrun(args, env(probes[1]))
    out2, err2 = wait(second, 180)
    return {
        "first": (first.returncode, seen, err), "second": (second.returncode, out2.splitlines(),
                                                          err2),
        "probes": probes, "model_dir": model_dir, "checkpoints": checkpoints,
        "model_written_early": model_written_early,
    }


def test_sigterm_stops_every_rank_at_the_same_step_with_one_checkpoint(runs):
    _, lines, err = runs["first"]
    interrupted = [line for line in lines if line.startswith("interrupted checkpoint=")]
    assert len(interrupted) == 1, err
    done = int(interrupted[0].rsplit("epochs_done=", 1)[1])
    assert 1 <= done < EPOCHS
    for rank in range(RANKS):
        exits = [e for e in events(runs["probes"][0], rank) if e["kind"] == "exit"]
        assert exits == [{"kind": "exit", "status": trainer.INTERRUPTED_EXIT_CODE}], err
    assert not runs["model_written_early"]


def test_ranks_train_on_disjoint_shards_that_cover_the_split(runs, dataset):
    every = {str(p) for p in (dataset / "train").rglob("*") if p.suffix in (".jpg", ".png",
                                                                           ".jpeg")}
    every.discard(str(dataset / "train" / "001.Affenpinscher" / "broken.jpg"))
    assert len(every) == 24
    _, lines, _ = runs["first"]
    done = int([line for line in lines if line.startswith("interrupted")][0].rsplit("=", 1)[1])
    checked = 0
    for run, probe in enumerate(runs["probes"]):
        per_rank = [train_reads_by_epoch(events(probe, rank)) for rank in range(RANKS)]
        for epoch in sorted(set(per_rank[0]) | set(per_rank[1])):
            first, second = per_rank[0].get(epoch, []), per_rank[1].get(epoch, [])
            assert not set(first) & set(second), f"epoch {epoch}: both ranks read a sample"
            if run == 1 or epoch <= done:  # an epoch that ran to its end
                assert len(first) == len(second) == len(every) // RANKS
                assert set(first) | set(second) == every
                checked += 1
    assert checked == EPOCHS
    # The shuffle differs per epoch: set_epoch reaches the sampler.
    second_run = train_reads_by_epoch(events(runs["probes"][1], 0))
    orders = [tuple(second_run[epoch]) for epoch in sorted(second_run)]
    assert len(orders) == len(set(orders))


def test_validation_shards_count_every_image_once(runs, dataset):
    every = {str(p) for p in (dataset / "valid").rglob("*") if p.name != "truncated.jpg"}
    every = {p for p in every if Path(p).is_file()}
    valid = [
        [e["path"] for e in events(runs["probes"][1], rank)
         if e["kind"] == "read" and e["split"] == "valid"]
        for rank in range(RANKS)
    ]
    epochs_run = EPOCHS - int(runs["second"][1][0].rsplit("=", 1)[1])
    # Every epoch reads the whole split once, split 5/4 between the ranks: no padding repeats.
    assert sorted(len(reads) for reads in valid) == [4 * epochs_run, 5 * epochs_run]
    assert not set(valid[0]) & set(valid[1])
    assert set(valid[0]) | set(valid[1]) == every


def test_only_rank_zero_writes_checkpoints_and_the_model(runs):
    for probe in runs["probes"]:
        assert not [e for e in events(probe, 1) if e["kind"] == "write"]
    written = {Path(e["path"]).name for probe in runs["probes"]
               for e in events(probe, 0) if e["kind"] == "write"}
    assert {"model.pth", "classes.json", "model_config.json", "metrics.json",
            "inference.py"} <= written
    assert any(name.startswith("checkpoint-") for name in written)


def test_both_ranks_resume_from_the_same_checkpoint_and_finish(runs):
    _, first_lines, _ = runs["first"]
    done = int([line for line in first_lines if line.startswith("interrupted")][0]
               .rsplit("=", 1)[1])
    status, lines, err = runs["second"]
    assert status == 0, err
    resumed = sorted(line.split("rank=", 1)[1] for line in err.splitlines()
                     if " resumed checkpoint=" in line)
    assert len(resumed) == RANKS, err
    paths = {line.split("checkpoint=", 1)[1] for line in resumed}
    assert len(paths) == 1 and paths.pop().endswith(f"checkpoint-{done:04d}.pth epochs_done={done}")
    assert [line for line in lines if line.startswith("resumed ")] == [
        f"resumed checkpoint={runs['checkpoints'] / f'checkpoint-{done:04d}.pth'} "
        f"epochs_done={done}"
    ]
    assert (runs["model_dir"] / "model.pth").exists()


def test_metrics_lines_appear_once_per_epoch_and_parse(runs, metric_definitions):
    _, lines, _ = runs["second"]
    _, first_lines, _ = runs["first"]
    all_lines = first_lines + lines
    epochs = [line.split()[0] for line in all_lines if line.startswith("epoch=")]
    # Each epoch printed once, by rank 0, over both runs: the stopped epoch is repeated by the
    # second run but was never printed by the first.
    assert epochs == [f"epoch={n}" for n in range(1, EPOCHS + 1)]
    found = parse_metrics(lines, metric_definitions)
    assert len(found["test_accuracy"]) == 1 and len(found["test_loss"]) == 1
    assert found["valid_accuracy"][-1] == max(found["valid_accuracy"][:-1] + [
        v for v in parse_metrics(first_lines, metric_definitions)["valid_accuracy"]])
    assert sum(line.startswith("final ") for line in lines) == 1


def test_evaluation_shards_take_every_sample_once_and_training_shards_are_even():
    dataset = list(range(9))
    shards = [list(trainer.ShardSampler(dataset, 2, rank)) for rank in range(2)]
    assert sorted(shards[0] + shards[1]) == dataset
    assert [len(trainer.ShardSampler(dataset, 2, rank)) for rank in range(2)] == [5, 4]
    # Training shards are padded to equal length (equal steps), and reshuffled per epoch.
    args = type("Args", (), {"seed": 42, "batch_size": 2, "num_workers": 0, "pin_memory": True})
    cpu = trainer.Cluster.alone().device
    loaders = [trainer.make_loader(dataset, args, trainer.Cluster(rank, 2, rank, cpu), True)
               for rank in range(2)]
    orders = {}
    for epoch in (1, 2):
        for loader in loaders:
            loader.sampler.set_epoch(epoch)
        orders[epoch] = [list(loader.sampler) for loader in loaders]
        assert [len(order) for order in orders[epoch]] == [5, 5]
        assert set(orders[epoch][0]) | set(orders[epoch][1]) == set(dataset)
    assert orders[1] != orders[2]
