"""The local account's SES sending quota.

moto reports a sandbox account's quota (1 email a second, 200 a day). The local runtime serves
the same quota as a new production account (14 a second) unless ``CONVENE_SES_MAX_SEND_RATE``
says otherwise (``1`` emulates the sandbox); it is read on every call, so a test or bench can
change it while the runtime runs. The functions read it through SES ``GetSendQuota``, as on AWS.
"""

from __future__ import annotations

import os
from typing import Any

from moto.ses.models import SESBackend

ENVIRONMENT = "CONVENE_SES_MAX_SEND_RATE"
#: SES's starting quota when an account leaves the sandbox.
PRODUCTION_START_RATE = 14.0


def local_max_send_rate() -> float:
    try:
        return max(0.1, float(os.environ.get(ENVIRONMENT, PRODUCTION_START_RATE)))
    except ValueError:
        return PRODUCTION_START_RATE


def install() -> None:
    if getattr(SESBackend.get_send_quota, "_convene", False):
        return
    original = SESBackend.get_send_quota

    def get_send_quota(self: SESBackend) -> Any:
        quota = original(self)
        quota.max_send_rate = local_max_send_rate()  # type: ignore[assignment]  # a float, as SES answers
        return quota

    get_send_quota._convene = True  # type: ignore[attr-defined]
    SESBackend.get_send_quota = get_send_quota  # type: ignore[method-assign]
