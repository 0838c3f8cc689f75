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

from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from botocore import handlers
from botocore.awsrequest import AWSResponse
from werkzeug.test import EnvironBuilder

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
        parts = urlsplit(request.url)
        headers = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in request.headers.items()}
        environ = EnvironBuilder(
            path=parts.path or "/",
            query_string=parts.query,
            method=request.method,
            headers=headers,
            data=body or b"",
            base_url=f"{parts.scheme}://{parts.netloc}",
        ).get_environ()
        answered: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
            answered["status"] = int(status.split(" ", 1)[0])
            answered["headers"] = dict(response_headers)

        content = b"".join(self.moto(environ, start_response))
        self.calls += 1
        return AWSResponse(request.url, answered["status"], answered["headers"], _Raw(content))


def install(transport: LocalTransport) -> None:
    """Every botocore client created from now on in this process uses it for moto's endpoint."""
    handlers.BUILTIN_HANDLERS.append(("before-send", transport))


def uninstall(transport: LocalTransport) -> None:
    entry = ("before-send", transport)
    if entry in handlers.BUILTIN_HANDLERS:
        handlers.BUILTIN_HANDLERS.remove(entry)
