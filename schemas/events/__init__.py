"""Every domain event, by detail-type. Each area adds its module here."""

from __future__ import annotations

from . import account, funding, newsletter, sigs, visits
from .base import DomainEvent

EVENT_TYPES: dict[str, type[DomainEvent]] = dict(DomainEvent.registry)

__all__ = ["EVENT_TYPES", "DomainEvent", "account", "funding", "newsletter", "sigs", "visits"]
