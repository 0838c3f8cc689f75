""" "What's on next" on the home page: the community's coming gatherings, soonest first.

Each area that has gatherings contributes one source: a function from (store, now, limit) to its
next ``Happening``s: visits, and events (community events, workshops, series sessions; an Open
Space is an event). Another area joins by adding its own function to ``SOURCES``, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from functions.common.store import Store


@dataclass(frozen=True)
class Happening:
    title: str
    starts_at: datetime
    link: str
    kind: str  # shown beside the title: "Visit", "Event", ...
    detail: str = ""


Source = Callable[[Store, datetime, int], list[Happening]]


def visits(store: Store, now: datetime, limit: int) -> list[Happening]:
    from functions.visits.repository import VisitRepository

    found = VisitRepository(store).upcoming(now)[:limit]
    return [
        Happening(
            title=v.title,
            starts_at=v.starts_at,
            link=f"/visits/{v.visit_id}",
            kind="Visit",
            detail="Full: join the waiting list" if v.places_left <= 0 else f"{v.places_left} places left",
        )
        for v in found
    ]


def events(store: Store, now: datetime, limit: int) -> list[Happening]:
    from functions.events.repository import EventRepository

    return [
        Happening(
            title=e.title,
            starts_at=e.starts_at,
            link=e.page_path,
            kind=e.kind_label,
            detail="Full: join the waiting list" if e.full else f"{e.places_left} places left",
        )
        for e in EventRepository(store).upcoming(now, limit)
    ]


#: Every source of "what's on next". An area adds its own here (one line).
SOURCES: list[Source] = [visits, events]


def whats_on_next(store: Store, now: datetime, limit: int = 5) -> list[Happening]:
    found = [h for source in SOURCES for h in source(store, now, limit)]
    return sorted(found, key=lambda h: h.starts_at)[:limit]
