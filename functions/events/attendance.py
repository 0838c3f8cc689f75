"""What other areas may ask about an event (Open Space, follow-ups): stable names, plain data.

- ``get_event(event_id)``: the event (with its ``open_space`` settings) or None.
- ``holds_place(event_id, member_id)``: whether the member holds a confirmed place on an event
  that has not been cancelled (two GetItems).
- ``confirmed_attendees(event_id)``: everyone with a confirmed place (one Query on ``gsi1``),
  each a :class:`functions.places.domain.Signup` (``member_id``, ``name``, ``email``, ``attended``).

Each takes an optional ``store`` (the caller's, so one function shares its client).
"""

from __future__ import annotations

from functions.common.store import Store
from functions.places.domain import ListingStatus, Signup

from .domain import Event
from .repository import EventRepository

__all__ = ["confirmed_attendees", "get_event", "holds_place"]


def _valid(event_id: str) -> bool:
    return event_id.startswith("event_") and len(event_id) < 64


def get_event(event_id: str, store: Store | None = None) -> Event | None:
    return EventRepository(store).get(event_id) if _valid(event_id) else None


def holds_place(event_id: str, member_id: str, store: Store | None = None) -> bool:
    if not _valid(event_id):
        return False
    events = EventRepository(store)
    signup = events.signup(event_id, member_id)
    if signup is None or not signup.confirmed:
        return False
    event = events.get(event_id)
    return event is not None and event.status == ListingStatus.PUBLISHED


def confirmed_attendees(event_id: str, store: Store | None = None) -> list[Signup]:
    return EventRepository(store).going(event_id) if _valid(event_id) else []
