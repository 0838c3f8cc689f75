"""How SIGs are listed by status, shared by ``repository.py`` and by readers that must not load
the SIG area's models: the home page lists the newest groups on every visitor's first page, a
cold start, and the domain brings the SIG events' pydantic models with it.
"""

from __future__ import annotations

from enum import StrEnum


class SigStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


def by_status(status: SigStatus) -> str:
    """The ``gsi1`` partition of the SIGs in ``status`` (sorted by name)."""
    return f"SIGS#{status.value}"
