"""The waiting list's own clock and events, for any kind of listing: fills places freed by a
cancellation, an expired offer or more places; and, on its schedules, expires unanswered offers
and marks reminders due.

Every step is a conditional write, so a redelivered event or a schedule run twice changes nothing
more: ``fill`` only moves people while a place is free and someone waits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from functions.common.consumer import consumer
from schemas.events.base import DomainEvent

from .domain import Kind
from .service import PlacesService

logger = logging.getLogger("convene")


def waitlist_handler(
    name: str, kind: Kind, service: Callable[[], PlacesService[Any]], *, offer_expiry: str, reminders: str
) -> Callable[[dict[str, Any], Any], Any]:
    """The Lambda handler of a kind's waiting-list function: its events (a place may be free) and
    its two schedules. ``service`` makes the service on first use (not at import: cold starts)."""

    def on_place_may_be_free(event: DomainEvent) -> None:
        listing_id = kind.listing_id_of(event)
        moved = service().fill(listing_id)
        logger.info("%s %s: %d moved from the waiting list after %s", kind.noun, listing_id, moved, event.detail_type())

    place_may_be_free = (kind.signup_cancelled, kind.places_changed, kind.offer_expired)
    consume = consumer(name, dict.fromkeys(place_may_be_free, on_place_may_be_free))
    schedules: dict[str, Callable[[], dict[str, int]]] = {
        offer_expiry: lambda: {"offers_expired": service().expire_offers()},
        reminders: lambda: {f"{kind.noun}s_due_a_reminder": service().mark_reminders()},
    }

    def handler(event: dict[str, Any], context: Any) -> Any:
        """SQS batches from the bus, or ``{"schedule": name}`` from EventBridge Scheduler."""
        if "schedule" in event:
            schedule = str(event["schedule"])
            if schedule not in schedules:
                raise ValueError(f"{name} has no schedule {schedule!r}")
            return schedules[schedule]()
        return consume(event, context)

    # What it consumes, as every consumer tells it (tests deliver each of these event types).
    handler.consumer_name = name  # type: ignore[attr-defined]
    handler.handlers = consume.handlers  # type: ignore[attr-defined]
    return handler
