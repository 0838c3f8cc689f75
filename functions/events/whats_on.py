"""What's on: upcoming events, workshops, series sessions and visits, soonest first.

``upcoming(store, limit)`` is for the home page (what's on next); ``whats_on(store, format=,
kind=)`` for the events page's filters. Two Queries (events and visits by start time), no Scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from functions.common.ids import utcnow
from functions.common.store import Store
from functions.places.domain import Listing

FORMATS = {"online": "Online", "in_person": "In person", "hybrid": "Hybrid"}
KINDS = {"community_event": "Community events", "workshop": "Workshops", "series_session": "Series", "visit": "Visits"}


@dataclass(frozen=True)
class Upcoming:
    title: str
    kind: str
    kind_label: str
    format: str
    format_label: str
    starts_at: datetime
    location: str
    href: str
    places_left: int
    full: bool
    listing: Listing


def _item(listing: Listing) -> Upcoming:
    kind = str(getattr(listing, "kind", "visit"))
    label = str(getattr(listing, "kind_label", "Visit"))
    return Upcoming(
        title=listing.title,
        kind=kind,
        kind_label=label,
        format=listing.format.value,
        format_label=listing.format_label,
        starts_at=listing.starts_at,
        location=listing.location,
        href=listing.page_path,
        places_left=listing.places_left,
        full=listing.full,
        listing=listing,
    )


def whats_on(
    store: Store | None = None, *, format: str = "", kind: str = "", limit: int | None = None
) -> list[Upcoming]:
    from functions.events.repository import EventRepository
    from functions.visits.repository import VisitRepository

    now = utcnow()
    listings: list[Listing] = []
    if kind in ("", "community_event", "workshop", "series_session"):
        listings += EventRepository(store).upcoming(now, limit)
    if kind in ("", "visit"):
        listings += VisitRepository(store).upcoming(now, limit)
    items = sorted((_item(listing) for listing in listings), key=lambda u: u.starts_at)
    items = [u for u in items if (not format or u.format == format) and (not kind or u.kind == kind)]
    return items[:limit] if limit is not None else items


def upcoming(store: Store | None = None, limit: int = 5) -> list[Upcoming]:
    """What's on next, for the home page: each with ``title``, ``kind_label``, ``starts_at``,
    ``format_label``, ``href`` and ``full``."""
    return whats_on(store, limit=limit)
