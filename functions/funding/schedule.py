"""The daily funding schedule (EventBridge Scheduler invokes it with ``{"schedule": name}``).

``as_of`` (an ISO time with offset) may be given to run the day's work as of another moment,
and ``round_id`` to do it for one round only: a catch-up run after an outage, or a test (which
then leaves other rounds alone). Running it twice changes nothing the second time:
reminders are spaced by the round's ``reminder_after_days`` and a round's end of review is
reported once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from functions.common.ids import utcnow

from .service import FundingService

logger = logging.getLogger("convene")

SCHEDULE = "funding-daily"
service = FundingService()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("schedule") != SCHEDULE:
        raise ValueError(f"unknown schedule {event.get('schedule')!r}")
    now = utcnow()
    if event.get("as_of"):
        now = datetime.fromisoformat(str(event["as_of"]))
        if now.tzinfo is None:
            raise ValueError("as_of needs a timezone offset")
    round_id = event.get("round_id")
    result = service.daily(now, str(round_id) if round_id else None)
    logger.info("funding-daily as of %s: %s", now.isoformat(), result)
    return {"schedule": SCHEDULE, "as_of": now.isoformat(), **result}
