"""Events in the life of a Special Interest Group."""

from __future__ import annotations

from pydantic import EmailStr

from .base import DomainEvent


class SigProposed(DomainEvent):
    sig_id: str
    name: str
    purpose: str
    themes: list[str]
    proposer_id: str
    proposer_email: EmailStr
    proposer_name: str
    co_convener_emails: list[EmailStr]


class SigApproved(DomainEvent):
    sig_id: str
    name: str
    purpose: str
    proposer_email: EmailStr
    proposer_name: str
    convener_emails: list[EmailStr]
    decided_by: EmailStr
    note: str


class SigRejected(DomainEvent):
    sig_id: str
    name: str
    proposer_email: EmailStr
    proposer_name: str
    decided_by: EmailStr
    note: str


class MemberJoinedSig(DomainEvent):
    sig_id: str
    member_id: str


class MemberLeftSig(DomainEvent):
    sig_id: str
    member_id: str
