"""Bodies of the "Supporting Q Connections" funding API.

Money is integer pence (GBP) and strictly an integer: ``"500"``, ``5.0`` and ``true`` are
refused rather than guessed at. Times are timezone-aware ISO 8601.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from schemas.api.base import ApiModel
from schemas.api.origins import Origins, OriginView, distinct
from schemas.text import EmailAddress, MultiLine, SingleLine

#: £10m: far above any real pot, low enough that sums of pence stay exact everywhere.
MAX_PENCE = 1_000_000_000
MAX_PANEL = 20
MAX_BUDGET_LINES = 20
#: The longest review period a round may set (days after it closes).
LONGEST_REVIEW_DAYS = 180

Pence = Annotated[StrictInt, Field(gt=0, le=MAX_PENCE, description="Integer pence (GBP).", examples=[250000])]
Email = Annotated[EmailAddress, StringConstraints(max_length=254)]
Id = Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
BidStatusName = Literal["submitted", "in_review", "approved", "rejected", "unfunded", "withdrawn"]
RoundState = Literal["upcoming", "open", "closed"]


def _distinct_lower(emails: list[str]) -> list[str]:
    return list(dict.fromkeys(e.lower() for e in emails))


class DecisionRuleBody(ApiModel):
    model_config = ConfigDict(extra="forbid")

    approvals_needed: Annotated[StrictInt, Field(ge=1, le=MAX_PANEL)] = Field(
        description="Approvals that fund a bid.", examples=[2]
    )
    higher_amount_pence: Pence | None = Field(
        default=None, description="Bids above this amount need `approvals_needed_above` approvals instead."
    )
    approvals_needed_above: Annotated[StrictInt, Field(ge=1, le=MAX_PANEL)] | None = Field(default=None, examples=[3])


class CreateRound(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[SingleLine, StringConstraints(min_length=3, max_length=120)] = Field(
        examples=["Supporting Q Connections 2026"]
    )
    description: Annotated[MultiLine, StringConstraints(min_length=10, max_length=4000)]
    opens_at: AwareDatetime = Field(description="With its offset, e.g. 2026-01-05T09:00:00+00:00 (Europe/London).")
    closes_at: AwareDatetime
    budget_pence: Pence = Field(description="The pot: awards never add up to more than this.")
    max_award_pence: Pence = Field(description="The most one bid may ask for.")
    reviewer_emails: list[Email] = Field(min_length=1, max_length=MAX_PANEL, description="The review panel.")
    decision_rule: DecisionRuleBody
    review_period_days: Annotated[StrictInt, Field(ge=1, le=LONGEST_REVIEW_DAYS)] = Field(
        description="Days after the round closes by which bids should be decided."
    )
    reminder_after_days: Annotated[StrictInt, Field(ge=1, le=60)] = Field(
        default=3, description="Remind a reviewer whose review has been pending this many days."
    )

    @field_validator("reviewer_emails")
    @classmethod
    def _distinct_reviewers(cls, emails: list[str]) -> list[str]:
        return _distinct_lower(emails)


class BudgetLineBody(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    description: Annotated[SingleLine, StringConstraints(min_length=1, max_length=200)]
    amount_pence: Pence


class CreateBid(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[SingleLine, StringConstraints(min_length=3, max_length=120)] = Field(
        examples=["A paid convener for the Third Sector SIG"]
    )
    summary: Annotated[MultiLine, StringConstraints(min_length=10, max_length=4000)]
    amount_pence: Pence
    sig_id: Id | None = Field(default=None, description="The Special Interest Group this bid supports, if any.")
    budget_lines: list[BudgetLineBody] = Field(
        min_length=1, max_length=MAX_BUDGET_LINES, description="What the money pays for; must add up to the amount."
    )
    co_applicant_emails: list[Email] = Field(default_factory=list, max_length=5)
    consent_to_be_named: StrictBool = Field(
        default=False, description="May we name you in the newsletter if the bid is funded?"
    )
    origins: Origins = Field(default_factory=list)

    _distinct_origins = field_validator("origins")(distinct)

    @field_validator("co_applicant_emails")
    @classmethod
    def _distinct_co_applicants(cls, emails: list[str]) -> list[str]:
        return _distinct_lower(emails)


class ReviewBid(ApiModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "reject", "abstain"]
    comment: Annotated[MultiLine, StringConstraints(max_length=2000)] = ""


class AddReviewer(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    email: Email


# -- responses ------------------------------------------------------------------------------
class DecisionRuleView(ApiModel):
    approvals_needed: int
    higher_amount_pence: int | None = None
    approvals_needed_above: int | None = None
    description: str = Field(examples=["2 approvals; 3 for bids above £2,500"])


class BudgetLineView(ApiModel):
    description: str
    amount_pence: int


class BidSummary(ApiModel):
    bid_id: str
    round_id: str
    title: str
    amount_pence: int
    status: BidStatusName
    submitted_at: str
    decided_at: str | None = None
    applicant_name: str | None = Field(default=None, description="Staff only.")


class RoundStaffView(ApiModel):
    awarded_pence: int
    remaining_pence: int
    reviewer_emails: list[str]
    bids_by_status: dict[str, list[BidSummary]]


class RoundView(ApiModel):
    round_id: str
    name: str
    description: str
    state: RoundState
    opens_at: str
    closes_at: str
    review_ends_at: str
    budget_pence: int
    max_award_pence: int
    decision_rule: DecisionRuleView
    review_period_days: int
    staff: RoundStaffView | None = Field(default=None, description="Only for the community team.")


class RoundList(ApiModel):
    rounds: list[RoundView]


class BidCreated(ApiModel):
    bid_id: str
    status: BidStatusName


class ReviewCounts(ApiModel):
    approvals: int
    rejections: int
    abstentions: int
    pending: int = Field(description="Reviews still wanted (0 once the bid is decided).")
    not_needed: int = Field(0, description="Reviews still out when the bid was decided: no longer needed.")
    approvals_needed: int


class ReviewerView(ApiModel):
    email: str
    assigned_at: str
    decision: Literal["approve", "reject", "abstain"] | None = None
    comment: str = ""
    reviewed_at: str | None = None
    reminded_at: str | None = None


class BidView(ApiModel):
    bid_id: str
    round_id: str
    round_name: str
    title: str
    summary: str
    amount_pence: int
    sig_id: str | None = None
    sig_name: str | None = None
    budget_lines: list[BudgetLineView]
    co_applicant_emails: list[str]
    consent_to_be_named: bool
    status: BidStatusName
    submitted_at: str
    decided_at: str | None = None
    decision_reason: str = ""
    reviews: ReviewCounts
    comments: list[str] = Field(description="Reviewers' comments once decided, without reviewers' names.")
    reviewers: list[ReviewerView] | None = Field(default=None, description="Only for the community team.")
    needs_reviewers: bool = False
    came_from: list[OriginView] = Field(default_factory=list, description="What the bid came from (issue 11).")


class BidList(ApiModel):
    bids: list[BidSummary]


class HistoryEntryView(ApiModel):
    at: str
    by: str
    action: str
    from_status: str | None = None
    to_status: str | None = None
    why: str = ""


class BidHistory(ApiModel):
    bid_id: str
    entries: list[HistoryEntryView]
