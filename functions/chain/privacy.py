"""A member's data in the chain of ideas: only their display name, where a "taken forward" page
names them (as a conversation's host, a SIG's proposer, a funded bid's applicant who agreed to be
named). Export lists where; erasure replaces the name with "Former member" (the story stays:
others' work is part of it)."""

from __future__ import annotations

from typing import Any

from functions.common.store import Store
from functions.members.model import Member

from .repository import ChainRepository

FORMER_MEMBER = "Former member"


def export(member: Member, store: Store) -> dict[str, Any]:
    return {
        "named_in_taken_forward_pages": [
            {"where": str(i["sk"]).split("|", 1)[0], "name": i.get("name", "")}
            for i in ChainRepository(store).naming(member.member_id)
        ]
    }


def erase(member: Member, store: Store) -> None:
    ChainRepository(store).forget(member.member_id, FORMER_MEMBER)
