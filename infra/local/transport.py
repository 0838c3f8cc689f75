"""In-process transport from the functions' AWS clients to the local moto.

The functions run in the runtime's own process, so their botocore clients need not open a
socket to reach moto: this ``before-send`` handler hands each request, exactly as botocore
signed and serialised it, to the same WSGI application the moto server runs (dispatch lock,
change hooks and all), and gives botocore back the bytes moto answered. Only the transport is
skipped: serialisation, signing, retries and parsing stay botocore's. Under a rush this
removes a socket round trip, an HTTP parse and a thread hand-off from every AWS call, which
otherwise all compete for the one interpreter lock.
"""

from __future__ import annotations

import sys
from io import BytesIO
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore import handlers
from botocore.awsrequest import AWSResponse

from .moto_server import SerializedMoto


class _Raw(BytesIO):
    """What botocore reads a response body from."""

    def stream(self, **_: Any) -> Any:
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


class LocalTransport:
    def __init__(self, moto: SerializedMoto, endpoint: str) -> None:
        self.moto = moto
        self.endpoint = endpoint.rstrip("/")
        self.calls = 0

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        if not request.url.startswith(self.endpoint):
            return None  # not ours: botocore sends it as usual
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        environ = wsgi_environ(request.method, request.url, request.headers.items(), body or b"")
        answered: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
            answered["status"] = int(status.split(" ", 1)[0])
            answered["headers"] = dict(response_headers)

        content = b"".join(self.moto(environ, start_response))
        self.calls += 1
        return AWSResponse(request.url, answered["status"], answered["headers"], _Raw(content))


def wsgi_environ(method: str, url: str, headers: Any, body: bytes) -> dict[str, Any]:
    """The WSGI environ an HTTP server would build for this request (PEP 3333), built directly:
    werkzeug's general-purpose ``EnvironBuilder`` cost about 0.25 ms a call."""
    parts = urlsplit(url)
    host, _, port = parts.netloc.partition(":")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        # PEP 3333: the path percent-decoded, its UTF-8 bytes carried as latin-1 characters.
        "PATH_INFO": unquote(parts.path or "/").encode().decode("latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": host,
        "SERVER_PORT": port or ("443" if parts.scheme == "https" else "80"),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": parts.netloc,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme,
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers:
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        key = name.upper().replace("-", "_")
        if key == "CONTENT_LENGTH":
            continue  # the body's own length, set above
        if key != "CONTENT_TYPE":  # PEP 3333: the two content headers go without the prefix
            key = "HTTP_" + key
        environ[key] = f"{environ[key]}, {text}" if key in environ else text
    return environ


def install(transport: LocalTransport) -> None:
    """Every botocore client created from now on in this process uses it for moto's endpoint."""
    handlers.BUILTIN_HANDLERS.append(("before-send", transport))


def uninstall(transport: LocalTransport) -> None:
    entry = ("before-send", transport)
    if entry in handlers.BUILTIN_HANDLERS:
        handlers.BUILTIN_HANDLERS.remove(entry)
