"""Visits programme: listings, sign-ups with limited places, waiting list, reminders."""

from __future__ import annotations

from .model import Bucket, Function
from .places import place_functions

FUNCTIONS: tuple[Function, ...] = place_functions(
    "visit",
    prefixes=("/api/visits", "/visits"),
    description="Visit listings and pages, staff publishing and changes, sign-ups, cancelling and offer links.",
)
BUCKETS: tuple[Bucket, ...] = ()
