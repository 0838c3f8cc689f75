"""The deployment canary: an event with no personal data, put through the outbox by the smoke
test to prove that events leave the outbox and reach a consumer."""

from __future__ import annotations

from pydantic import Field

from .base import DomainEvent

CANARY_ID_PATTERN = r"^can_[0-9a-f]{16}$"


class CanaryPosted(DomainEvent):
    """Staff posted a canary (``convene smoke``); the canary consumer records that it arrived."""

    canary_id: str = Field(pattern=CANARY_ID_PATTERN, examples=["can_0123456789abcdef"])


__all__ = ["CANARY_ID_PATTERN", "CanaryPosted"]
