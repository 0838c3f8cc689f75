"""The base of every domain event: past tense, immutable, self-describing."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


def _event_id() -> str:
    return f"evt_{int(time.time() * 1000):012x}{secrets.token_hex(6)}"


class DomainEvent(BaseModel):
    """Something that happened. Its class name is its EventBridge ``detail-type``."""

    # defer_build: validators (the email validator among them) are built on first use, not at
    # import, so a function pays only for the events it handles.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    #: One event, one id: consumers use it to do their work exactly once.
    event_id: str = Field(default_factory=_event_id)
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    registry: ClassVar[dict[str, type[DomainEvent]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        DomainEvent.registry[cls.__name__] = cls

    @classmethod
    def detail_type(cls) -> str:
        return cls.__name__
