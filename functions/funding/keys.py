"""Where funding rounds are listed, shared by ``repository.py`` and by readers that must not
load funding's models: the home page lists the open rounds on every visitor's first page, a
cold start, and importing the area's domain and its pydantic schemas would double it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from functions.common.store import AFTER_IDS

#: ``gsi1`` partition of every round, sorted by ``<closes_at>#<round id>``.
ROUNDS = "ROUNDS"


def stored_time(moment: datetime) -> str:
    """One offset for every stored time, so keys sort by time."""
    return moment.astimezone(UTC).isoformat()


def closing_by(moment: datetime) -> str:
    """The ``gsi1`` sort key after every round closing at ``moment``: a range bound (``sk_from``
    for those closing later, ``sk_to`` for those closed by then)."""
    return f"{stored_time(moment)}{AFTER_IDS}"
