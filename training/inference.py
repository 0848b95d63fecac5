"""Inference handler for SageMaker's PyTorch serving container.

The container imports ``code/inference.py`` from the unpacked ``model.tar.gz`` and calls
``model_fn(model_dir)`` once, then ``input_fn(body, content_type)``, ``predict_fn(data, model)``
and ``output_fn(prediction, accept)`` per request
(https://github.com/aws/sagemaker-pytorch-inference-toolkit and
https://sagemaker.readthedocs.io/en/stable/frameworks/pytorch/using_pytorch.html). JSON bodies
arrive already decoded to ``str``; image bodies arrive as ``bytes``.

Answer: ``{"predictions": [{"label": ..., "index": ..., "probability": ...}, ...]}``, best first.
"""

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
import urlguard

LOG = logging.getLogger(__name__)

JSON_TYPE = "application/json"
IMAGE_TYPES = {
    "image/jpeg": (urlguard.JPEG_MAGIC,),
    "image/png": (urlguard.PNG_MAGIC,),
    "application/x-image": (urlguard.JPEG_MAGIC, urlguard.PNG_MAGIC),
}
TOP_K_ENV = "INFERENCE_TOP_K"
DEFAULT_TOP_K = 5
MAX_TOP_K = 1000
# Far above any photo a caller would send, far below what would exhaust a worker's memory.
MAX_PIXELS = 40_000_000


class InvalidInputError(ValueError):
    """The request cannot be answered: wrong content type, bad JSON, bad or refused image."""


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
    top_k: Optional[int] = None


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


def decode_image(data: bytes, magics=(urlguard.JPEG_MAGIC, urlguard.PNG_MAGIC)) -> Image.Image:
    """Bytes to an RGB image, refusing anything but a readable JPEG or PNG of sane size."""
    if not isinstance(data, (bytes, bytearray)):
        raise InvalidInputError("image body must be bytes")
    if len(data) > urlguard.MAX_IMAGE_BYTES:
        raise InvalidInputError(f"image is larger than {urlguard.MAX_IMAGE_BYTES} bytes")
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
    """Image bytes, or JSON ``{"url": "https://...", "top_k": 3}`` fetched behind the URL guard.

    Exactly two parameters: the toolkit passes its request context to a third one.
    """
    return parse_request(request_body, request_content_type, urlguard.fetch_image)


def parse_request(request_body, request_content_type, fetch) -> ImageRequest:
    """input_fn with the URL fetcher as a parameter, so tests can serve images locally."""
    media_type = _media_type(request_content_type)
    if media_type in IMAGE_TYPES:
        return ImageRequest(decode_image(request_body, IMAGE_TYPES[media_type]))
    if media_type == JSON_TYPE:
        return _json_request(request_body, fetch)
    allowed = ", ".join([*IMAGE_TYPES, JSON_TYPE])
    raise InvalidInputError(f"unsupported content type {request_content_type!r}; use {allowed}")


def _json_request(body, fetch) -> ImageRequest:
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).decode("utf-8", errors="replace")
    try:
        payload = json.loads(body)
    except (TypeError, ValueError):
        raise InvalidInputError("body is not valid JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("url"), str):
        raise InvalidInputError('JSON body must be an object with a "url" string')
    top_k = parse_top_k(payload["top_k"], "top_k") if "top_k" in payload else None
    try:
        data = fetch(payload["url"])
    except urlguard.UrlRefusedError as error:
        raise InvalidInputError(f"url refused: {error}") from None
    except urlguard.FetchFailedError as error:
        raise InvalidInputError(f"url fetch failed: {error}") from None
    return ImageRequest(decode_image(data), top_k)


def predict_fn(data: ImageRequest, model: LoadedModel) -> List[dict]:
    """Top-k classes with softmax probabilities, best first."""
    batch = model.transform(data.image).unsqueeze(0).to(model.device)
    with torch.no_grad():
        probabilities = torch.softmax(model.network(batch), dim=1)[0].cpu()
    k = min(data.top_k or model.top_k, len(model.classes))
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
