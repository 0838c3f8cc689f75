"""Events in the life of a Special Interest Group."""

from __future__ import annotations

from schemas.text import EmailAddress

from .base import DomainEvent


class SigProposed(DomainEvent):
    sig_id: str
    name: str
    purpose: str
    themes: list[str]
    proposer_id: str
    proposer_email: EmailAddress
    proposer_name: str
    co_convener_emails: list[EmailAddress]


class SigApproved(DomainEvent):
    sig_id: str
    name: str
    purpose: str
    proposer_email: EmailAddress
    proposer_name: str
    convener_emails: list[EmailAddress]
    decided_by: EmailAddress
    note: str


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
