"""Every domain event, by detail-type. Each area adds its module to ``AREAS``.

``EVENT_TYPES`` is built on first use: a function that only publishes its own events imports
only its own area's models (import time is Lambda cold-start time).
"""

from __future__ import annotations

import importlib
from typing import Any

from schemas.constants import EVENT_SOURCE

from .base import DomainEvent

AREAS = ("account", "canary", "comments", "events", "followups", "funding", "newsletter", "openspace", "sigs", "visits")


def __getattr__(name: str) -> Any:
    if name == "EVENT_TYPES":
        for area in AREAS:
            importlib.import_module(f"{__name__}.{area}")
        return dict(DomainEvent.registry)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AREAS", "EVENT_SOURCE", "EVENT_TYPES", "DomainEvent"]
