"""The serving handler: its contract with the PyTorch serving toolkit, inputs and answers."""

import inspect
import json
from pathlib import Path

import pytest
import torch
import torchvision

import inference
import modeldef
import trainer
from conftest import CLASSES, image_bytes

FIVE_CLASSES = CLASSES + ["004.Akita", "005.Alaskan_malamute", "006.American_eskimo_dog"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    torch.manual_seed(0)
    network = modeldef.build_model("resnet18", len(FIVE_CLASSES))
    trainer.save_model_artifacts(folder, network.state_dict(), FIVE_CLASSES, "resnet18", 64)
    return folder


@pytest.fixture
def model(model_dir, monkeypatch):
    monkeypatch.delenv(inference.TOP_K_ENV, raising=False)

    def no_download(*args, **kwargs):
        raise AssertionError("model_fn tried to download weights")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", no_download)
    monkeypatch.setattr(torchvision.models._api.WeightsEnum, "get_state_dict", no_download)
    return inference.model_fn(str(model_dir))


def answer(request, loaded):
    prediction = inference.predict_fn(request, loaded)
    return json.loads(inference.output_fn(prediction, "application/json"))


def test_handler_functions_take_exactly_the_toolkits_arguments():
    # The toolkit passes its request context to any extra parameter.
    arity = {name: len(inspect.signature(getattr(inference, name)).parameters)
             for name in ("model_fn", "input_fn", "predict_fn", "output_fn")}
    assert arity == {"model_fn": 1, "input_fn": 2, "predict_fn": 2, "output_fn": 2}


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("image/jpeg", image_bytes((200, 40, 40), "JPEG")),
        ("image/png", image_bytes((40, 40, 200), "PNG", mode="RGBA")),
        ("image/png", image_bytes((90, 90, 90), "PNG", mode="L")),
        ("application/x-image", image_bytes((40, 200, 40), "JPEG")),
        ("application/x-image", image_bytes((40, 200, 40), "PNG")),
        ("image/jpeg; charset=binary", image_bytes((200, 40, 40), "JPEG", size=(500, 300))),
    ],
    ids=["jpeg", "png-rgba", "png-grey", "x-image-jpeg", "x-image-png", "jpeg-with-parameter"],
)
def test_image_bodies_answer_top_five_best_first(model, content_type, body):
    predictions = answer(inference.input_fn(body, content_type), model)["predictions"]
    assert len(predictions) == 5
    assert set(predictions[0]) == {"label", "index", "probability"}
    assert all(FIVE_CLASSES[p["index"]] == p["label"] for p in predictions)
    probabilities = [p["probability"] for p in predictions]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0 <= p <= 1 for p in probabilities)


def test_top_k_from_the_environment(model_dir, monkeypatch):
    monkeypatch.setenv(inference.TOP_K_ENV, "2")
    loaded = inference.model_fn(str(model_dir))
    body = image_bytes((200, 40, 40), "JPEG")
    assert len(answer(inference.input_fn(body, "image/jpeg"), loaded)["predictions"]) == 2
    monkeypatch.setenv(inference.TOP_K_ENV, "50")  # more than there are classes: all of them
    loaded = inference.model_fn(str(model_dir))
    assert len(answer(inference.input_fn(body, "image/jpeg"), loaded)["predictions"]) == len(
        FIVE_CLASSES
    )


def test_bad_top_k_in_the_environment_fails_at_load(model_dir, monkeypatch):
    monkeypatch.setenv(inference.TOP_K_ENV, "zero")
    with pytest.raises(ValueError, match=inference.TOP_K_ENV):
        inference.model_fn(str(model_dir))


@pytest.mark.parametrize(
    "body,content_type,message",
    [
        (b"\xff\xd8\xff\xe0" + b"garbage" * 20, "image/jpeg", "could not decode"),
        (image_bytes((1, 2, 3), "PNG"), "image/jpeg", "not a JPEG or PNG"),
        (b"GIF89a....", "application/x-image", "not a JPEG or PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "image/png", "could not decode"),
        (b"", "image/jpeg", "body is empty"),
        (b"", "application/x-image", "body is empty"),
    ],
    ids=["corrupt-jpeg", "png-sent-as-jpeg", "gif", "corrupt-png", "empty-jpeg", "empty-x-image"],
)
def test_bad_image_is_a_clear_value_error(body, content_type, message):
    with pytest.raises(inference.InvalidInputError, match=message) as raised:
        inference.input_fn(body, content_type)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    "body,content_type",
    [
        # The toolkit hands JSON and CSV bodies to input_fn already decoded to text.
        ('{"url": "https://images.example/dog.jpg"}', "application/json"),
        ('{"url": "https://images.example/dog.jpg"}', "application/json; charset=utf-8"),
        (b'{"url": "https://images.example/dog.jpg"}', "application/json"),
        ("https://images.example/dog.jpg", "text/plain"),
        ("a,b\n1,2\n", "text/csv"),
        (image_bytes((1, 2, 3), "JPEG"), "image/gif"),
        (image_bytes((1, 2, 3), "JPEG"), None),
        (image_bytes((1, 2, 3), "JPEG"), ""),
        (b"", None),
        ("", "application/json"),
    ],
    ids=["json-url", "json-url-charset", "json-url-bytes", "text-url", "csv", "gif-type",
         "no-type", "blank-type", "empty-no-type", "empty-json"],
)
def test_anything_but_image_bytes_is_refused_as_unsupported_media_type(
    body, content_type, monkeypatch
):
    def no_network(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr("socket.create_connection", no_network)
    monkeypatch.setattr("socket.getaddrinfo", no_network)
    with pytest.raises(inference.UnsupportedContentTypeError) as raised:
        inference.input_fn(body, content_type)
    error = raised.value
    assert isinstance(error, inference.InvalidInputError) and isinstance(error, ValueError)
    # The serving toolkit answers an error of its own type with the status it carries.
    assert isinstance(error, inference.BaseInferenceToolkitError)
    assert (error.status_code, error.phrase) == (415, "Unsupported Media Type")
    assert str(error) == error.message
    assert error.message.startswith(f"unsupported content type {content_type!r}")
    assert "image/jpeg, image/png, application/x-image" in error.message
    assert "url" not in error.message.replace(repr(content_type), "")


def test_no_url_fetching_is_left_in_the_serving_code():
    source = Path(inference.__file__).read_text()
    assert "urlguard" not in source and "urllib" not in source and "http.client" not in source
    assert not (Path(inference.__file__).parent / "urlguard.py").exists()
    assert "urlguard.py" not in trainer.SERVING_FILES


def test_too_many_pixels_are_refused(monkeypatch):
    monkeypatch.setattr(inference, "MAX_PIXELS", 100)
    with pytest.raises(inference.InvalidInputError, match="pixels"):
        inference.input_fn(image_bytes((1, 2, 3), "PNG"), "image/png")


@pytest.mark.parametrize("accept", ["application/json", "*/*", None, "application/json; q=1"])
def test_output_is_json_for_json_accepts(accept):
    prediction = [{"label": "001.Affenpinscher", "index": 0, "probability": 0.9}]
    assert json.loads(inference.output_fn(prediction, accept)) == {"predictions": prediction}


def test_output_refuses_other_accepts():
    with pytest.raises(inference.InvalidInputError, match="accept"):
        inference.output_fn([], "text/csv")


def test_model_fn_rejects_mismatched_files(model_dir, tmp_path):
    for name in ("model.pth", "model_config.json"):
        (tmp_path / name).write_bytes((model_dir / name).read_bytes())
    (tmp_path / "classes.json").write_text(json.dumps(CLASSES))
    with pytest.raises(ValueError, match="classes"):
        inference.model_fn(str(tmp_path))
