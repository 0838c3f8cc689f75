"""moto in server mode, with every request to its backends serialized.

moto's backends are not thread-safe: concurrent conditional writes and transactions can both
succeed (see shared platform notes). One lock around dispatch makes each AWS call atomic, as
it is on AWS, while the HTTP server stays threaded so connections are kept alive.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

ACCOUNT_ID = "123456789012"
REGION = "eu-west-2"

#: The signing scope names the service: ``Credential=<key>/<date>/<region>/<service>/aws4_request``.
_SERVICE = re.compile(r"Credential=[^/]*/[^/]*/[^/]*/([^/]*)/")
_READS = ("Get", "Describe", "List", "Query", "Scan", "BatchGet", "TransactGet", "Head")


def is_write(target: str, method: str, path: str, body: bytes) -> bool:
    """Whether a request to moto may have changed what it stores (conservative)."""
    if path.startswith("/moto-api"):
        return False
    operation = target.rpartition(".")[2]
    if operation:
        if operation == "ReceiveMessage":  # changes receive counts, when it returns messages
            return b'"ReceiptHandle"' in body
        return not operation.startswith(_READS)
    return method in ("PUT", "POST", "DELETE")


class SerializedMoto:
    def __init__(self) -> None:
        from . import ses_quota
        from .moto_patches import install

        install()
        ses_quota.install()
        self.lock = threading.RLock()
        self._app = DomainDispatcherApplication(create_backend_app)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        #: Told the service (``sqs``, ``s3`` ...) after each request that may have changed state.
        self.on_write: Callable[[str], None] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self.lock:
            # Materialise the body inside the lock: moto builds responses from live state.
            body = b"".join(self._app(environ, start_response))
        listener = self.on_write
        if listener is not None and is_write(
            environ.get("HTTP_X_AMZ_TARGET", ""), environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""), body
        ):
            found = _SERVICE.search(environ.get("HTTP_AUTHORIZATION", ""))
            listener(found.group(1) if found else "")
        return [body]

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = make_server(host, port, self, threaded=True)
        # Stop must not wait for in-flight calls (daemon threads); threaded=True makes it a ThreadingMixIn.
        self._server.block_on_close = False  # type: ignore[attr-defined]
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.1), name="moto", daemon=True
        )
        self._thread.start()
        return f"http://{host}:{self._server.server_port}"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
