"""A member's data in funding (UK GDPR): exported, and erased.

Erasure keeps what the community relies on (decisions, money awarded, the audit trail) and
takes the member out of it: their bids keep no name or address (an undecided one is
withdrawn), they leave co-applicant lists and review panels, and their reviews and audit
entries stay under a stand-in.
"""

from __future__ import annotations

from typing import Any

from functions.common.store import Store
from functions.members.model import Member

from .service import FundingService


def export(member: Member, store: Store) -> dict[str, Any]:
    return FundingService(store=store).personal_data(member.member_id, member.email)


def erase(member: Member, store: Store) -> None:
    FundingService(store=store).forget_member(member.member_id, member.email)
