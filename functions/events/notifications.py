"""Emails of events (the shared ``functions.places.notifications``)."""

from __future__ import annotations

from functools import cache

from functions.places.notifications import notifications_handler

from .domain import EVENTS
from .repository import EventRepository


@cache
def events() -> EventRepository:
    return EventRepository()


handler = notifications_handler("event-notifications", EVENTS, events)
