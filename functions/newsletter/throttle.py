"""Keeping to the account's SES send rate across every container sending at once: each
reserves slots in the current one-second window with a conditional counter update, and sleeps
to the next window when the current one is full.

The rate is the account's own (SES ``GetSendQuota``: 1 a second in the sandbox, 14 for a new
production account, more as AWS raises it), read at the start of every batch, less a share left
for the other emails Convene sends (sign-in links must not queue behind a newsletter). In the
sandbox a newsletter is slow, never refused for going too fast. ``NEWSLETTER_SEND_RATE`` can
lower it further; it never raises it above the account's rate.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable

logger = logging.getLogger("convene")

#: The share of the account's send rate newsletters may use.
NEWSLETTER_SHARE = 0.8

#: reserve(window, count, limit) -> True if ``count`` slots of ``limit`` in ``window`` were taken
Reserve = Callable[[int, int, int], bool]


def paced_rate(account_rate: float, cap: int | None = None) -> int:
    """Emails a second for newsletters: ``NEWSLETTER_SHARE`` of the account's rate (at least 1)."""
    rate = max(1, math.floor(account_rate * NEWSLETTER_SHARE))
    return min(rate, max(1, cap)) if cap else rate


def configured_cap() -> int | None:
    """``NEWSLETTER_SEND_RATE``, read on every batch so a changed setting applies to the next one."""
    try:
        return int(os.environ["NEWSLETTER_SEND_RATE"])
    except (KeyError, ValueError):
        return None


def send_rate(account_rate: Callable[[], float]) -> int:
    try:
        quota = account_rate()
    except Exception:
        # Unknown quota: the sandbox's rate is always allowed. Slow, never refused.
        logger.warning("could not read the SES send quota; sending at 1 a second", exc_info=True)
        quota = 1.0
    return paced_rate(quota, configured_cap())


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
