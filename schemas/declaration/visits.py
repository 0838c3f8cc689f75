"""Visits programme: listings, sign-ups with limited places, waiting list, reminders."""

from __future__ import annotations

from .model import ApiTrigger, Bucket, Function

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="visits",
        handler="functions.visits.handler:handler",
        description="Visit listings and pages, staff publishing, sign-ups, cancelling and offer links.",
        triggers=(ApiTrigger(prefixes=("/api/visits", "/visits")),),
        tables={"main": "read_write", "outbox": "read_write"},
        reads_signing_keys=True,
    ),
)
BUCKETS: tuple[Bucket, ...] = ()
