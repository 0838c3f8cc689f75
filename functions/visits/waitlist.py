"""The Visits waiting list's events and schedules (the shared ``functions.places.waitlist``)."""

from __future__ import annotations

from functools import cache

from functions.places.waitlist import waitlist_handler

from .domain import VISITS
from .service import VisitService


@cache
def service() -> VisitService:
    """One per container, made on first use (creating clients at import would slow cold starts)."""
    return VisitService()


handler = waitlist_handler(
    "visit-waitlist", VISITS, service, offer_expiry="visit-offer-expiry", reminders="visit-reminders"
)
