"""Community events, workshops and series: pages and API, sign-ups on the shared places and
waiting lists (``functions.places``), the waiting list's events and schedules, and emails."""

from __future__ import annotations

from .model import Bucket, Function
from .places import place_functions

FUNCTIONS: tuple[Function, ...] = place_functions(
    "event",
    prefixes=("/api/events", "/events", "/api/series", "/series"),
    description="Events and series: listings and pages, staff publishing and changes, sign-ups and email links.",
)
BUCKETS: tuple[Bucket, ...] = ()
