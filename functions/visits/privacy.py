"""A member's data in the Visits programme: their sign-ups, with the needs they told us
(export and erasure are the shared ones of ``functions.places.privacy``)."""

from __future__ import annotations

from typing import Any

from functions.common.store import Store
from functions.members.model import Member
from functions.places.privacy import erase_signups, export_signups

from .service import VisitService


def export(member: Member, store: Store) -> dict[str, Any]:
    return {"signups": export_signups(VisitService(store=store), member.member_id)}


def erase(member: Member, store: Store) -> None:
    erase_signups(VisitService(store=store), member.member_id)
