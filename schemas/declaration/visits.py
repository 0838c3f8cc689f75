"""Visits programme: listings, sign-ups with limited places, waiting list, reminders."""

from __future__ import annotations

from .model import Bucket, Function

FUNCTIONS: tuple[Function, ...] = ()
BUCKETS: tuple[Bucket, ...] = ()
