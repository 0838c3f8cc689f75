"""The team home holds no personal data: its ledger names groups, bids and visits by title and
id, and counts; never a member's name or address. So there is nothing to export or erase."""

from __future__ import annotations

from typing import Any

from functions.common.store import Store
from functions.members.model import Member


def export(member: Member, store: Store) -> dict[str, Any]:
    del member, store
    return {}


def erase(member: Member, store: Store) -> None:
    del member, store
