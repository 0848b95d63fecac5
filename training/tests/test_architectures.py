"""The architectures the training code builds are the list in architectures.json, which the stack
config's ``trainingArch`` also reads, and the serving code ships it beside modeldef.py."""

import json
from pathlib import Path

import modeldef
import trainer

TRAINING_DIR = Path(__file__).resolve().parent.parent


def test_architectures_come_from_the_shared_list():
    names = json.loads((TRAINING_DIR / "architectures.json").read_text())
    assert list(modeldef.ARCHITECTURES) == names
    assert "resnet50" in names and "resnet18" in names


def test_every_listed_architecture_has_a_builder():
    for name, build in modeldef.ARCHITECTURES.items():
        assert callable(build), name


def test_the_serving_code_ships_the_list_beside_modeldef():
    assert "architectures.json" in trainer.SERVING_FILES
    assert "modeldef.py" in trainer.SERVING_FILES
