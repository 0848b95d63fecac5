"""Model architecture and image preprocessing shared by training and inference.

Training and serving must build the same network and feed it the same pixels, so both import
this module. It is copied into ``model.tar.gz`` under ``code/`` next to ``inference.py``.
"""

import json
from pathlib import Path

import torch
from torch import nn
from torchvision import models, transforms

# The architectures, by name, that the stack config's ``trainingArch`` also allows: one list in
# ``architectures.json`` beside this module (shipped with the training code). Builders come from
# torchvision by the same name. The torchvision ``weights=`` API exists since torchvision 0.13, so
# the same call works on Debian's torchvision 0.14 and in SageMaker's torch 2.x containers.
ARCHITECTURES = {
    name: getattr(models, name)
    for name in json.loads((Path(__file__).parent / "architectures.json").read_text())
}

# ImageNet statistics: the pretrained backbones were trained on images normalised this way.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
DEFAULT_IMAGE_SIZE = 224

MODEL_WEIGHTS_FILE = "model.pth"
CLASSES_FILE = "classes.json"
MODEL_CONFIG_FILE = "model_config.json"
CONFIG_FORMAT_VERSION = 1


def build_model(arch: str, num_classes: int, pretrained: bool = False) -> nn.Module:
    """Return a ResNet with a fresh ``num_classes`` head.

    ``pretrained=False`` never touches the network; ``True`` loads the torchvision default
    ImageNet weights (downloaded once into the torch hub cache).
    """
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown arch {arch!r}; choose one of {', '.join(sorted(ARCHITECTURES))}")
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}")
    model = ARCHITECTURES[arch](weights="DEFAULT" if pretrained else None)
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model


def resize_size(image_size: int) -> int:
    """Shorter-side size before the centre crop: the usual 256/224 ratio."""
    return int(round(image_size * 256 / 224))


def train_transform(image_size: int) -> transforms.Compose:
    return transforms.Compose(
        [
            transforms.RandomResizedCrop(image_size),
            transforms.RandomHorizontalFlip(),
            transforms.ToTensor(),
            transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
        ]
    )


def eval_transform(image_size: int) -> transforms.Compose:
    return transforms.Compose(
        [
            transforms.Resize(resize_size(image_size)),
            transforms.CenterCrop(image_size),
            transforms.ToTensor(),
            transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
        ]
    )


def model_config(arch: str, num_classes: int, image_size: int) -> dict:
    """What inference needs to rebuild the network and its preprocessing."""
    return {
        "format_version": CONFIG_FORMAT_VERSION,
        "arch": arch,
        "num_classes": num_classes,
        "image_size": image_size,
        "resize_size": resize_size(image_size),
        "mean": list(IMAGENET_MEAN),
        "std": list(IMAGENET_STD),
    }


def read_json(path: Path):
    with Path(path).open("r", encoding="utf-8") as handle:
        return json.load(handle)


def safe_torch_load(path: Path, device="cpu"):
    """Load tensors, dicts, lists and plain values only, on torch 1.13 and 2.x alike.

    ``weights_only=True`` (torch >= 1.13) refuses arbitrary pickled objects, so a tampered
    file cannot run code; torch 2.6 made it the default.
    """
    return torch.load(path, map_location=device, weights_only=True)
