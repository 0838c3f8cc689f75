"""Supporting Q Connections funding: the rules, in plain Python.

Staff open a round with a pot, a maximum award, a review panel and a decision rule. Members
bid while the round is open. Reviewers without a conflict of interest are assigned to each bid;
each reviews once (approve, reject or abstain). A bid is decided once:

- **approved** as soon as it has the approvals its amount needs (``DecisionRule``), and the
  pot still has room for it; otherwise **unfunded**, saying so;
- **rejected** as soon as approval can no longer be reached: the approvals so far plus the
  reviews still pending are fewer than needed. That rule only applies once enough reviewers
  are assigned to reach a decision at all; when too few are (conflicts of interest), staff are
  told and add reviewers, and the bid waits for them rather than being rejected for our
  shortfall.

Every transition returns a :class:`Change`: the new bid, the events it causes and the audit
entries that explain it, written together by the repository.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from functions.common.errors import Conflict, DomainError, Forbidden, NotFound
from functions.common.web import format_datetime
from functions.common.web import format_pounds as pounds
from schemas.api.funding import CreateBid, CreateRound
from schemas.events.base import DomainEvent
from schemas.events.funding import (
    BidApproved,
    BidLeftShortOfReviewers,
    BidNamedPanelMembers,
    BidRejected,
    BidReviewRequested,
    BidSubmitted,
    BidUnfunded,
    BidWithdrawalRecorded,
)
from schemas.events.origins import Origin

#: Who the audit history names when the system, not a person, changed something.
SYSTEM = "system"


class BidStatus(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    UNFUNDED = "unfunded"
    WITHDRAWN = "withdrawn"


#: Statuses in which a bid is still waiting for a decision (and may be withdrawn).
UNDECIDED = (BidStatus.SUBMITTED, BidStatus.IN_REVIEW)


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ABSTAIN = "abstain"


class RoundState(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


# -- errors -------------------------------------------------------------------------------------
class Problems(DomainError):
    """Input that breaks a rule, per field (all of them, so a form can show every problem)."""

    status = 422

    def __init__(self, problems: Mapping[str, str]) -> None:
        first = next(iter(problems))
        super().__init__(" ".join(problems.values()), field=first)
        self.problems = dict(problems)


class RoundNotOpen(Conflict):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="round_id")


class BidDecided(Conflict):
    """The bid is no longer waiting for a decision; ``bid`` shows the outcome."""

    def __init__(self, bid: Bid) -> None:
        super().__init__(f"This bid was already {bid.status_label}{_on(bid.decided_at)}.")
        self.bid = bid


class AlreadyReviewed(Conflict):
    def __init__(self, review: Review) -> None:
        super().__init__(f"You already reviewed this bid ({review.decision}){_on(review.reviewed_at)}.")
        self.review = review


def _on(when: str | None) -> str:
    return f" on {day(when)}" if when else ""


def day(when: datetime | str) -> str:
    """A date as the community reads it (its own timezone)."""
    return format_datetime(when, "%-d %B %Y")


# -- rounds -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DecisionRule:
    approvals_needed: int
    higher_amount_pence: int | None = None
    approvals_needed_above: int | None = None

    def approvals_for(self, amount_pence: int) -> int:
        if (
            self.higher_amount_pence is not None
            and self.approvals_needed_above
            and amount_pence > self.higher_amount_pence
        ):
            return self.approvals_needed_above
        return self.approvals_needed

    @property
    def most_needed(self) -> int:
        return max(self.approvals_needed, self.approvals_needed_above or 0)

    def describe(self) -> str:
        text = f"{self.approvals_needed} approval{'s' if self.approvals_needed != 1 else ''}"
        if self.higher_amount_pence is not None and self.approvals_needed_above:
            text += f"; {self.approvals_needed_above} for bids above {pounds(self.higher_amount_pence)}"
        return text


@dataclass(frozen=True)
class Round:
    round_id: str
    name: str
    description: str
    opens_at: datetime
    closes_at: datetime
    budget_pence: int
    max_award_pence: int
    reviewer_emails: tuple[str, ...]
    rule: DecisionRule
    review_period_days: int
    reminder_after_days: int
    created_by: str
    created_at: str
    awarded_pence: int = 0
    review_period_reported: bool = False

    def state(self, now: datetime) -> RoundState:
        if now < self.opens_at:
            return RoundState.UPCOMING
        if now < self.closes_at:
            return RoundState.OPEN
        return RoundState.CLOSED

    @property
    def review_ends_at(self) -> datetime:
        return self.closes_at + timedelta(days=self.review_period_days)

    @property
    def remaining_pence(self) -> int:
        return self.budget_pence - self.awarded_pence


def round_problems(draft: CreateRound) -> dict[str, str]:
    """The rules a new round must follow beyond the shape of its fields."""
    problems: dict[str, str] = {}
    if draft.closes_at <= draft.opens_at:
        problems["closes_at"] = "The round must close after it opens."
    if draft.max_award_pence > draft.budget_pence:
        problems["max_award_pence"] = (
            f"The maximum award ({pounds(draft.max_award_pence)}) cannot be more than the pot "
            f"({pounds(draft.budget_pence)})."
        )
    rule = draft.decision_rule
    panel = len(draft.reviewer_emails)
    if rule.approvals_needed > panel:
        problems["decision_rule"] = (
            f"The rule needs {rule.approvals_needed} approvals but the panel has only {panel} reviewer"
            f"{'s' if panel != 1 else ''}."
        )
    elif (rule.higher_amount_pence is None) != (rule.approvals_needed_above is None):
        problems["decision_rule"] = "Give both the higher amount and the approvals it needs, or neither."
    elif rule.approvals_needed_above is not None:
        if rule.approvals_needed_above < rule.approvals_needed:
            problems["decision_rule"] = "Bids above the higher amount cannot need fewer approvals than others."
        elif rule.approvals_needed_above > panel:
            problems["decision_rule"] = (
                f"Bids above the higher amount need {rule.approvals_needed_above} approvals but the panel has "
                f"only {panel}."
            )
    return problems


def open_round(round_id: str, draft: CreateRound, *, by: str, now: datetime) -> Round:
    problems = round_problems(draft)
    if problems:
        raise Problems(problems)
    rule = draft.decision_rule
    return Round(
        round_id=round_id,
        name=draft.name,
        description=draft.description,
        opens_at=draft.opens_at,
        closes_at=draft.closes_at,
        budget_pence=draft.budget_pence,
        max_award_pence=draft.max_award_pence,
        reviewer_emails=tuple(draft.reviewer_emails),
        rule=DecisionRule(rule.approvals_needed, rule.higher_amount_pence, rule.approvals_needed_above),
        review_period_days=draft.review_period_days,
        reminder_after_days=draft.reminder_after_days,
        created_by=by,
        created_at=now.isoformat(),
    )


# -- bids ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Applicant:
    member_id: str
    email: str
    name: str


@dataclass(frozen=True)
class BudgetLine:
    description: str
    amount_pence: int


@dataclass(frozen=True)
class SupportedSig:
    """The SIG a bid supports, as the bid names it. Its conveners are read from the SIG area
    whenever conflicts of interest are worked out, so no copy of their addresses is kept."""

    sig_id: str
    name: str


@dataclass(frozen=True)
class Review:
    reviewer: str
    assigned_at: str
    decision: Decision | None = None
    comment: str = ""
    reviewed_at: str | None = None
    reminded_at: str | None = None

    @property
    def pending(self) -> bool:
        return self.decision is None


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    by: str
    action: str
    from_status: str | None = None
    to_status: str | None = None
    why: str = ""


@dataclass(frozen=True)
class Bid:
    bid_id: str
    round_id: str
    round_name: str
    applicant: Applicant
    title: str
    summary: str
    amount_pence: int
    budget_lines: tuple[BudgetLine, ...]
    co_applicant_emails: tuple[str, ...]
    consent_to_be_named: bool
    submitted_at: str
    approvals_needed: int
    status: BidStatus = BidStatus.SUBMITTED
    sig: SupportedSig | None = None
    reviews: tuple[Review, ...] = ()
    needs_reviewers: bool = False
    decided_at: str | None = None
    decision_reason: str = ""
    #: Bumped by every write: each change is conditional on the version it was computed from.
    version: int = 0
    #: The named co-applicants who confirmed by their emailed link. Only they count: a name
    #: nobody confirmed takes no reviewer off the panel.
    confirmed_co_applicants: tuple[str, ...] = ()
    #: What the bid came from (checked when named: ``functions.chain.origins``).
    origins: tuple[Origin, ...] = ()

    @property
    def undecided(self) -> bool:
        return self.status in UNDECIDED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def review_by(self, reviewer: str) -> Review | None:
        reviewer = reviewer.lower()
        return next((r for r in self.reviews if r.reviewer == reviewer), None)

    def count(self, decision: Decision) -> int:
        return sum(1 for r in self.reviews if r.decision == decision)

    @property
    def pending(self) -> int:
        return sum(1 for r in self.reviews if r.pending)

    @property
    def awaiting_review(self) -> int:
        """Reviews still wanted: none once the bid is decided (a funded bid waits for no one)."""
        return self.pending if self.undecided else 0

    @property
    def reviews_not_needed(self) -> int:
        """Reviews that were still out when the bid was decided."""
        return 0 if self.undecided else self.pending

    @property
    def comments(self) -> list[str]:
        """Reviewers' comments without their names, for the applicant."""
        return [r.comment for r in self.reviews if r.decision is not None and r.comment]

    def is_applicant(self, email: str) -> bool:
        return email.lower() == self.applicant.email.lower()


STATUS_LABELS = {
    BidStatus.SUBMITTED: "submitted",
    BidStatus.IN_REVIEW: "in review",
    BidStatus.APPROVED: "funded",
    BidStatus.REJECTED: "not funded",
    BidStatus.UNFUNDED: "approved but not funded: the pot had run out",
    BidStatus.WITHDRAWN: "withdrawn",
}


@dataclass(frozen=True)
class Change:
    bid: Bid
    events: list[DomainEvent] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    #: Addresses this change newly puts on the bid (applicant, co-applicants, reviewers, staff
    #: acting on it): the repository indexes them, so an erasure finds every bid naming someone.
    mentions: tuple[str, ...] = ()


def budget_line_problems(amount_pence: int, lines: Sequence[BudgetLine]) -> dict[str, str]:
    if not lines:
        return {"budget_lines": "Add at least one budget line saying what the money pays for."}
    total = sum(line.amount_pence for line in lines)
    if total != amount_pence:
        return {
            "budget_lines": f"The budget lines add up to {pounds(total)}, but the bid asks for "
            f"{pounds(amount_pence)}. Make them match."
        }
    return {}


def title_key(title: str) -> str:
    """Titles that differ only in case, spacing or Unicode form are the same title."""
    return " ".join(unicodedata.normalize("NFKC", title).casefold().split())


def submit(
    bid_id: str,
    rnd: Round,
    draft: CreateBid,
    applicant: Applicant,
    *,
    sig: SupportedSig | None,
    now: datetime,
    origins: tuple[Origin, ...] = (),
) -> Change:
    state = rnd.state(now)
    if state == RoundState.UPCOMING:
        raise RoundNotOpen(f"{rnd.name} is not open for bids yet: it opens on {day(rnd.opens_at)}.")
    if state == RoundState.CLOSED:
        raise RoundNotOpen(f"{rnd.name} closed on {day(rnd.closes_at)}; it no longer takes bids.")
    lines = tuple(BudgetLine(line.description, line.amount_pence) for line in draft.budget_lines)
    problems: dict[str, str] = {}
    if draft.amount_pence > rnd.max_award_pence:
        problems["amount_pence"] = (
            f"This round awards at most {pounds(rnd.max_award_pence)} a bid; "
            f"you asked for {pounds(draft.amount_pence)}."
        )
    problems.update(budget_line_problems(draft.amount_pence, lines))
    if problems:
        raise Problems(problems)
    applicant_email = applicant.email.lower()
    bid = Bid(
        bid_id=bid_id,
        round_id=rnd.round_id,
        round_name=rnd.name,
        applicant=replace(applicant, email=applicant_email),
        title=draft.title,
        summary=draft.summary,
        amount_pence=draft.amount_pence,
        budget_lines=lines,
        co_applicant_emails=tuple(e for e in draft.co_applicant_emails if e != applicant_email),
        consent_to_be_named=draft.consent_to_be_named,
        submitted_at=now.isoformat(),
        approvals_needed=rnd.rule.approvals_for(draft.amount_pence),
        sig=sig,
        origins=origins,
    )
    event = BidSubmitted(
        bid_id=bid.bid_id,
        round_id=rnd.round_id,
        round_name=rnd.name,
        title=bid.title,
        amount_pence=bid.amount_pence,
        applicant_id=applicant.member_id,
        applicant_email=applicant_email,
        applicant_name=applicant.name,
        sig_id=sig.sig_id if sig else None,
        sig_name=sig.name if sig else None,
        origins=list(origins),
    )
    entry = HistoryEntry(now.isoformat(), applicant_email, "submitted", None, BidStatus.SUBMITTED, "Bid submitted.")
    return Change(bid, [event], [entry], mentions=(applicant_email, *bid.co_applicant_emails))


# -- reviewers ----------------------------------------------------------------------------------
def conflicted(bid: Bid, convener_emails: Iterable[str] = ()) -> set[str]:
    """Who may not review this bid: the applicant, co-applicants who confirmed, and the
    (confirmed) conveners of the SIG it supports (``convener_emails``, as they are now)."""
    return {p.lower() for p in (bid.applicant.email, *bid.confirmed_co_applicants, *convener_emails) if p}


def named_on_panel(bid: Bid, panel: Iterable[str]) -> list[str]:
    """Panel members the bid names as co-applicants without their confirmation."""
    unconfirmed = {e.lower() for e in bid.co_applicant_emails} - set(bid.confirmed_co_applicants)
    return [r for r in dict.fromkeys(p.lower() for p in panel) if r in unconfirmed]


def confirm_co_applicant(bid: Bid, email: str, now: datetime) -> Change:
    """A named co-applicant confirms. From now on they have a conflict of interest: a pending
    review of theirs is taken away (and staff told if that leaves too few reviewers)."""
    email = email.lower()
    if email not in {e.lower() for e in bid.co_applicant_emails}:
        raise Conflict("This bid does not name you as a co-applicant (any more).")
    if email in bid.confirmed_co_applicants:
        raise Conflict("You have already confirmed that you are a co-applicant of this bid.")
    at = now.isoformat()
    confirmed = replace(bid, confirmed_co_applicants=(*bid.confirmed_co_applicants, email))
    history = [HistoryEntry(at, email, "co-applicant confirmed", why=f"{email} confirmed they are a co-applicant.")]
    events: list[DomainEvent] = []
    review = confirmed.review_by(email)
    if review is not None and review.pending and confirmed.undecided:
        confirmed = replace(confirmed, reviews=tuple(r for r in confirmed.reviews if r.reviewer != email))
        history.append(
            HistoryEntry(at, SYSTEM, "reviewer removed", why=f"{email} is now a co-applicant: a conflict of interest.")
        )
        if _short(confirmed) and not confirmed.needs_reviewers:
            confirmed = replace(confirmed, needs_reviewers=True)
            events.append(_short_of_reviewers(confirmed, 1))
    return Change(confirmed, events, history)


def eligible_reviewers(panel: Iterable[str], conflicts: set[str]) -> tuple[list[str], list[str]]:
    """(eligible, excluded) members of the panel, in panel order."""
    eligible: list[str] = []
    excluded: list[str] = []
    for reviewer in dict.fromkeys(r.lower() for r in panel):
        (excluded if reviewer in conflicts else eligible).append(reviewer)
    return eligible, excluded


def _review_requests(bid: Bid, rnd: Round, reviewers: Iterable[str], *, reminder: bool = False) -> list[DomainEvent]:
    return [
        BidReviewRequested(
            bid_id=bid.bid_id,
            round_id=bid.round_id,
            round_name=bid.round_name,
            title=bid.title,
            amount_pence=bid.amount_pence,
            applicant_name=bid.applicant.name,
            reviewer_email=reviewer,
            review_due_at=rnd.review_ends_at.isoformat(),
            reminder=reminder,
        )
        for reviewer in reviewers
    ]


def _short_of_reviewers(bid: Bid, excluded: int) -> BidLeftShortOfReviewers:
    return BidLeftShortOfReviewers(
        bid_id=bid.bid_id,
        round_id=bid.round_id,
        round_name=bid.round_name,
        title=bid.title,
        approvals_needed=bid.approvals_needed,
        reviewers_assigned=len(bid.reviews),
        conflicts_excluded=excluded,
    )


def assign(bid: Bid, rnd: Round, current_convener_emails: Iterable[str], now: datetime) -> Change:
    """Assign every panel member without a conflict; tell staff if that cannot reach a decision."""
    if bid.status != BidStatus.SUBMITTED:
        raise BidDecided(bid) if not bid.undecided else Conflict("Reviewers are already assigned to this bid.")
    eligible, excluded = eligible_reviewers(rnd.reviewer_emails, conflicted(bid, current_convener_emails))
    at = now.isoformat()
    short = len(eligible) < bid.approvals_needed
    assigned = replace(
        bid,
        status=BidStatus.IN_REVIEW,
        reviews=tuple(Review(reviewer=r, assigned_at=at) for r in eligible),
        needs_reviewers=short,
    )
    events: list[DomainEvent] = list(_review_requests(assigned, rnd, eligible))
    why = f"{len(eligible)} reviewer(s) from the panel; {len(excluded)} left out for a conflict of interest."
    history = [HistoryEntry(at, SYSTEM, "reviewers assigned", bid.status, assigned.status, why)]
    named = named_on_panel(bid, rnd.reviewer_emails)
    if named:
        reason = (
            f"The bid names {len(named)} member(s) of the review panel as co-applicants ({', '.join(named)}). "
            "They have not confirmed, so they stay on the panel; had the names counted, they would have "
            "been taken off it. Check that the co-applicants are genuine."
        )
        events.append(
            BidNamedPanelMembers(
                bid_id=bid.bid_id,
                round_id=bid.round_id,
                round_name=bid.round_name,
                title=bid.title,
                panel_members=named,
                reason=reason,
            )
        )
        history.append(HistoryEntry(at, SYSTEM, "flagged to staff", why=reason))
    if short:
        events.append(_short_of_reviewers(assigned, len(excluded)))
        history.append(
            HistoryEntry(
                at,
                SYSTEM,
                "needs reviewers",
                why=f"Needs {bid.approvals_needed} approvals but only {len(eligible)} reviewer(s) can review it; "
                "the community team was told.",
            )
        )
    return Change(assigned, events, history, mentions=tuple(eligible))


def add_reviewer(
    bid: Bid, rnd: Round, reviewer: str, current_convener_emails: Iterable[str], *, by: str, now: datetime
) -> Change:
    """Staff add a reviewer (usually because conflicts left too few)."""
    reviewer = reviewer.lower()
    if not bid.undecided:
        raise BidDecided(bid)
    if bid.status == BidStatus.SUBMITTED:
        raise Conflict("Reviewers are being assigned to this bid; try again in a moment.")
    if reviewer in conflicted(bid, current_convener_emails):
        raise Conflict(f"{reviewer} has a conflict of interest with this bid.", field="email")
    if bid.review_by(reviewer):
        raise Conflict(f"{reviewer} is already a reviewer of this bid.", field="email")
    at = now.isoformat()
    reviews = (*bid.reviews, Review(reviewer=reviewer, assigned_at=at))
    # Enough reviewers to decide again once there are as many as the approvals needed: from
    # then on the rule applies (a bid that still cannot reach them is rejected).
    added = replace(bid, reviews=reviews, needs_reviewers=len(reviews) < bid.approvals_needed)
    entry = HistoryEntry(at, by, "reviewer added", why=f"{reviewer} asked to review.")
    return Change(added, _review_requests(added, rnd, [reviewer]), [entry], mentions=(reviewer, by.lower()))


# -- reviewing and deciding ---------------------------------------------------------------------
def outcome(bid: Bid) -> Decision | None:
    """APPROVE once the approvals needed are in; REJECT once they can no longer be reached
    (only when enough reviewers are assigned to reach them at all, and staff have not been
    asked for more); otherwise None."""
    approvals = bid.count(Decision.APPROVE)
    if approvals >= bid.approvals_needed:
        return Decision.APPROVE
    enough_reviewers = len(bid.reviews) >= bid.approvals_needed and not bid.needs_reviewers
    if enough_reviewers and approvals + bid.pending < bid.approvals_needed:
        return Decision.REJECT
    return None


def record_review(bid: Bid, reviewer: str, decision: Decision, comment: str, now: datetime) -> Change:
    reviewer = reviewer.lower()
    if not bid.undecided:
        raise BidDecided(bid)
    existing = bid.review_by(reviewer)
    if existing is None:
        raise Forbidden("You are not a reviewer of this bid.")
    if not existing.pending:
        raise AlreadyReviewed(existing)
    at = now.isoformat()
    done = replace(existing, decision=decision, comment=comment, reviewed_at=at)
    reviewed = replace(bid, reviews=tuple(done if r.reviewer == reviewer else r for r in bid.reviews))
    entry = HistoryEntry(at, reviewer, f"review: {decision.value}", why=comment)
    return Change(reviewed, [], [entry])


def decide(change: Change, *, fits_pot: bool, remaining_pence: int, now: datetime) -> Change:
    """Turn the outcome of a reviewed bid into its decision (if the rule is met). ``fits_pot``
    says whether the round's pot can still take the bid; the repository makes that true
    atomically when it reserves the amount."""
    bid = change.bid
    result = outcome(bid)
    if result is None:
        return change
    at = now.isoformat()
    approvals, needed = bid.count(Decision.APPROVE), bid.approvals_needed
    about = {
        "bid_id": bid.bid_id,
        "round_id": bid.round_id,
        "round_name": bid.round_name,
        "title": bid.title,
        "amount_pence": bid.amount_pence,
        "applicant_id": bid.applicant.member_id,
        "applicant_email": bid.applicant.email,
        "applicant_name": bid.applicant.name,
    }
    event: DomainEvent
    if result == Decision.APPROVE and fits_pot:
        status, reason = BidStatus.APPROVED, f"{approvals} of {needed} approvals needed; funded."
        event = BidApproved(
            **about,
            summary=bid.summary,
            sig_id=bid.sig.sig_id if bid.sig else None,
            sig_name=bid.sig.name if bid.sig else None,
            consent_to_be_named=bid.consent_to_be_named,
            origins=list(bid.origins),
        )
    elif result == Decision.APPROVE:
        status = BidStatus.UNFUNDED
        reason = (
            f"Reviewers approved the bid, but the round's pot had {pounds(remaining_pence)} left, "
            f"less than the {pounds(bid.amount_pence)} requested."
        )
        event = BidUnfunded(**about, reason=reason)
    else:
        status = BidStatus.REJECTED
        reason = f"{approvals} approval(s) of the {needed} needed, and too few reviews left to reach them."
        event = BidRejected(**about, reason=reason)
    decided = replace(bid, status=status, decided_at=at, decision_reason=reason, needs_reviewers=False)
    entry = HistoryEntry(at, SYSTEM, "decided", bid.status, status, reason)
    return replace(change, bid=decided, events=[*change.events, event], history=[*change.history, entry])


def withdraw(bid: Bid, *, by: str, now: datetime) -> Change:
    if not bid.undecided:
        raise BidDecided(bid)
    at = now.isoformat()
    withdrawn = replace(bid, status=BidStatus.WITHDRAWN, decided_at=at, decision_reason="Withdrawn by the applicant.")
    event = BidWithdrawalRecorded(
        bid_id=bid.bid_id, round_id=bid.round_id, title=bid.title, applicant_id=bid.applicant.member_id
    )
    entry = HistoryEntry(at, by, "withdrawn", bid.status, BidStatus.WITHDRAWN, "Withdrawn by the applicant.")
    return Change(withdrawn, [event], [entry])


# -- the daily schedule -------------------------------------------------------------------------
def due_reminders(bid: Bid, rnd: Round, now: datetime) -> list[str]:
    """Reviewers to remind: still pending, and neither assigned nor reminded in the last
    ``reminder_after_days``. Nobody who has reviewed; nothing after the review period, when
    staff take over."""
    if bid.status != BidStatus.IN_REVIEW or now >= rnd.review_ends_at:
        return []
    wait = timedelta(days=rnd.reminder_after_days)
    return [
        r.reviewer
        for r in bid.reviews
        if r.pending and now - datetime.fromisoformat(r.reminded_at or r.assigned_at) >= wait
    ]


def remind(bid: Bid, rnd: Round, reviewers: Sequence[str], now: datetime) -> Change:
    at = now.isoformat()
    chosen = set(reviewers)
    reviews = tuple(replace(r, reminded_at=at) if r.reviewer in chosen else r for r in bid.reviews)
    entry = HistoryEntry(at, SYSTEM, "reminded", why=f"Reminded {len(chosen)} reviewer(s) of a pending review.")
    return Change(replace(bid, reviews=reviews), _review_requests(bid, rnd, reviewers, reminder=True), [entry])


# -- erasure (UK GDPR) ------------------------------------------------------------------------------
FORMER_MEMBER = "Former member"


def former_reviewer(email: str) -> str:
    """Stands in for an erased reviewer: stable, so their reviews stay one reviewer's, and not
    their address (a short one-way hash)."""
    return "former reviewer " + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:8]


def _short(bid: Bid) -> bool:
    """Too few reviewers to reach the approvals needed, even if every pending one approves."""
    return bid.count(Decision.APPROVE) + bid.pending < bid.approvals_needed


def forget(bid: Bid, email: str, *, member_id: str, now: datetime) -> Change:
    """The bid without a member whose account is erased: as applicant it is withdrawn if still
    undecided and keeps no name or address; as co-applicant they are taken off it; as reviewer
    their reviews stay under a stand-in name and a pending review is taken away (staff are told
    if that leaves too few). Decisions and money awarded stay as they were."""
    email = email.strip().lower()
    at = now.isoformat()
    forgotten = bid
    events: list[DomainEvent] = []
    history: list[HistoryEntry] = []
    if bid.applicant.member_id == member_id or bid.is_applicant(email):
        if bid.undecided:
            withdrawn = withdraw(bid, by=SYSTEM, now=now)
            reason = "Withdrawn: the applicant's account was erased."
            forgotten = replace(withdrawn.bid, decision_reason=reason)
            events += withdrawn.events
            history.append(replace(withdrawn.history[0], why=reason))
        forgotten = replace(forgotten, applicant=Applicant("", "", FORMER_MEMBER))
        history.append(HistoryEntry(at, SYSTEM, "applicant erased", why="Their name and address were removed."))
    if email in forgotten.co_applicant_emails:
        forgotten = replace(
            forgotten,
            co_applicant_emails=tuple(e for e in forgotten.co_applicant_emails if e != email),
            confirmed_co_applicants=tuple(e for e in forgotten.confirmed_co_applicants if e != email),
        )
        history.append(HistoryEntry(at, SYSTEM, "co-applicant erased", why="Their address was removed."))
    review = forgotten.review_by(email)
    if review is not None:
        label = former_reviewer(email)
        dropped = review.pending and forgotten.undecided
        kept = [r for r in forgotten.reviews if not (dropped and r.reviewer == email)]
        renamed = tuple(replace(r, reviewer=label) if r.reviewer == email else r for r in kept)
        forgotten = replace(forgotten, reviews=renamed)
        why = "Their pending review was withdrawn." if dropped else "Their review stays, without their name."
        history.append(HistoryEntry(at, SYSTEM, "reviewer erased", why=why))
        if dropped and _short(forgotten) and not forgotten.needs_reviewers:
            forgotten = replace(forgotten, needs_reviewers=True)
            events.append(_short_of_reviewers(forgotten, 0))
    return Change(forgotten, events, history)


def ensure_can_read(bid: Bid, email: str | None, is_staff: bool) -> None:
    # Not "forbidden": whether someone else's bid exists is nobody else's business.
    if not (is_staff or (email and bid.is_applicant(email))):
        raise NotFound("There is no such bid, or it is not yours.")
