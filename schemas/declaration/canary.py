"""The deployment canary: a small staff-only route that puts an event through the outbox, and the
consumer that records its arrival. ``convene smoke`` uses both to prove, on a deployed stack,
that events flow (outbox stream -> bus -> rule -> queue -> function)."""

from __future__ import annotations

from .model import ApiTrigger, EventTrigger, Function

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="canary",
        handler="functions.canary.handler:handler",
        description="Deployment canary (staff): post an event through the outbox, read whether it arrived.",
        triggers=(ApiTrigger(prefixes=("/api/canaries",)),),
        tables={"main": "read_write", "outbox": "read_write"},
        reads_signing_keys=True,
    ),
    Function(
        name="canary-consumer",
        handler="functions.canary.consumer:handler",
        description="Records that a canary event reached a consumer.",
        triggers=(EventTrigger(name="canary", detail_types=("CanaryPosted",)),),
        tables={"main": "read_write", "idempotency": "read_write"},
    ),
)
