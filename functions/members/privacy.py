"""A member's own record: exported as it is, erased last (other areas look the member up)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from functions.common.store import Delete, Store

from .model import Member


def export(member: Member, store: Store) -> dict[str, Any]:
    del store
    return {"profile": asdict(member)}


def erase(member: Member, store: Store) -> None:
    store.write(
        [
            Delete({"pk": f"EMAIL#{member.email}", "sk": "MEMBER"}),
            Delete({"pk": f"MEMBER#{member.member_id}", "sk": "PROFILE"}),
        ]
    )
