"""Serves a model.tar.gz the way SageMaker's PyTorch serving container does, on loopback.

A test fixture, not a server for production. It follows the container's contract
(https://github.com/aws/sagemaker-pytorch-inference-toolkit and
https://github.com/aws/sagemaker-inference-toolkit, ``transformer.py``):

- the archive is extracted to a model folder and ``code/<SAGEMAKER_PROGRAM>`` (``inference.py``
  unless the variable says otherwise) is imported with ``code/`` on the module path;
- ``model_fn(model_dir)`` runs once; ``GET /ping`` answers 200 once it has;
- ``POST /invocations`` passes the body and its Content-Type to ``input_fn`` (JSON and CSV
  bodies decoded to text first, as the toolkit does), the result to ``predict_fn``, and that
  with the Accept type (``application/json`` when missing or ``*/*``) to ``output_fn``; an
  exception is a 500 with its message, unless it is one of the toolkit's own errors
  (``BaseInferenceToolkitError``, recognised here by its ``status_code``, ``message`` and
  ``phrase``), which answers with the status it carries.

In front of it sits the one SageMaker Runtime operation the handler calls, so the real AWS SDK
can reach it through ``AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME``: ``POST
/endpoints/<name>/invocations`` forwards to the container and answers as InvokeEndpoint does
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html):
the container's answer with ``x-Amzn-Invoked-Production-Variant``, or a 424 ``ModelError``
carrying the container's status and message.

Prints ``listening <url>`` once it serves, then one JSON line per invocation (path, content
type, accept, container status), on standard output.

    python3 serving_fixture.py --artifact model.tar.gz [--endpoint NAME] [--port 0]
"""

import argparse
import importlib.util
import json
import os
import sys
import tarfile
import tempfile
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

JSON_TYPE = "application/json"
# The toolkit hands these bodies to input_fn as text (content_types.UTF8_TYPES).
TEXT_TYPES = ("application/json", "text/csv")
VARIANT = "AllTraffic"


def extract(archive: Path, target: Path) -> Path:
    """Unpack the archive, refusing members that would land outside the model folder."""
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            resolved = (target / member.name).resolve()
            if target.resolve() not in (resolved, *resolved.parents) or member.issym() \
                    or member.islnk():
                raise ValueError(f"refusing archive member {member.name!r}")
        tar.extractall(target)
    return target


def load_program(model_dir: Path, program: str):
    """Import code/<program> as the serving module, with code/ first on the module path."""
    code_dir = model_dir / "code"
    sys.path.insert(0, str(code_dir))
    name = Path(program).stem
    spec = importlib.util.spec_from_file_location(name, code_dir / program)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def media_type(value: str) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


class Container:
    """The loaded model and the four handler functions, called as the toolkit calls them."""

    def __init__(self, module, model_dir: Path):
        self.module = module
        self.model = module.model_fn(str(model_dir))

    def invoke(self, body: bytes, content_type: str, accept: str):
        """(status, content type, body bytes) of POST /invocations."""
        if media_type(accept) in ("", "*/*"):
            accept = JSON_TYPE
        try:
            data = body.decode("utf-8") if media_type(content_type) in TEXT_TYPES else body
            request = self.module.input_fn(data, content_type)
            prediction = self.module.predict_fn(request, self.model)
            answer = self.module.output_fn(prediction, accept)
        except Exception as error:  # the toolkit turns any other handler exception into a 500
            traceback.print_exc(file=sys.stderr)
            status = getattr(error, "status_code", None)
            if isinstance(status, int) and hasattr(error, "phrase"):
                return status, "text/plain", str(getattr(error, "message", error)).encode("utf-8")
            return 500, "text/plain", str(error).encode("utf-8")
        if isinstance(answer, str):
            answer = answer.encode("utf-8")
        return 200, accept, answer


def make_handler(container: Container, endpoint: str):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # requests are reported as JSON lines instead
            pass

        def reply(self, status: int, content_type: str, body: bytes, headers=None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self):
            if self.path == "/ping":
                self.reply(200, "text/plain", b"")
            else:
                self.reply(404, "text/plain", b"not found")

        def do_POST(self):
            body = self.body()
            content_type = self.headers.get("Content-Type", "")
            accept = self.headers.get("Accept", "")
            if self.path == "/invocations":
                status, answer_type, answer = container.invoke(body, content_type, accept)
                self.report(status, content_type, accept)
                self.reply(status, answer_type, answer)
                return
            if self.path != f"/endpoints/{endpoint}/invocations":
                message = json.dumps({"message": f"Endpoint {self.path} not found."}).encode()
                self.reply(400, JSON_TYPE, message, {"x-amzn-ErrorType": "ValidationError"})
                return
            if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
                message = json.dumps({"message": "Missing Authentication Token"}).encode()
                self.reply(403, JSON_TYPE, message,
                           {"x-amzn-ErrorType": "MissingAuthenticationTokenException"})
                return
            status, answer_type, answer = container.invoke(body, content_type, accept)
            self.report(status, content_type, accept)
            if status == 200:
                self.reply(200, answer_type, answer,
                           {"x-Amzn-Invoked-Production-Variant": VARIANT})
                return
            message = answer.decode("utf-8", errors="replace")
            error = {
                "ErrorCode": "SERVER_ERROR_FROM_MODEL" if status >= 500
                else "CLIENT_ERROR_FROM_MODEL",
                "Message": f"Received server error ({status}) from primary with message "
                           f'"{message}".',
                "OriginalMessage": message,
                "OriginalStatusCode": status,
            }
            self.reply(424, JSON_TYPE, json.dumps(error).encode(),
                       {"x-amzn-ErrorType": "ModelError"})

        def report(self, status: int, content_type: str, accept: str) -> None:
            print(json.dumps({"path": self.path, "content_type": content_type, "accept": accept,
                              "status": status}), flush=True)

    return Handler


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifact", type=Path, required=True, help="model.tar.gz")
    parser.add_argument("--endpoint", default="local-classifier", help="endpoint name to answer")
    parser.add_argument("--port", type=int, default=0, help="loopback port; 0 picks a free one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="serving-") as workdir:
        model_dir = extract(args.artifact, Path(workdir) / "model")
        program = os.environ.get("SAGEMAKER_PROGRAM") or "inference.py"
        container = Container(load_program(model_dir, program), model_dir)
        server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(container,
                                                                            args.endpoint))
        host, port = server.server_address[:2]
        print(f"listening http://{host}:{port}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
