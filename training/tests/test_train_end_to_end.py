"""Train for real on the generated images, in the SageMaker layout and the EC2 layout."""

import json
import os
import shutil
import stat
import tarfile

import pytest

import inference
from conftest import CLASSES, SMALL_RUN, child_env, image_bytes, parse_metrics, run_script

EPOCHS = 2


@pytest.fixture(scope="module")
def sagemaker_run(dataset, tmp_path_factory):
    """/opt/ml-like folders, SM_* variables and string hyperparameters, as the container runs it."""
    opt_ml = tmp_path_factory.mktemp("opt_ml")
    model_dir = opt_ml / "model"
    model_dir.mkdir()
    env = child_env(
        {"SM_CHANNEL_TRAINING": str(dataset), "SM_MODEL_DIR": str(model_dir),
         "SM_CHANNELS": '["training"]', "SM_NUM_GPUS": "0"},
        tmp_home=opt_ml / "torch-home",
    )
    checkpoints = opt_ml / "checkpoints"
    # SageMaker passes every hyperparameter as "--name value"; platform keys included.
    args = [*SMALL_RUN, "--epochs", str(EPOCHS), "--checkpoint-dir", str(checkpoints),
            "--_tuning_objective_metric", "valid_accuracy"]
    result = run_script("train.py", args, env)
    return result, model_dir, checkpoints


def test_sagemaker_run_succeeds_and_prints_parseable_metrics(sagemaker_run, metric_definitions):
    result, _, _ = sagemaker_run
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines if line.startswith("epoch=")] == [
        f"epoch={n}" for n in range(1, EPOCHS + 1)
    ]
    found = parse_metrics(lines, metric_definitions)
    assert len(found["train_loss"]) == EPOCHS and len(found["train_accuracy"]) == EPOCHS
    assert len(found["valid_accuracy"]) == EPOCHS + 1  # each epoch, then the selected model
    assert len(found["test_accuracy"]) == 1 and len(found["test_loss"]) == 1
    for values in found.values():
        assert all(value >= 0 for value in values)
    for name in ("train_accuracy", "valid_accuracy", "test_accuracy"):
        assert all(value <= 1 for value in found[name])
    # The last valid_accuracy (what tuning reads) is the best one seen.
    assert found["valid_accuracy"][-1] == max(found["valid_accuracy"][:-1])


def test_sagemaker_run_skips_bad_files_and_trains_on_train_only(sagemaker_run):
    result, _, _ = sagemaker_run
    for name in ("broken.jpg", "notes.txt", "truncated.jpg"):
        assert "skipping unreadable image" in result.stderr and name in result.stderr
    assert "classes=3 train=24 valid=9 test=9" in result.stderr


def test_sagemaker_run_writes_the_model_folder(sagemaker_run):
    result, model_dir, checkpoints = sagemaker_run
    assert result.returncode == 0, result.stderr
    names = {path.relative_to(model_dir).as_posix() for path in model_dir.rglob("*")}
    assert {"model.pth", "classes.json", "model_config.json", "metrics.json", "code",
            "code/inference.py", "code/modeldef.py", "code/requirements.txt"} <= names
    assert {name for name in names if name.startswith("code/")} == {
        "code/inference.py", "code/modeldef.py", "code/architectures.json",
        "code/requirements.txt"}
    assert json.loads((model_dir / "classes.json").read_text()) == CLASSES
    config = json.loads((model_dir / "model_config.json").read_text())
    assert (config["arch"], config["num_classes"], config["image_size"]) == ("resnet18", 3, 64)
    assert stat.S_IMODE(os.stat(model_dir / "model.pth").st_mode) == 0o644
    assert sorted(path.name for path in checkpoints.iterdir()) == [
        "checkpoint-0001.pth", "checkpoint-0002.pth"
    ]


def test_trained_model_serves_jpeg_and_png(sagemaker_run, monkeypatch):
    _, model_dir, _ = sagemaker_run
    monkeypatch.delenv(inference.TOP_K_ENV, raising=False)
    model = inference.model_fn(str(model_dir))
    for content_type, body in (
        ("image/jpeg", image_bytes((200, 40, 40), "JPEG")),
        ("image/png", image_bytes((40, 40, 200), "PNG", mode="RGBA")),
    ):
        data = inference.input_fn(body, content_type)
        prediction = inference.predict_fn(data, model)
        answer = json.loads(inference.output_fn(prediction, "application/json"))
        predictions = answer["predictions"]
        assert [p["label"] for p in predictions] and len(predictions) == 3  # top 5 of 3 classes
        assert {p["label"] for p in predictions} == set(CLASSES)
        assert all(CLASSES[p["index"]] == p["label"] for p in predictions)
        probabilities = [p["probability"] for p in predictions]
        assert probabilities == sorted(probabilities, reverse=True)
        assert abs(sum(probabilities) - 1) < 1e-3


def test_rerun_of_a_finished_job_trains_no_more_and_writes_the_model(
    sagemaker_run, dataset, tmp_path
):
    """A job restarted after its last epoch (say, stopped while saving) only finishes up."""
    result, _, checkpoints = sagemaker_run
    assert result.returncode == 0, result.stderr
    shutil.copytree(checkpoints, tmp_path / "checkpoints")
    new_model_dir = tmp_path / "model"
    env = child_env(
        {"SM_CHANNEL_TRAINING": str(dataset), "SM_MODEL_DIR": str(new_model_dir)},
        tmp_home=tmp_path / "torch",
    )
    args = [*SMALL_RUN, "--epochs", str(EPOCHS), "--checkpoint-dir", str(tmp_path / "checkpoints")]
    again = run_script("train.py", args, env)
    assert again.returncode == 0, again.stderr
    lines = again.stdout.splitlines()
    assert lines[0].startswith("resumed checkpoint=") and lines[0].endswith(f"epochs_done={EPOCHS}")
    assert not [line for line in lines if line.startswith("epoch=")]
    assert lines[-1].startswith("final selected_epoch=")
    assert (new_model_dir / "model.pth").exists()


def test_ec2_run_trains_packs_and_uploads(dataset, tmp_path, metric_definitions):
    """Local paths, then --upload-to through the AWS CLI (a stand-in that records its call)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "aws-call.txt"
    fake_aws = bin_dir / "aws"
    fake_aws.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > "{record}"\n'
        f'cp "$3" "{tmp_path / "uploaded.tar.gz"}"\n'
    )
    fake_aws.chmod(0o755)
    env = child_env({"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}, tmp_path / "torch")
    model_dir = tmp_path / "work" / "model"
    args = [*SMALL_RUN, "--epochs", "1", "--data-dir", str(dataset),
            "--model-dir", str(model_dir), "--checkpoint-dir", str(tmp_path / "work" / "ckpt"),
            "--upload-to", "s3://example-bucket/models/ec2/"]
    result = run_script("ec2_train.py", args, env)
    assert result.returncode == 0, result.stderr
    found = parse_metrics(result.stdout.splitlines(), metric_definitions)
    assert len(found["train_loss"]) == 1 and len(found["test_accuracy"]) == 1
    assert "classes=3 train=24 valid=9 test=9" in result.stderr
    call = record.read_text().split()
    assert call[:2] == ["s3", "cp"] and call[3] == "s3://example-bucket/models/ec2/model.tar.gz"
    with tarfile.open(tmp_path / "uploaded.tar.gz") as tar:
        members = set(tar.getnames())
    assert {"model.pth", "classes.json", "model_config.json", "code/inference.py"} <= members
    assert "uploaded model=s3://example-bucket/models/ec2/model.tar.gz" in result.stdout
