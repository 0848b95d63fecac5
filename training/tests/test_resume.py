"""A run stopped by SIGTERM after its first epoch resumes from its checkpoint."""

import signal
import subprocess
import sys

import torch

import ec2_train
import modeldef
import trainer
from conftest import SMALL_RUN, TRAINING_DIR, child_env, parse_metrics, run_script

EPOCHS = 3


def start_training(args, env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(TRAINING_DIR / "train.py"), *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_sigterm_checkpoints_and_the_rerun_resumes(dataset, tmp_path, metric_definitions):
    model_dir = tmp_path / "model"
    checkpoints = tmp_path / "checkpoints"
    env = child_env(
        {"SM_CHANNEL_TRAINING": str(dataset), "SM_MODEL_DIR": str(model_dir)}, tmp_path / "torch"
    )
    args = [*SMALL_RUN, "--epochs", str(EPOCHS), "--checkpoint-dir", str(checkpoints)]

    first = start_training(args, env)
    seen = []
    try:
        for line in first.stdout:
            seen.append(line.rstrip("\n"))
            if line.startswith("epoch=1 "):
                first.send_signal(signal.SIGTERM)  # what SageMaker sends on a spot interruption
                break
        seen.extend(first.stdout.read().splitlines())
        first.wait(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    stderr = first.stderr.read()
    assert first.returncode == trainer.INTERRUPTED_EXIT_CODE, stderr
    done_first = sum(line.startswith("epoch=") for line in seen)
    assert 1 <= done_first < EPOCHS
    assert seen[-1].startswith("interrupted checkpoint=")
    assert seen[-1].endswith(f"epochs_done={done_first}")
    assert not (model_dir / "model.pth").exists()
    assert (checkpoints / f"checkpoint-{done_first:04d}.pth").exists()
    assert not [path for path in checkpoints.iterdir() if path.name.endswith(".tmp")]

    second = run_script("train.py", args, env)
    assert second.returncode == 0, second.stderr
    lines = second.stdout.splitlines()
    assert lines[0].startswith("resumed checkpoint=")
    assert lines[0].endswith(f"epochs_done={done_first}")
    epochs_run = [int(line.split()[0][6:]) for line in lines if line.startswith("epoch=")]
    assert epochs_run == list(range(done_first + 1, EPOCHS + 1))
    found = parse_metrics(lines, metric_definitions)
    assert len(found["test_accuracy"]) == 1
    assert (model_dir / "model.pth").exists()


def test_a_damaged_newest_checkpoint_falls_back_to_the_previous(tmp_path, caplog):
    trainer.save_checkpoint(tmp_path, {"epochs_done": 1, "marker": "one"})
    trainer.save_checkpoint(tmp_path, {"epochs_done": 2, "marker": "two"})
    (tmp_path / "checkpoint-0002.pth").write_bytes(b"half an upload")
    state = trainer.load_latest_checkpoint(tmp_path)
    assert state["marker"] == "one"
    assert "ignoring unreadable checkpoint" in caplog.text


def test_only_the_newest_checkpoints_are_kept(tmp_path):
    for epoch in range(1, 5):
        trainer.save_checkpoint(tmp_path, {"epochs_done": epoch})
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "checkpoint-0003.pth", "checkpoint-0004.pth"
    ]


def test_best_weights_are_stored_once_and_restored_on_resume(dataset, tmp_path, capsys):
    def args_for(model_dir):
        return trainer.parse_args(ec2_train.build_parser(), [
            *SMALL_RUN, "--epochs", "1", "--data-dir", str(dataset),
            "--model-dir", str(model_dir), "--checkpoint-dir", str(tmp_path / "checkpoints"),
        ])

    torch.set_num_threads(1)
    trainer.run(args_for(tmp_path / "first"))
    state = torch.load(tmp_path / "checkpoints" / "checkpoint-0001.pth", weights_only=False)
    assert state["best"]["epoch"] == 1 and state["best"]["model"] is None

    trainer.run(args_for(tmp_path / "second"))
    assert "resumed checkpoint=" in capsys.readouterr().out
    first = modeldef.safe_torch_load(tmp_path / "first" / "model.pth")
    second = modeldef.safe_torch_load(tmp_path / "second" / "model.pth")
    assert first.keys() == second.keys()
    assert all(torch.equal(first[key], second[key]) for key in first)
