"""How listings (visits, events) are keyed and what their stored counters mean, shared by
``domain.py``/``repository.py`` and by readers that must not load the listing areas' models:
the home page shows what's on next on every visitor's first page, a cold start, and the domain
modules bring the areas' pydantic event models with them.

A kind of listing is named by its noun (``visit``, ``event``): keys ``VISIT#<id>``, the id in
``visit_id``, pages under ``/visits``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum


class ListingStatus(StrEnum):
    PUBLISHED = "published"
    CANCELLED = "cancelled"


def ts(moment: datetime) -> str:
    """One format for every stored time, so that string order is time order in keys and conditions."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def prefix(noun: str) -> str:
    return noun.upper()


def id_attribute(noun: str) -> str:
    return f"{noun}_id"


def path(noun: str) -> str:
    return f"/{noun}s"


def by_status(kind_prefix: str, status: ListingStatus) -> str:
    """The ``gsi1`` partition of a kind's listings in ``status``, sorted by ``<starts_at>#<id>``."""
    return f"{kind_prefix}S#{status.value}"


#: Every listing's ``gsi1`` sort key (a time) sorts before this. An area may list its own items
#: after its listings in the same partition (events: every series, so that the events list reads
#: the upcoming events and the series with one Query); a reader of listings alone ends here.
LISTINGS_END = "~"


def places_left(places: int, taken: int) -> int:
    return max(0, places - taken)


def full(places: int, taken: int, waiting: int) -> bool:
    """A newcomer would wait: no place left, or others already waiting for one."""
    return places_left(places, taken) == 0 or waiting > 0
