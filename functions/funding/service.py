"""Funding use cases: each call is one thing a member, reviewer, staff member or the daily
schedule does."""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from functions.common import tokens
from functions.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from functions.common.identity import User
from functions.common.ids import new_id, utcnow
from functions.common.store import ConditionFailed, Store
from functions.members.model import display_name
from schemas.api.funding import LONGEST_REVIEW_DAYS, CreateBid, CreateRound
from schemas.events.funding import RoundReviewPeriodEnded, UndecidedBid

from . import domain
from .domain import (
    Applicant,
    Bid,
    BidStatus,
    Decision,
    HistoryEntry,
    Problems,
    Round,
    RoundNotOpen,
    RoundState,
    SupportedSig,
)
from .repository import FundingRepository, Lock, WriteConflict

if TYPE_CHECKING:
    from functions.sigs.domain import Sig
    from functions.sigs.repository import SigRepository

#: Optimistic writes retry when someone else changed the bid first; a handful of attempts is
#: plenty (a bid has a few reviewers), after which the person is asked to try again.
ATTEMPTS = 8


class RequestKeyReused(InvalidInput):
    """The same Idempotency-Key came with a different request (as the IETF draft says: 422)."""

    status = 422


@dataclass(frozen=True)
class Submitted:
    bid: Bid
    #: False when this was a retry or a double click, answered with the bid it already made.
    created: bool


@dataclass(frozen=True)
class _Attempt:
    """One submission, and what recognises its duplicates."""

    round_id: str
    member_id: str
    title: str
    title_key: str
    #: The whole request (round and body, normalised): a duplicate has the same one.
    fingerprint: str
    request_key: str | None


@dataclass(frozen=True)
class ReviewContext:
    bid: Bid
    reviewer: str
    link_used: bool


def _own_bid(bid: Bid) -> dict[str, Any]:
    return {
        "summary": bid.summary,
        "amount_pence": bid.amount_pence,
        "budget_lines": [{"description": b.description, "amount_pence": b.amount_pence} for b in bid.budget_lines],
        "sig_name": bid.sig.name if bid.sig else None,
        "co_applicant_emails": list(bid.co_applicant_emails),
        "consent_to_be_named": bid.consent_to_be_named,
        "status": bid.status.value,
        "submitted_at": bid.submitted_at,
        "decided_at": bid.decided_at,
        "decision_reason": bid.decision_reason,
        "reviewers_comments": bid.comments if not bid.undecided else [],
    }


def _valid_id(value: str, prefix: str) -> bool:
    return value.startswith(prefix) and len(value) < 64


def _backoff(attempt: int) -> None:
    # On AWS concurrent transactions on one item can be cancelled (TransactionConflict):
    # spread the retries out a little so they do not collide again.
    if attempt:
        time.sleep(random.uniform(0, 0.02 * attempt))  # noqa: S311 - jitter, not security


class FundingService:
    def __init__(self, repository: FundingRepository | None = None, store: Store | None = None) -> None:
        self.store = store or Store()
        self.funding = repository or FundingRepository(self.store)

    @cached_property
    def sigs(self) -> SigRepository:
        # Only bids naming a group need the SIG area: imported then, not in every cold start.
        from functions.sigs.repository import SigRepository

        return SigRepository(self.store)

    def approved_sigs(self) -> list[Sig]:
        from functions.sigs.domain import SigStatus

        return self.sigs.by_status(SigStatus.APPROVED)

    # -- rounds ---------------------------------------------------------------------------------
    def open_round(self, draft: CreateRound, user: User) -> Round:
        if not user.is_staff:
            raise Forbidden("Only the community team can open a funding round.")
        now = utcnow()
        rnd = domain.open_round(new_id("rnd"), draft, by=user.email, now=now)
        why = f"Pot {domain.pounds(rnd.budget_pence)}, at most {domain.pounds(rnd.max_award_pence)} a bid."
        self.funding.create_round(rnd, HistoryEntry(now.isoformat(), user.email, "round opened", why=why))
        return rnd

    def get_round(self, round_id: str) -> Round:
        rnd = self.funding.get_round(round_id) if _valid_id(round_id, "rnd_") else None
        if rnd is None:
            raise NotFound("There is no such funding round.")
        return rnd

    def rounds(self, state: RoundState | None = None, now: datetime | None = None) -> list[Round]:
        now = now or utcnow()
        if state is None:
            return self.funding.rounds()
        if state == RoundState.CLOSED:
            return self.funding.rounds(closed_by=now)
        # Open and upcoming rounds are the few not yet closed; one of the two is kept.
        return [r for r in self.funding.rounds(closing_after=now) if r.state(now) == state]

    def round_with_bids(self, round_id: str, user: User) -> tuple[Round, list[Bid]]:
        if not user.is_staff:
            raise Forbidden("Only the community team can see a round's bids.")
        rnd = self.get_round(round_id)
        return rnd, self.funding.bids_of_round(round_id)

    # -- bids -----------------------------------------------------------------------------------
    def submit(self, round_id: str, draft: CreateBid, user: User, request_key: str | None = None) -> Submitted:
        """One bid per request, however often it is sent.

        Duplicates are caught by conditional writes in the bid's own transaction rather than by
        Powertools idempotency: the (member, round, normalised title) lock must live as long as
        the bid, not a day; the locks and the bid exist together or not at all (no record left
        "in progress" by a crash between them); and two identical requests racing each other
        are decided by DynamoDB, the loser then answering with the winner's bid.
        """
        if request_key is not None and not (0 < len(request_key) <= 255 and request_key.isprintable()):
            raise InvalidInput("Idempotency-Key must be 1 to 255 printable characters.", field="Idempotency-Key")
        rnd = self.get_round(round_id)
        applicant = Applicant(user.member_id, user.email.lower(), display_name(user.name))
        attempt = _Attempt(
            round_id=round_id,
            member_id=user.member_id,
            title=draft.title,
            title_key=domain.title_key(draft.title),
            fingerprint=hashlib.sha256(f"{round_id}\n{draft.model_dump_json()}".encode()).hexdigest(),
            request_key=request_key,
        )
        from functions.chain.origins import resolve

        origins = tuple(resolve(draft.origins, user, self.store))
        try:
            change = domain.submit(
                new_id("bid"),
                rnd,
                draft,
                applicant,
                sig=self._supported_sig(draft.sig_id),
                now=utcnow(),
                origins=origins,
            )
        except RoundNotOpen:
            # A retry that arrives just after the round closed still gets the bid it made.
            lock = self.funding.lock_for_title(round_id, user.member_id, attempt.title_key)
            if lock and lock.fingerprint == attempt.fingerprint:
                return Submitted(self._locked_bid(lock), created=False)
            raise
        try:
            self.funding.create_bid(
                change, title_key=attempt.title_key, fingerprint=attempt.fingerprint, request_key=request_key
            )
        except WriteConflict as conflict:
            return Submitted(self._duplicate(conflict, attempt), created=False)
        return Submitted(change.bid, created=True)

    def _duplicate(self, conflict: WriteConflict, attempt: _Attempt) -> Bid:
        """The bid an identical earlier request made; or why this one clashes with it."""
        if "request" in conflict.failed and attempt.request_key is not None:
            lock = self.funding.lock_for_request(attempt.member_id, attempt.request_key)
            if lock and lock.fingerprint == attempt.fingerprint:
                return self._locked_bid(lock)
            raise RequestKeyReused(
                "This Idempotency-Key was already used for a different bid. Use a new key for a new request.",
                field="Idempotency-Key",
            )
        if "title" in conflict.failed:
            lock = self.funding.lock_for_title(attempt.round_id, attempt.member_id, attempt.title_key)
            if lock and lock.fingerprint == attempt.fingerprint:
                return self._locked_bid(lock)
            raise Conflict(
                f"You have already bid for “{attempt.title}” in this round. Withdraw that bid first, or choose "
                "another title.",
                field="title",
            )
        raise Conflict("Your bid could not be saved just now. Please try again.")

    def _locked_bid(self, lock: Lock) -> Bid:
        bid = self.funding.get_bid(lock.bid_id)
        if bid is None:  # the lock and the bid are written together, so this cannot happen
            raise Conflict("Your bid could not be found. Please try again.")
        return bid

    def _supported_sig(self, sig_id: str | None) -> SupportedSig | None:
        if not sig_id:
            return None
        from functions.sigs.domain import SigStatus

        sig = self.sigs.get(sig_id) if _valid_id(sig_id, "sig_") else None
        if sig is None or sig.status != SigStatus.APPROVED:
            raise Problems({"sig_id": "Choose a Special Interest Group from the directory, or none."})
        return SupportedSig(sig.sig_id, sig.name)

    def get_bid(self, bid_id: str, user: User | None) -> Bid:
        bid = self.funding.get_bid(bid_id) if _valid_id(bid_id, "bid_") else None
        if bid is None:
            raise NotFound("There is no such bid, or it is not yours.")
        domain.ensure_can_read(bid, user.email if user else None, bool(user and user.is_staff))
        return bid

    def my_bids(self, user: User) -> list[Bid]:
        return self.funding.bids_of_member(user.member_id)

    def withdraw(self, bid_id: str, user: User) -> Bid:
        for attempt in range(ATTEMPTS):
            _backoff(attempt)
            bid = self.get_bid(bid_id, user)
            if not bid.is_applicant(user.email):
                raise Forbidden("Only the applicant can withdraw a bid.")
            change = domain.withdraw(bid, by=user.email.lower(), now=utcnow())
            release = self.funding.release_title_op(bid, domain.title_key(bid.title))
            try:
                return self.funding.save(change, release=release)
            except WriteConflict as conflict:
                if not conflict.failed & {"bid", "busy"}:
                    raise
        raise Conflict("The bid was changing while you withdrew it. Please try again.")

    def history(self, bid_id: str, user: User) -> list[HistoryEntry]:
        if not user.is_staff:
            raise Forbidden("Only the community team can see a bid's history.")
        self.get_bid(bid_id, user)
        return self.funding.history(bid_id)

    def _current_conveners(self, bid: Bid) -> tuple[str, ...]:
        sig = self.sigs.get(bid.sig.sig_id) if bid.sig else None
        return tuple(sig.convener_emails) if sig else ()

    def add_reviewer(self, bid_id: str, email: str, user: User) -> Bid:
        if not user.is_staff:
            raise Forbidden("Only the community team can add reviewers.")
        for attempt in range(ATTEMPTS):
            _backoff(attempt)
            bid = self.get_bid(bid_id, user)
            rnd = self.get_round(bid.round_id)
            change = domain.add_reviewer(bid, rnd, email, self._current_conveners(bid), by=user.email, now=utcnow())
            try:
                return self.funding.save(change)
            except WriteConflict as conflict:
                if not conflict.failed & {"bid", "busy"}:
                    raise
        raise Conflict("The bid was changing while you added a reviewer. Please try again.")

    # -- reviewing ------------------------------------------------------------------------------
    def review_claims(self, bid_id: str, token: str) -> tokens.Claims:
        claims = tokens.verify(token, "bid-review")
        if claims.data.get("bid_id") != bid_id:
            raise tokens.TokenRejected("This review link is for a different bid.", code="wrong-subject")
        return claims

    def review_context(self, bid_id: str, token: str) -> ReviewContext:
        """What a review link shows. Reading only: mail scanners open these links."""
        claims = self.review_claims(bid_id, token)
        bid = self.funding.get_bid(bid_id)
        if bid is None:
            raise NotFound("There is no such bid.")
        return ReviewContext(bid, claims.subject.lower(), self.store.token_used(claims.jti) is not None)

    def review(self, bid_id: str, token: str, decision: Decision, comment: str) -> Bid:
        """Record one reviewer's review and, when it meets the round's rule, the decision: in
        one transaction with spending the link and (for an approval) reserving the money.

        Every write is conditional on the bid's version, so of two reviews racing to decide,
        one wins and the other reads the decided bid and changes nothing."""
        claims = self.review_claims(bid_id, token)
        reviewer = claims.subject.lower()
        spend = self.store.use_token_op(claims.jti, claims.expires_at, reviewer)
        pot_full = False
        for attempt in range(ATTEMPTS):
            _backoff(attempt)
            bid = self.funding.get_bid(bid_id)
            if bid is None:
                raise NotFound("There is no such bid.")
            if reviewer in domain.conflicted(bid, self._current_conveners(bid)):
                # Checked as the button is pressed: a conflict that arose after the link was
                # sent (a confirmed co-applicant, a new convener of the SIG) takes the right away.
                raise Forbidden("You now have a conflict of interest with this bid, so you cannot review it.")
            now = utcnow()
            change = domain.record_review(bid, reviewer, decision, comment, now)
            pot = None
            if domain.outcome(change.bid) == Decision.APPROVE:
                rnd = self.get_round(bid.round_id)
                fits = not pot_full and rnd.remaining_pence >= bid.amount_pence
                change = domain.decide(change, fits_pot=fits, remaining_pence=rnd.remaining_pence, now=now)
                pot = self.funding.award_op(rnd, bid.amount_pence) if fits else None
            else:
                change = domain.decide(change, fits_pot=False, remaining_pence=0, now=now)
            try:
                return self.funding.save(change, token=spend, pot=pot)
            except WriteConflict as conflict:
                if conflict.failed & {"bid", "busy"}:
                    continue  # someone changed the bid first: read it again and re-apply the rule
                if "token" in conflict.failed:
                    raise tokens.TokenRejected("This review link has already been used.", code="used") from None
                if "pot" in conflict.failed:
                    pot_full = True  # another award took the room: decide again, as unfunded
                    continue
                raise
        raise Conflict("Many reviews arrived at once. Please submit your review again.")

    # -- named co-applicants confirm ----------------------------------------------------------
    def co_applicant_invitation(self, bid_id: str, token: str) -> tuple[Bid, str]:
        """The bid and the address a co-applicant link is for. Reading only: scanners open links."""
        claims = tokens.verify(token, "bid-co-applicant")
        if claims.data.get("bid_id") != bid_id:
            raise tokens.TokenRejected("This link is for a different bid.", code="wrong-subject")
        bid = self.funding.get_bid(bid_id) if _valid_id(bid_id, "bid_") else None
        if bid is None:
            raise tokens.TokenRejected("This bid no longer exists.", code="unknown")
        return bid, claims.subject.lower()

    def confirm_co_applicant(self, bid_id: str, token: str) -> Bid:
        claims = tokens.verify(token, "bid-co-applicant")
        spend = self.store.use_token_op(claims.jti, claims.expires_at, claims.subject)
        for attempt in range(ATTEMPTS):
            _backoff(attempt)
            bid, email = self.co_applicant_invitation(bid_id, token)
            change = domain.confirm_co_applicant(bid, email, utcnow())
            try:
                return self.funding.save(change, token=spend)
            except WriteConflict as conflict:
                if "token" in conflict.failed:
                    raise tokens.TokenRejected("This link has already been used.", code="used") from None
                if not conflict.failed & {"bid", "busy"}:
                    raise
        raise Conflict("The bid was changing while you confirmed. Please try again.")

    # -- the workflow (event consumers) -----------------------------------------------------------
    def assign_reviewers(self, bid_id: str) -> Bid | None:
        """Assign the panel to a newly submitted bid. A bid that is no longer ``submitted``
        (already assigned by an earlier delivery, or withdrawn) is left as it is."""
        for attempt in range(ATTEMPTS):
            _backoff(attempt)
            bid = self.funding.get_bid(bid_id)
            if bid is None or bid.status != BidStatus.SUBMITTED:
                return bid
            rnd = self.get_round(bid.round_id)
            change = domain.assign(bid, rnd, self._current_conveners(bid), utcnow())
            try:
                return self.funding.save(change)
            except WriteConflict as conflict:
                if not conflict.failed & {"bid", "busy"}:
                    raise
        raise Conflict(f"could not assign reviewers to {bid_id}: it kept changing")  # redelivered by SQS

    # -- a member's data (UK GDPR) ----------------------------------------------------------------
    def personal_data(self, member_id: str, email: str) -> dict[str, Any]:
        """What the funding area holds about a member: their bids, the bids naming them as a
        co-applicant, the reviews they wrote, the rounds whose panel they are on. Other people's
        addresses stay out (a bid's reviewers, for one)."""
        email = email.lower()
        data: dict[str, list[dict[str, Any]]] = {"bids": [], "co_applicant_on": [], "reviews": [], "rounds": []}
        for target in self.funding.mentions_of(email):
            kind, _, ident = target.partition("#")
            if kind == "ROUND" and (rnd := self.funding.get_round(ident)):
                data["rounds"].append(
                    {
                        "round_id": rnd.round_id,
                        "name": rnd.name,
                        "on_review_panel": email in rnd.reviewer_emails,
                        "opened_by_you": rnd.created_by.lower() == email,
                    }
                )
            elif kind == "BID" and (bid := self.funding.get_bid(ident)):
                about = {"bid_id": bid.bid_id, "round_name": bid.round_name, "title": bid.title}
                if bid.applicant.member_id == member_id or bid.is_applicant(email):
                    data["bids"].append({**about, **_own_bid(bid)})
                if email in bid.co_applicant_emails:
                    data["co_applicant_on"].append({**about, "status": bid.status.value})
                if (review := bid.review_by(email)) is not None:
                    data["reviews"].append(
                        {
                            **about,
                            "assigned_at": review.assigned_at,
                            "decision": review.decision.value if review.decision else None,
                            "comment": review.comment,
                            "reviewed_at": review.reviewed_at,
                        }
                    )
        return data

    def forget_member(self, member_id: str, email: str) -> None:
        """Erase a member from every bid and round that names them (found through the mention
        index), keeping decisions, money awarded and audit entries with stand-ins for them."""
        email = email.lower()
        for target in self.funding.mentions_of(email):
            kind, _, ident = target.partition("#")
            if kind == "BID":
                stand_in = self._forget_in_bid(ident, member_id, email)
                self.funding.forget_in_history(f"BID#{ident}", email, stand_in)
            elif kind == "ROUND":
                self._forget_in_round(ident, email)
                self.funding.forget_in_history(f"ROUND#{ident}", email, domain.FORMER_MEMBER)

    def _forget_in_bid(self, bid_id: str, member_id: str, email: str) -> str:
        """The bid without the member; returns who stands in for them in its history."""
        forget_mention = self.funding.forget_mention_op(email, f"BID#{bid_id}")
        for attempt in range(ATTEMPTS):
            _backoff(attempt)
            bid = self.funding.get_bid(bid_id)
            if bid is None:
                self.store.write([forget_mention])
                return domain.FORMER_MEMBER
            applicant = bid.applicant.member_id == member_id or bid.is_applicant(email)
            stand_in = domain.FORMER_MEMBER if applicant else domain.former_reviewer(email)
            change = domain.forget(bid, email, member_id=member_id, now=utcnow())
            if change.bid == bid:  # named only in the history (a staff member who acted on it)
                self.store.write([forget_mention])
                return stand_in
            release = self.funding.release_title_op(bid, domain.title_key(bid.title)) if bid.undecided else None
            try:
                self.funding.save(change, release=release if applicant else None, also=[forget_mention])
            except WriteConflict as conflict:
                if conflict.failed & {"bid", "busy"}:
                    continue
                raise
            return stand_in
        raise Conflict(f"could not erase a member from {bid_id}: it kept changing")

    def _forget_in_round(self, round_id: str, email: str) -> None:
        for attempt in range(ATTEMPTS):
            _backoff(attempt)
            rnd = self.funding.get_round(round_id)
            if rnd is None:
                self.store.write([self.funding.forget_mention_op(email, f"ROUND#{round_id}")])
                return
            try:
                self.funding.forget_in_round(rnd, email, domain.FORMER_MEMBER)
            except ConditionFailed:
                continue  # the panel changed as we read it
            return
        raise Conflict(f"could not erase a member from {round_id}: it kept changing")

    # -- the daily schedule -----------------------------------------------------------------------
    def daily(self, now: datetime, round_id: str | None = None) -> dict[str, int]:
        """Remind reviewers of pending reviews; once a round's review period is over, tell
        staff which bids are undecided (once per round). ``round_id`` limits it to one round."""
        reminded = reported = 0
        # A round's review period ends at most LONGEST_REVIEW_DAYS after it closes: older rounds
        # have nothing left to remind or report.
        recent = now - timedelta(days=LONGEST_REVIEW_DAYS)
        for rnd in [self.get_round(round_id)] if round_id else self.funding.rounds(closing_after=recent):
            if rnd.state(now) == RoundState.UPCOMING or rnd.review_period_reported:
                continue
            in_review = self.funding.bids_of_round(rnd.round_id, BidStatus.IN_REVIEW)
            if now < rnd.review_ends_at:
                for bid in in_review:
                    due = domain.due_reminders(bid, rnd, now)
                    if not due:
                        continue
                    try:
                        self.funding.save(domain.remind(bid, rnd, due, now))
                    except WriteConflict:
                        continue  # the bid changed as we read it: tomorrow's run sees it afresh
                    reminded += len(due)
                continue
            undecided = [*self.funding.bids_of_round(rnd.round_id, BidStatus.SUBMITTED), *in_review]
            event = (
                RoundReviewPeriodEnded(
                    round_id=rnd.round_id,
                    round_name=rnd.name,
                    review_ended_at=rnd.review_ends_at.isoformat(),
                    undecided=[
                        UndecidedBid(
                            bid_id=b.bid_id,
                            title=b.title,
                            amount_pence=b.amount_pence,
                            status=b.status.value,
                            reviews_pending=b.pending,
                        )
                        for b in undecided
                    ],
                )
                if undecided
                else None
            )
            if self.funding.report_review_period(rnd, event):
                reported += 1
        return {"reminded": reminded, "rounds_reported": reported}
