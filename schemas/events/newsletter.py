"""Events of the newsletter area."""

from __future__ import annotations

from .base import DomainEvent

__all__ = ["DomainEvent"]
