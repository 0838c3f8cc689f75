"""The waiting list's own clock and events: fills places freed by a cancellation, an expired offer
or more places; and, on its schedules, expires unanswered offers and marks reminders due.

Every step is a conditional write, so a redelivered event or a schedule run twice changes nothing
more: ``fill`` only moves people while a place is free and someone waits.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from functions.common.consumer import consumer
from schemas.events.visits import VisitOfferExpired, VisitPlacesChanged, VisitSignupCancelled

from .service import VisitService

logger = logging.getLogger("convene")


@cache
def service() -> VisitService:
    """One per container, made on first use (creating clients at import would slow cold starts)."""
    return VisitService()


def on_place_may_be_free(event: VisitSignupCancelled | VisitPlacesChanged | VisitOfferExpired) -> None:
    moved = service().fill(event.visit_id)
    logger.info("visit %s: %d moved from the waiting list after %s", event.visit_id, moved, event.detail_type())


_consume = consumer(
    "visit-waitlist",
    {
        VisitSignupCancelled: on_place_may_be_free,
        VisitPlacesChanged: on_place_may_be_free,
        VisitOfferExpired: on_place_may_be_free,
    },
)

SCHEDULES = {
    "visit-offer-expiry": lambda: {"offers_expired": service().expire_offers()},
    "visit-reminders": lambda: {"visits_due_a_reminder": service().mark_reminders()},
}


def handler(event: dict[str, Any], context: Any) -> Any:
    """SQS batches from the bus, or ``{"schedule": name}`` from EventBridge Scheduler."""
    if "schedule" in event:
        name = str(event["schedule"])
        if name not in SCHEDULES:
            raise ValueError(f"visit-waitlist has no schedule {name!r}")
        return SCHEDULES[name]()
    return _consume(event, context)


# What it consumes, as every consumer tells it (tests deliver each of these event types).
handler.consumer_name = "visit-waitlist"  # type: ignore[attr-defined]
handler.handlers = _consume.handlers  # type: ignore[attr-defined]
