""" "What's on next" on the home page: the community's coming gatherings, soonest first.

Each area that has gatherings contributes one source: a function from (store, now, limit) to its
next ``Happening``s: visits, and events (community events, workshops, series sessions; an Open
Space is an event). Another area joins by adding its own function to ``SOURCES``, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions.common.store import Store
from functions.places import keys as places


@dataclass(frozen=True)
class Happening:
    title: str
    starts_at: datetime
    link: str
    kind: str  # shown beside the title: "Visit", "Event", ...
    detail: str = ""


Source = Callable[[Store, datetime, int], list[Happening]]


# The sources read the listings' items rather than the areas' repositories: a listing loaded by
# its repository is the area's model, and importing the areas' models (with their pydantic
# events) was most of the home page's cold start, every visitor's first page.
def _upcoming(store: Store, noun: str, now: datetime, limit: int, *more: str) -> list[dict[str, Any]]:
    """Published listings of one kind that have not started, soonest first: only the attributes
    shown (and ``more``), not their descriptions."""
    partition = places.by_status(places.prefix(noun), places.ListingStatus.PUBLISHED)
    shown = (places.id_attribute(noun), "title", "starts_at", "places", "taken", "waiting", *more)
    return store.query(
        partition, index="gsi1", sk_from=places.ts(now), sk_to=places.LISTINGS_END, limit=limit, attributes=shown
    )


def _happening(noun: str, item: dict[str, Any], kind: str, detail: str) -> Happening:
    return Happening(
        title=item["title"],
        starts_at=datetime.fromisoformat(item["starts_at"]),
        link=f"{places.path(noun)}/{item[places.id_attribute(noun)]}",
        kind=kind,
        detail=detail,
    )


def _counter(item: dict[str, Any], name: str) -> int:
    return int(item.get(name, 0))


def visits(store: Store, now: datetime, limit: int) -> list[Happening]:
    from functions.visits.keys import NOUN

    found = []
    for item in _upcoming(store, NOUN, now, limit):
        left = places.places_left(_counter(item, "places"), _counter(item, "taken"))
        detail = "Full: join the waiting list" if left <= 0 else f"{left} places left"
        found.append(_happening(NOUN, item, "Visit", detail))
    return found


def events(store: Store, now: datetime, limit: int) -> list[Happening]:
    from functions.events.kinds import KIND_LABELS, NOUN, kind_of

    found = []
    for item in _upcoming(store, NOUN, now, limit, "kind"):
        counters = _counter(item, "places"), _counter(item, "taken"), _counter(item, "waiting")
        left = places.places_left(*counters[:2])
        detail = "Full: join the waiting list" if places.full(*counters) else f"{left} places left"
        found.append(_happening(NOUN, item, KIND_LABELS[kind_of(item)], detail))
    return found


#: Every source of "what's on next". An area adds its own here (one line).
SOURCES: list[Source] = [visits, events]


def whats_on_next(store: Store, now: datetime, limit: int = 5) -> list[Happening]:
    found = [h for source in SOURCES for h in source(store, now, limit)]
    return sorted(found, key=lambda h: h.starts_at)[:limit]
