"""The kinds of event and how pages name them, apart from the domain so that readers that must
not load the events area's models can label an event: the home page's "what's on next" on
every visitor's first page, a cold start.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

#: The noun of events as listings (``functions.places.keys``): keys ``EVENT#<id>``, pages ``/events``.
NOUN = "event"


class EventKind(StrEnum):
    COMMUNITY_EVENT = "community_event"
    WORKSHOP = "workshop"
    SERIES_SESSION = "series_session"


KIND_LABELS = {
    EventKind.COMMUNITY_EVENT: "Community event",
    EventKind.WORKSHOP: "Workshop",
    EventKind.SERIES_SESSION: "Series session",
}


def kind_of(item: Mapping[str, Any]) -> EventKind:
    """A stored event's kind (events stored before kinds existed are community events)."""
    return EventKind(item.get("kind", EventKind.COMMUNITY_EVENT))
