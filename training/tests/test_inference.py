"""The serving handler: its contract with the PyTorch serving toolkit, inputs and answers."""

import inspect
import json

import pytest
import torch
import torchvision

import inference
import modeldef
import trainer
import urlguard
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


def test_top_k_from_the_environment_and_from_the_request(model_dir, monkeypatch):
    monkeypatch.setenv(inference.TOP_K_ENV, "2")
    loaded = inference.model_fn(str(model_dir))
    body = image_bytes((200, 40, 40), "JPEG")
    assert len(answer(inference.input_fn(body, "image/jpeg"), loaded)["predictions"]) == 2
    request = inference.parse_request(
        json.dumps({"url": "https://images.example/a.jpg", "top_k": 1}), "application/json",
        lambda url: body,
    )
    assert len(answer(request, loaded)["predictions"]) == 1
    request.top_k = 50  # more than there are classes: all of them
    assert len(answer(request, loaded)["predictions"]) == len(FIVE_CLASSES)


def test_bad_top_k_in_the_environment_fails_at_load(model_dir, monkeypatch):
    monkeypatch.setenv(inference.TOP_K_ENV, "zero")
    with pytest.raises(ValueError, match=inference.TOP_K_ENV):
        inference.model_fn(str(model_dir))


def test_json_url_is_fetched_and_classified(model):
    fetched = []

    def fetch(url):
        fetched.append(url)
        return image_bytes((40, 40, 200), "PNG")

    request = inference.parse_request(
        '{"url": "https://images.example/dog.png"}', "application/json", fetch
    )
    assert fetched == ["https://images.example/dog.png"]
    assert len(answer(request, model)["predictions"]) == 5
    body = b'{"url": "https://x.example/d.png"}'
    as_bytes = inference.parse_request(body, "application/json", fetch)
    assert as_bytes.image.size == (64, 64)


@pytest.mark.parametrize(
    "body,content_type,message",
    [
        (b"\xff\xd8\xff\xe0" + b"garbage" * 20, "image/jpeg", "could not decode"),
        (image_bytes((1, 2, 3), "PNG"), "image/jpeg", "not a JPEG or PNG"),
        (b"GIF89a....", "application/x-image", "not a JPEG or PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "image/png", "could not decode"),
        (image_bytes((1, 2, 3), "JPEG"), "image/gif", "unsupported content type"),
        (image_bytes((1, 2, 3), "JPEG"), None, "unsupported content type"),
        ("not json", "application/json", "not valid JSON"),
        ('["https://x.example/a.jpg"]', "application/json", '"url"'),
        ('{"url": 5}', "application/json", '"url"'),
        ('{"url": "https://x.example/a.jpg", "top_k": 0}', "application/json", "top_k"),
        ('{"url": "https://x.example/a.jpg", "top_k": true}', "application/json", "top_k"),
        ('{"url": "https://x.example/a.jpg", "top_k": 2.5}', "application/json", "top_k"),
        (b"\xff\xd8\xff" + b"\0" * (urlguard.MAX_IMAGE_BYTES + 1), "image/jpeg", "larger"),
    ],
    ids=["corrupt-jpeg", "png-sent-as-jpeg", "gif", "corrupt-png", "gif-type", "no-type",
         "bad-json", "json-list", "url-not-string", "top-k-zero", "top-k-bool", "top-k-float",
         "too-large"],
)
def test_bad_input_is_a_clear_value_error(body, content_type, message):
    with pytest.raises(inference.InvalidInputError, match=message) as raised:
        inference.parse_request(body, content_type, lambda url: image_bytes((1, 2, 3)))
    assert isinstance(raised.value, ValueError)


def test_hostile_url_in_json_is_refused_by_the_real_guard(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr("socket.create_connection", refuse)
    monkeypatch.setattr("socket.getaddrinfo", refuse)
    for url in ("http://example.com/a.jpg", "https://169.254.169.254/", "https://0x7f.1/"):
        with pytest.raises(inference.InvalidInputError, match="url refused"):
            inference.input_fn(json.dumps({"url": url}), "application/json")


def test_failed_fetch_is_reported(model):
    def fail(url):
        raise urlguard.FetchFailedError("image URL answered HTTP 404")

    with pytest.raises(inference.InvalidInputError, match="HTTP 404"):
        inference.parse_request('{"url": "https://x.example/a.jpg"}', "application/json", fail)


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
