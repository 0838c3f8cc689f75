"""Events of "Supporting Q Connections" funding.

``BidApproved`` is a contract the newsletter consumes: add fields, never remove or rename.
"""

from __future__ import annotations

from pydantic import EmailStr

from .base import DomainEvent


class BidApproved(DomainEvent):
    bid_id: str
    round_id: str
    round_name: str
    title: str
    summary: str
    amount_pence: int
    applicant_id: str
    applicant_email: EmailStr
    applicant_name: str
    sig_id: str | None = None
    sig_name: str | None = None
    #: The applicant agreed to be named in the newsletter if funded.
    consent_to_be_named: bool
