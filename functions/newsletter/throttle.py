"""Keeping to the configured send rate (``NEWSLETTER_SEND_RATE`` emails per second) across
every container sending at once: each reserves slots in the current one-second window with a
conditional counter update, and sleeps to the next window when the current one is full."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

#: SES's sending quota is per second; new production accounts start at 14. Leave headroom for
#: the other emails Convene sends (sign-in links must not queue behind a newsletter).
DEFAULT_SEND_RATE = 10

#: reserve(window, count, limit) -> True if ``count`` slots of ``limit`` in ``window`` were taken
Reserve = Callable[[int, int, int], bool]


def send_rate() -> int:
    """Read on every batch, not cached, so a changed setting applies to the next batch."""
    try:
        rate = int(os.environ.get("NEWSLETTER_SEND_RATE", DEFAULT_SEND_RATE))
    except ValueError:
        return DEFAULT_SEND_RATE
    return max(1, rate)


class SendThrottle:
    def __init__(
        self,
        rate: int,
        reserve: Reserve,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = max(1, rate)
        self.reserve = reserve
        self.clock = clock
        self.sleep = sleep
        self._window: int | None = None
        self._left = 0

    def take(self, wanted: int = 1) -> None:
        """Wait until one more email may be sent. ``wanted`` (how many this caller still has
        to send) lets it reserve several slots with one write."""
        while True:
            now = self.clock()
            window = int(now)
            if self._window == window and self._left > 0:
                self._left -= 1
                return
            # Slots left over from an earlier window are not carried forward: never above the rate.
            count = min(self.rate, max(1, wanted))
            if self.reserve(window, count, self.rate) or (count > 1 and self.reserve(window, (count := 1), self.rate)):
                self._window, self._left = window, count - 1
                return
            self.sleep(max(0.001, window + 1 - now))
