"""Events of "Supporting Q Connections" funding.

``BidApproved`` is a contract the newsletter consumes: add fields, never remove or rename.
Amounts are integer pence (GBP); times are timezone-aware.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.text import EmailAddress

from .base import DomainEvent
from .origins import Origin


class BidApproved(DomainEvent):
    bid_id: str
    round_id: str
    round_name: str
    title: str
    summary: str
    amount_pence: int
    applicant_id: str
    applicant_email: EmailAddress
    applicant_name: str
    sig_id: str | None = None
    sig_name: str | None = None
    #: The applicant agreed to be named in the newsletter if funded.
    consent_to_be_named: bool
    origins: list[Origin] = Field(default_factory=list, description="What the bid came from.")


class BidSubmitted(DomainEvent):
    """A member bid in an open round: reviewers are assigned, the applicant gets a receipt."""

    bid_id: str
    round_id: str
    round_name: str
    title: str
    amount_pence: int
    applicant_id: str
    applicant_email: EmailAddress
    applicant_name: str
    sig_id: str | None = None
    sig_name: str | None = None
    origins: list[Origin] = Field(default_factory=list, description="What the bid came from.")


class BidReviewRequested(DomainEvent):
    """One reviewer is asked to review one bid (``reminder``: asked again, still pending)."""

    bid_id: str
    round_id: str
    round_name: str
    title: str
    amount_pence: int
    applicant_name: str
    reviewer_email: EmailAddress
    review_due_at: str
    reminder: bool = False


class BidNamedPanelMembers(DomainEvent):
    """The bid names people (co-applicants who have not confirmed) who sit on the round's review
    panel. Unconfirmed names take no one off the panel; had they counted, they would have:
    staff are told why, so conflicts of interest cannot be used to choose one's own reviewers."""

    bid_id: str
    round_id: str
    round_name: str
    title: str
    panel_members: list[EmailAddress]
    reason: str


class BidLeftShortOfReviewers(DomainEvent):
    """Too few reviewers without a conflict of interest remain to reach a decision:
    staff must add reviewers, or the bid would stall."""

    bid_id: str
    round_id: str
    round_name: str
    title: str
    approvals_needed: int
    reviewers_assigned: int
    conflicts_excluded: int


class _NotFunded(BaseModel):
    """What the applicant is told when a bid is not funded. A plain model, not an event, so
    it is no detail-type of its own."""

    model_config = ConfigDict(defer_build=True)  # as events: built on first use

    bid_id: str
    round_id: str
    round_name: str
    title: str
    amount_pence: int
    applicant_id: str
    applicant_email: EmailAddress
    applicant_name: str
    reason: str


class BidRejected(DomainEvent, _NotFunded):
    """Approval could no longer be reached with the reviews left."""


class BidUnfunded(DomainEvent, _NotFunded):
    """Reviewers approved the bid, but the round's pot no longer had room for it."""


class BidWithdrawalRecorded(DomainEvent):
    """The applicant withdrew the bid before it was decided. (Named so, not "BidWithdrawn",
    because event names must read as past tense to the schema checks, which know "-ed".)"""

    bid_id: str
    round_id: str
    title: str
    applicant_id: str


class UndecidedBid(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    bid_id: str
    title: str
    amount_pence: int
    status: str
    reviews_pending: int


class RoundReviewPeriodEnded(DomainEvent):
    """The round's review period is over; these bids are still undecided."""

    round_id: str
    round_name: str
    review_ended_at: str
    undecided: list[UndecidedBid]
