"""The transactional outbox's forwarder: the outbox table's stream -> the event bus."""

from __future__ import annotations

from .model import Function, StreamTrigger

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="outbox-forwarder",
        handler="functions.outbox.forwarder:handler",
        description="Puts each new outbox item on the event bus (the outbox stream's only reader).",
        triggers=(StreamTrigger(name="outbox-stream", table="outbox"),),
        publishes_events=True,
        memory_mb=256,
        timeout_seconds=30,
    ),
)
