"""Hyperparameters as SageMaker passes them, and the default paths of each layout."""

import argparse
from pathlib import Path

import pytest

import ec2_train
import trainer

SM_ENV = {
    "SM_CHANNEL_TRAINING": "/opt/ml/input/data/training",
    "SM_MODEL_DIR": "/opt/ml/model",
}


def sagemaker_parser(environ=SM_ENV):
    return trainer.build_parser("train.py", **trainer.sagemaker_paths(environ))


@pytest.mark.parametrize(
    "text,expected",
    [("true", True), ("True", True), ("1", True), ("yes", True),
     ("false", False), ("False", False), ("0", False), ("no", False)],
)
def test_booleans_parse_as_sagemaker_sends_them(text, expected):
    assert trainer.str2bool(text) is expected


def test_a_non_boolean_is_refused():
    with pytest.raises(argparse.ArgumentTypeError):
        trainer.str2bool("maybe")


def test_string_hyperparameters_and_sagemaker_default_paths():
    args = trainer.parse_args(
        sagemaker_parser(),
        ["--batch-size", "16", "--epochs", "3", "--learning-rate", "0.003",
         "--pretrained", "False", "--arch", "resnet18", "--optimizer", "adamw"],
    )
    assert (args.batch_size, args.epochs, args.learning_rate) == (16, 3, 0.003)
    assert args.pretrained is False and args.arch == "resnet18" and args.optimizer == "adamw"
    assert args.data_dir == Path("/opt/ml/input/data/training")
    assert args.model_dir == Path("/opt/ml/model")
    assert args.checkpoint_dir == Path("/opt/ml/checkpoints")


def test_defaults_are_the_production_model():
    args = trainer.parse_args(sagemaker_parser(), [])
    assert args.arch == "resnet50" and args.pretrained is True and args.image_size == 224


def test_underscore_spellings_and_checkpoint_override():
    args = trainer.parse_args(
        sagemaker_parser(), ["--batch_size", "8", "--checkpoint-dir", "/tmp/ckpt"]
    )
    assert args.batch_size == 8 and args.checkpoint_dir == Path("/tmp/ckpt")


def test_platform_hyperparameters_are_ignored_but_typos_fail():
    parser = sagemaker_parser()
    args = trainer.parse_args(
        parser, ["--_tuning_objective_metric", "valid_accuracy", "--epochs", "2",
                 "--sagemaker_program", "train.py"],
    )
    assert args.epochs == 2
    with pytest.raises(SystemExit):
        trainer.parse_args(parser, ["--learning-rat", "0.1"])


@pytest.mark.parametrize("bad", [["--epochs", "0"], ["--learning-rate", "-1"], ["--arch", "vgg"]])
def test_invalid_values_fail(bad):
    with pytest.raises(SystemExit):
        trainer.parse_args(sagemaker_parser(), bad)


def test_outside_sagemaker_paths_are_required():
    with pytest.raises(SystemExit):
        trainer.parse_args(sagemaker_parser({}), [])
    with pytest.raises(SystemExit):
        trainer.parse_args(ec2_train.build_parser(), ["--data-dir", "/data"])


def test_gpu_speed_switches_parse_and_default_on():
    args = trainer.parse_args(sagemaker_parser(), [])
    assert (args.amp, args.pin_memory) == (True, True)
    args = trainer.parse_args(sagemaker_parser(), ["--amp", "False", "--pin_memory", "false"])
    assert (args.amp, args.pin_memory) == (False, False)
    with pytest.raises(SystemExit):
        trainer.parse_args(sagemaker_parser(), ["--num-workers", "-1"])


def test_a_tuning_trial_checkpoints_under_its_own_job_name():
    trial = trainer.parse_args(
        sagemaker_parser(), ["--_tuning_objective_metric", "valid_accuracy"]
    )
    assert trial.platform == {"_tuning_objective_metric": "valid_accuracy"}
    env = {"TRAINING_JOB_NAME": "dbc-dev-tune-0123abc-003-9f1e2d3c"}
    assert trainer.trial_checkpoint_dir(trial, env) == Path(
        "/opt/ml/checkpoints/dbc-dev-tune-0123abc-003-9f1e2d3c"
    )
    # A plain training job already has its own checkpoint prefix; outside SageMaker no job name.
    job = trainer.parse_args(sagemaker_parser(), [])
    assert trainer.trial_checkpoint_dir(job, env) == Path("/opt/ml/checkpoints")
    assert trainer.trial_checkpoint_dir(trial, {}) == Path("/opt/ml/checkpoints")
