"""moto in server mode, with every request to its backends serialized.

moto's backends are not thread-safe: concurrent conditional writes and transactions can both
succeed (see shared platform notes). One lock around dispatch makes each AWS call atomic, as
it is on AWS, while the HTTP server stays threaded so connections are kept alive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

ACCOUNT_ID = "123456789012"
REGION = "eu-west-2"


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

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self.lock:
            # Materialise the body inside the lock: moto builds responses from live state.
            return [b"".join(self._app(environ, start_response))]

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = make_server(host, port, self, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        return f"http://{host}:{self._server.server_port}"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
