"""Events in the life of a Special Interest Group."""

from __future__ import annotations

from pydantic import Field

from schemas.text import EmailAddress

from .base import DomainEvent
from .origins import Origin


class SigProposed(DomainEvent):
    sig_id: str
    name: str
    purpose: str
    themes: list[str]
    proposer_id: str
    proposer_email: EmailAddress
    proposer_name: str
    co_convener_emails: list[EmailAddress]
    origins: list[Origin] = Field(default_factory=list, description="What the proposal came from.")


class SigApproved(DomainEvent):
    sig_id: str
    name: str
    purpose: str
    proposer_email: EmailAddress
    proposer_name: str
    convener_emails: list[EmailAddress]
    decided_by: EmailAddress
    note: str
    origins: list[Origin] = Field(default_factory=list, description="What the group came from.")
    proposer_id: str = ""


class SigRejected(DomainEvent):
    sig_id: str
    name: str
    proposer_email: EmailAddress
    proposer_name: str
    decided_by: EmailAddress
    note: str


class MemberJoinedSig(DomainEvent):
    sig_id: str
    member_id: str


class MemberLeftSig(DomainEvent):
    sig_id: str
    member_id: str


class SigConvenerLeft(DomainEvent):
    """A convener stepped down or erased their account. With no convener left, the group is
    looking for one: staff are told, and members may offer to convene."""

    sig_id: str
    name: str
    conveners_left: int
    reason: str  # "stepped down" or "account erased"


class SigConvenerOffered(DomainEvent):
    """A member offered to convene a group that is looking for a convener; staff decide."""

    sig_id: str
    name: str
    member_id: str
    member_name: str


class SigConvenerAppointed(DomainEvent):
    """Staff accepted a member's offer: they convene the group now."""

    sig_id: str
    name: str
    member_id: str
    member_email: EmailAddress
    member_name: str
    appointed_by: EmailAddress
