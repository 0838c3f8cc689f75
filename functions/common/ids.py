"""Identifiers and time, the only sources of randomness and "now" in the domain."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime


def new_id(prefix: str) -> str:
    """Time-ordered, URL-safe, unguessable: ``sig_0195f3a2b4c1_7f3a9c2e1d``."""
    return f"{prefix}_{int(time.time() * 1000):012x}{secrets.token_hex(5)}"


def utcnow() -> datetime:
    return datetime.now(UTC)
