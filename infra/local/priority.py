"""People first: event delivery waits while an API request is being answered.

On AWS the consumers run in their own Lambda environments and a rush of requests never
shares a CPU with them. Locally one interpreter runs everything, so the emails of the first
sign-ups would otherwise be rendered and sent in the middle of the rush, each taking the
interpreter lock from the members still waiting for an answer. Delivery is only postponed,
never skipped, and for at most ``PATIENCE_SECONDS`` at a time: under a long rush it carries
on batch by batch, and once the answers are out it catches up at full speed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: The longest a delivery batch waits for the requests in flight to be answered.
PATIENCE_SECONDS = 2.0


class RequestsFirst:
    def __init__(self, patience_seconds: float = PATIENCE_SECONDS) -> None:
        self.patience_seconds = patience_seconds
        self._in_flight = 0
        self._quiet = threading.Condition()
        self._stopping = False

    @contextmanager
    def request(self) -> Iterator[None]:
        with self._quiet:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._quiet:
                self._in_flight -= 1
                if not self._in_flight:
                    self._quiet.notify_all()

    def wait_for_quiet(self) -> bool:
        """Before a delivery batch: True once no request is in flight, False if patience ran out."""
        with self._quiet:
            return self._quiet.wait_for(lambda: self._in_flight == 0 or self._stopping, timeout=self.patience_seconds)

    def stop(self) -> None:
        """Stopping: no delivery thread waits out its patience."""
        with self._quiet:
            self._stopping = True
            self._quiet.notify_all()
