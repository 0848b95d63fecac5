"""Inference handler for SageMaker's PyTorch serving container.

The container imports ``code/inference.py`` from the unpacked ``model.tar.gz`` and calls
``model_fn(model_dir)`` once, then ``input_fn(body, content_type)``, ``predict_fn(data, model)``
and ``output_fn(prediction, accept)`` per request
(https://github.com/aws/sagemaker-pytorch-inference-toolkit and
https://sagemaker.readthedocs.io/en/stable/frameworks/pytorch/using_pytorch.html). Image bodies
arrive as ``bytes``; JSON and CSV bodies would arrive decoded to ``str``, and are refused.

The container takes image bytes only and opens no connection: the Lambda handler fetches URLs
behind its own guard and posts the bytes, and prod runs the model with network isolation.

Answer: ``{"predictions": [{"label": ..., "index": ..., "probability": ...}, ...]}``, best first.
"""

import http
import io
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional

import torch
from PIL import Image

import modeldef

try:
    # Errors of this type answer with their own status code instead of 500 (the toolkit's
    # transformer.py, Transformer.transform). The serving containers ship the toolkit; the tests
    # and the EC2 host do not, so they get a stand-in with the same attributes.
    from sagemaker_inference.errors import BaseInferenceToolkitError
except ImportError:  # pragma: no cover - depends on the container

    class BaseInferenceToolkitError(Exception):
        def __init__(self, status_code, message, phrase):
            self.status_code = status_code
            self.message = message
            self.phrase = phrase
            super().__init__(status_code, message, phrase)


LOG = logging.getLogger(__name__)

JSON_TYPE = "application/json"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
IMAGE_TYPES = {
    "image/jpeg": (JPEG_MAGIC,),
    "image/png": (PNG_MAGIC,),
    "application/x-image": (JPEG_MAGIC, PNG_MAGIC),
}
TOP_K_ENV = "INFERENCE_TOP_K"
DEFAULT_TOP_K = 5
MAX_TOP_K = 1000
# Far above any photo a caller would send, far below what would exhaust a worker's memory.
MAX_PIXELS = 40_000_000


class InvalidInputError(ValueError):
    """The request cannot be answered: wrong content type, bad image, bad top-k or accept type."""


class UnsupportedContentTypeError(InvalidInputError, BaseInferenceToolkitError):
    """A body that is not image bytes: the serving toolkit answers it with 415."""

    def __init__(self, content_type):
        allowed = ", ".join(IMAGE_TYPES)
        message = f"unsupported content type {content_type!r}; send image bytes as {allowed}"
        status = http.HTTPStatus.UNSUPPORTED_MEDIA_TYPE
        BaseInferenceToolkitError.__init__(self, int(status), message, status.phrase)

    def __str__(self):
        return self.message


@dataclass
class LoadedModel:
    network: torch.nn.Module
    classes: List[str]
    transform: Callable
    device: torch.device
    top_k: int


@dataclass
class ImageRequest:
    image: Image.Image


def parse_top_k(value, source: str) -> int:
    if isinstance(value, bool):
        raise InvalidInputError(f"{source} must be an integer from 1 to {MAX_TOP_K}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{source} must be an integer from 1 to {MAX_TOP_K}") from None
    if not 1 <= number <= MAX_TOP_K or (isinstance(value, float) and value != number):
        raise InvalidInputError(f"{source} must be an integer from 1 to {MAX_TOP_K}")
    return number


def model_fn(model_dir):
    """Rebuild the network from model_config.json and load model.pth. Never downloads weights."""
    model_dir = Path(model_dir)
    config = modeldef.read_json(model_dir / modeldef.MODEL_CONFIG_FILE)
    classes = modeldef.read_json(model_dir / modeldef.CLASSES_FILE)
    if len(classes) != config["num_classes"]:
        raise ValueError(
            f"classes.json lists {len(classes)} classes, model_config.json says "
            f"{config['num_classes']}"
        )
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    network = modeldef.build_model(config["arch"], config["num_classes"], pretrained=False)
    state = modeldef.safe_torch_load(model_dir / modeldef.MODEL_WEIGHTS_FILE, device)
    network.load_state_dict(state)
    network.to(device).eval()
    top_k = parse_top_k(os.environ.get(TOP_K_ENV, DEFAULT_TOP_K), TOP_K_ENV)
    transform = modeldef.eval_transform(config["image_size"])
    return LoadedModel(network, classes, transform, device, top_k)


def decode_image(data: bytes, magics=(JPEG_MAGIC, PNG_MAGIC)) -> Image.Image:
    """Bytes to an RGB image, refusing anything but a readable JPEG or PNG of sane size.

    No byte cap here: InvokeEndpoint refuses bodies above its limit before they reach the
    container (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html);
    the pixel cap bounds the memory a small but huge-dimensioned image would take.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise InvalidInputError("image body must be bytes")
    if len(data) == 0:
        raise InvalidInputError("the request body is empty")
    if not any(bytes(data).startswith(magic) for magic in magics):
        raise InvalidInputError("body is not a JPEG or PNG image of the declared type")
    try:
        image = Image.open(io.BytesIO(data), formats=["JPEG", "PNG"])
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise InvalidInputError(f"image has {width * height} pixels, more than {MAX_PIXELS}")
        image.load()
        return image.convert("RGB")
    except InvalidInputError:
        raise
    except Exception as error:  # PIL raises several types for damaged data
        raise InvalidInputError(f"could not decode the image: {error}") from None


def _media_type(content_type: Optional[str]) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def input_fn(request_body, request_content_type):
    """Image bytes as ``image/jpeg``, ``image/png`` or ``application/x-image``; nothing else.

    Exactly two parameters: the toolkit passes its request context to a third one.
    """
    media_type = _media_type(request_content_type)
    if media_type not in IMAGE_TYPES:
        raise UnsupportedContentTypeError(request_content_type)
    return ImageRequest(decode_image(request_body, IMAGE_TYPES[media_type]))


def predict_fn(data: ImageRequest, model: LoadedModel) -> List[dict]:
    """Top-k classes with softmax probabilities, best first."""
    batch = model.transform(data.image).unsqueeze(0).to(model.device)
    with torch.no_grad():
        probabilities = torch.softmax(model.network(batch), dim=1)[0].cpu()
    k = min(model.top_k, len(model.classes))
    values, indices = torch.topk(probabilities, k)
    return [
        {"label": model.classes[index], "index": index, "probability": round(value, 6)}
        for value, index in zip(values.tolist(), indices.tolist())
    ]


def output_fn(prediction: List[dict], accept: Optional[str]) -> str:
    media_type = _media_type(accept)
    if media_type not in ("", "*/*", JSON_TYPE):
        raise InvalidInputError(f"unsupported accept type {accept!r}; use {JSON_TYPE}")
    return json.dumps({"predictions": prediction})
