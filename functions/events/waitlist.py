"""The events waiting list's events and schedules (the shared ``functions.places.waitlist``)."""

from __future__ import annotations

from functools import cache

from functions.places.waitlist import waitlist_handler

from .domain import EVENTS
from .service import EventService


@cache
def service() -> EventService:
    """One per container, made on first use (creating clients at import would slow cold starts)."""
    return EventService()


handler = waitlist_handler(
    "event-waitlist", EVENTS, service, offer_expiry="event-offer-expiry", reminders="event-reminders"
)
