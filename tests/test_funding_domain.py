"""Funding rules in plain Python, no AWS: the decision rule, conflicts of interest, budget
lines, round checks, reminders and the CSV export's escaping."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.common.errors import Forbidden
from functions.funding import domain
from functions.funding.domain import (
    AlreadyReviewed,
    Applicant,
    Bid,
    BidDecided,
    BidStatus,
    BudgetLine,
    Decision,
    DecisionRule,
    Problems,
    Round,
    RoundNotOpen,
    SupportedSig,
)
from functions.funding.export import bids_csv, safe_cell
from schemas.api.funding import CreateBid, CreateRound
from schemas.events.funding import BidApproved, BidLeftShortOfReviewers, BidRejected, BidReviewRequested, BidUnfunded

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PANEL = ("reviewer.one@q.example.org", "reviewer.two@q.example.org", "reviewer.three@q.example.org")
APPLICANT = Applicant("mem_1", "Amara.Okafor@example.org", "Amara Okafor")


def make_round(**changes: Any) -> Round:
    rnd = Round(
        round_id="rnd_1",
        name="Supporting Q Connections 2026",
        description="Convener roles for SIGs.",
        opens_at=NOW - timedelta(days=1),
        closes_at=NOW + timedelta(days=30),
        budget_pence=20_000_00,
        max_award_pence=5_000_00,
        reviewer_emails=PANEL,
        rule=DecisionRule(2, 2_500_00, 3),
        review_period_days=28,
        reminder_after_days=3,
        created_by="community.team@q.example.org",
        created_at=NOW.isoformat(),
    )
    return replace(rnd, **changes)


def draft(**changes: Any) -> CreateBid:
    body: dict[str, Any] = {
        "title": "A paid convener for the Third Sector SIG",
        "summary": "Two days a month convening the Third Sector SIG.",
        "amount_pence": 2_000_00,
        "budget_lines": [
            {"description": "Convener days", "amount_pence": 1_500_00},
            {"description": "Venue", "amount_pence": 500_00},
        ],
    }
    return CreateBid.model_validate({**body, **changes})


def submitted(rnd: Round | None = None, sig: SupportedSig | None = None, **changes: Any) -> Bid:
    return domain.submit("bid_1", rnd or make_round(), draft(**changes), APPLICANT, sig=sig, now=NOW).bid


def in_review(rnd: Round | None = None, **changes: Any) -> Bid:
    rnd = rnd or make_round()
    return domain.assign(submitted(rnd, **changes), rnd, (), NOW).bid


def reviewed(bid: Bid, *decisions: tuple[str, Decision]) -> Bid:
    for reviewer, decision in decisions:
        bid = domain.record_review(bid, reviewer, decision, f"My view: {decision}", NOW).bid
    return bid


# -- the decision rule ---------------------------------------------------------------------------
def test_more_approvals_are_needed_above_the_higher_amount() -> None:
    rule = DecisionRule(2, 5_000_00, 3)
    assert rule.approvals_for(5_000_00) == 2
    assert rule.approvals_for(5_000_01) == 3
    assert DecisionRule(2).approvals_for(10**9) == 2
    assert rule.describe() == "2 approvals; 3 for bids above £5,000"


def test_approved_once_the_approvals_needed_are_in() -> None:
    bid = in_review()
    assert bid.approvals_needed == 2
    one = reviewed(bid, (PANEL[0], Decision.APPROVE))
    assert domain.outcome(one) is None
    two = reviewed(one, (PANEL[1], Decision.APPROVE))
    assert domain.outcome(two) == Decision.APPROVE


def test_a_big_bid_needs_the_higher_number_of_approvals() -> None:
    bid = in_review(amount_pence=3_000_00, budget_lines=[{"description": "Convener", "amount_pence": 3_000_00}])
    assert bid.approvals_needed == 3
    assert domain.outcome(reviewed(bid, (PANEL[0], Decision.APPROVE), (PANEL[1], Decision.APPROVE))) is None


def test_rejected_once_approval_can_no_longer_be_reached() -> None:
    bid = in_review()  # 3 reviewers, 2 approvals needed
    one_no = reviewed(bid, (PANEL[0], Decision.REJECT))
    assert domain.outcome(one_no) is None  # two pending could still approve
    abstained = reviewed(one_no, (PANEL[1], Decision.ABSTAIN))
    assert domain.outcome(abstained) == Decision.REJECT  # at most 1 approval left


def test_too_few_reviewers_never_rejects_and_staff_are_told() -> None:
    rnd = make_round(reviewer_emails=(PANEL[0], PANEL[1]))
    sig = SupportedSig("sig_1", "Third Sector SIG")
    change = domain.assign(submitted(rnd, sig=sig), rnd, [PANEL[1]], NOW)
    bid = change.bid
    assert [r.reviewer for r in bid.reviews] == [PANEL[0]]
    assert bid.needs_reviewers and bid.status == BidStatus.IN_REVIEW
    assert any(isinstance(e, BidLeftShortOfReviewers) for e in change.events)
    assert domain.outcome(reviewed(bid, (PANEL[0], Decision.REJECT))) is None  # waits for staff
    added = domain.add_reviewer(bid, rnd, PANEL[2], (), by="community.team@q.example.org", now=NOW)
    assert not added.bid.needs_reviewers
    assert [e.reviewer_email for e in added.events if isinstance(e, BidReviewRequested)] == [PANEL[2]]


def test_decide_approves_rejects_or_leaves_unfunded() -> None:
    two = reviewed(in_review(), (PANEL[0], Decision.APPROVE), (PANEL[1], Decision.APPROVE))
    change = domain.record_review(two, PANEL[2], Decision.ABSTAIN, "", NOW)
    funded = domain.decide(change, fits_pot=True, remaining_pence=10_000_00, now=NOW)
    assert funded.bid.status == BidStatus.APPROVED and funded.bid.decided_at == NOW.isoformat()
    (event,) = funded.events
    assert isinstance(event, BidApproved) and event.amount_pence == 2_000_00
    assert funded.history[-1].to_status == BidStatus.APPROVED

    unfunded = domain.decide(change, fits_pot=False, remaining_pence=1_000_00, now=NOW)
    assert unfunded.bid.status == BidStatus.UNFUNDED
    assert "£1,000 left" in unfunded.bid.decision_reason
    assert isinstance(unfunded.events[0], BidUnfunded)

    noes = reviewed(in_review(), (PANEL[0], Decision.REJECT))
    rejected = domain.decide(
        domain.record_review(noes, PANEL[1], Decision.REJECT, "", NOW), fits_pot=True, remaining_pence=0, now=NOW
    )
    assert rejected.bid.status == BidStatus.REJECTED and isinstance(rejected.events[0], BidRejected)


def test_each_reviewer_reviews_once_and_only_while_undecided() -> None:
    bid = reviewed(in_review(), (PANEL[0], Decision.APPROVE))
    with pytest.raises(AlreadyReviewed):
        domain.record_review(bid, PANEL[0].upper(), Decision.REJECT, "", NOW)
    with pytest.raises(Forbidden):
        domain.record_review(bid, "someone.else@example.org", Decision.APPROVE, "", NOW)
    withdrawn = domain.withdraw(bid, by=APPLICANT.email, now=NOW).bid
    with pytest.raises(BidDecided):
        domain.record_review(withdrawn, PANEL[1], Decision.APPROVE, "", NOW)
    with pytest.raises(BidDecided):
        domain.withdraw(withdrawn, by=APPLICANT.email, now=NOW)


def test_comments_reach_the_applicant_without_names() -> None:
    bid = reviewed(in_review(), (PANEL[0], Decision.APPROVE))
    bid = domain.record_review(bid, PANEL[1], Decision.ABSTAIN, "", NOW).bid
    bid = domain.record_review(bid, PANEL[2], Decision.REJECT, "Please say more about the venue.", NOW).bid
    assert bid.comments == ["My view: approve", "Please say more about the venue."]  # empty ones left out


# -- conflicts of interest -----------------------------------------------------------------------
def test_applicant_co_applicants_and_conveners_do_not_review() -> None:
    sig = SupportedSig("sig_1", "Third Sector SIG")
    rnd = make_round(reviewer_emails=(*PANEL, "amara.okafor@example.org", "co@example.org"))
    named = submitted(rnd, sig=sig, co_applicant_emails=["CO@example.org"])
    bid = replace(named, confirmed_co_applicants=("co@example.org",))  # they confirmed by their link
    conveners = ["Reviewer.Two@q.example.org"]  # as the SIG area has them now
    eligible, excluded = domain.eligible_reviewers(rnd.reviewer_emails, domain.conflicted(bid, conveners))
    assert eligible == [PANEL[0], PANEL[2]]
    assert set(excluded) == {PANEL[1], "amara.okafor@example.org", "co@example.org"}
    assigned = domain.assign(bid, rnd, conveners, NOW).bid
    assert [r.reviewer for r in assigned.reviews] == eligible
    with pytest.raises(Exception, match="conflict of interest"):
        domain.add_reviewer(assigned, rnd, "co@example.org", (), by="staff", now=NOW)


def test_the_applicant_is_not_their_own_co_applicant() -> None:
    bid = submitted(co_applicant_emails=["amara.okafor@example.org", "tom.hughes@example.org"])
    assert bid.co_applicant_emails == ("tom.hughes@example.org",)


# -- budget lines and submission -----------------------------------------------------------------
def test_budget_lines_must_add_up_to_the_amount() -> None:
    lines = [BudgetLine("Convener days", 1_500_00), BudgetLine("Venue", 400_00)]
    problems = domain.budget_line_problems(2_000_00, lines)
    assert "£1,900" in problems["budget_lines"] and "£2,000" in problems["budget_lines"]
    assert domain.budget_line_problems(1_900_00, lines) == {}
    assert "at least one" in domain.budget_line_problems(100, [])["budget_lines"]


def test_submission_checks_the_maximum_and_the_lines_together() -> None:
    with pytest.raises(Problems) as caught:
        submitted(amount_pence=6_000_00)
    assert set(caught.value.problems) == {"amount_pence", "budget_lines"}
    assert "£5,000" in caught.value.problems["amount_pence"]
    assert caught.value.status == 422


def test_bids_only_while_the_round_is_open() -> None:
    with pytest.raises(RoundNotOpen, match="not open for bids yet"):
        submitted(make_round(opens_at=NOW + timedelta(hours=1)))
    with pytest.raises(RoundNotOpen, match="closed") as caught:
        submitted(make_round(closes_at=NOW))
    assert caught.value.field == "round_id"


def test_titles_match_ignoring_case_spacing_and_unicode_form() -> None:
    assert domain.title_key("  A paid  Convener ") == domain.title_key("a PAID convener")
    assert domain.title_key("Café") == domain.title_key("Cafe\u0301")


# -- rounds ----------------------------------------------------------------------------------------
def round_body(**changes: Any) -> CreateRound:
    body: dict[str, Any] = {
        "name": "Supporting Q Connections 2026",
        "description": "Convener roles for SIGs.",
        "opens_at": NOW.isoformat(),
        "closes_at": (NOW + timedelta(days=30)).isoformat(),
        "budget_pence": 20_000_00,
        "max_award_pence": 5_000_00,
        "reviewer_emails": list(PANEL),
        "decision_rule": {"approvals_needed": 2},
        "review_period_days": 28,
    }
    return CreateRound.model_validate({**body, **changes})


def test_round_rules() -> None:
    assert domain.round_problems(round_body()) == {}
    problems = domain.round_problems(
        round_body(
            closes_at=NOW.isoformat(),
            max_award_pence=30_000_00,
            decision_rule={"approvals_needed": 4},
        )
    )
    assert set(problems) == {"closes_at", "max_award_pence", "decision_rule"}
    half = domain.round_problems(round_body(decision_rule={"approvals_needed": 2, "higher_amount_pence": 100}))
    assert "both" in half["decision_rule"]
    fewer = domain.round_problems(
        round_body(decision_rule={"approvals_needed": 2, "higher_amount_pence": 100, "approvals_needed_above": 1})
    )
    assert "fewer" in fewer["decision_rule"]


def test_round_states() -> None:
    rnd = make_round()
    assert rnd.state(rnd.opens_at - timedelta(seconds=1)) == domain.RoundState.UPCOMING
    assert rnd.state(rnd.opens_at) == domain.RoundState.OPEN
    assert rnd.state(rnd.closes_at) == domain.RoundState.CLOSED
    assert rnd.review_ends_at == rnd.closes_at + timedelta(days=28)


# -- reminders -----------------------------------------------------------------------------------
def test_reminders_go_to_pending_reviewers_every_few_days_until_the_review_period_ends() -> None:
    rnd = make_round()
    bid = reviewed(in_review(rnd), (PANEL[0], Decision.APPROVE))
    assert domain.due_reminders(bid, rnd, NOW + timedelta(days=2)) == []
    later = NOW + timedelta(days=3)
    due = domain.due_reminders(bid, rnd, later)
    assert due == [PANEL[1], PANEL[2]]  # never the reviewer who has reviewed
    change = domain.remind(bid, rnd, due, later)
    assert [e.reviewer_email for e in change.events if isinstance(e, BidReviewRequested) and e.reminder] == due
    assert domain.due_reminders(change.bid, rnd, later + timedelta(days=1)) == []
    assert domain.due_reminders(change.bid, rnd, later + timedelta(days=3)) == due
    assert domain.due_reminders(change.bid, rnd, rnd.review_ends_at) == []


# -- erasure -------------------------------------------------------------------------------------
def test_forgetting_a_member_keeps_decisions_and_tells_staff_when_reviews_fall_short() -> None:
    mine = domain.forget(in_review(), APPLICANT.email, member_id=APPLICANT.member_id, now=NOW)
    assert mine.bid.status == BidStatus.WITHDRAWN and mine.bid.applicant.email == ""
    assert mine.bid.applicant.name == domain.FORMER_MEMBER and "erased" in mine.bid.decision_reason

    decided = domain.decide(
        domain.record_review(reviewed(in_review(), (PANEL[0], Decision.APPROVE)), PANEL[1], Decision.APPROVE, "", NOW),
        fits_pot=True,
        remaining_pence=10_000_00,
        now=NOW,
    ).bid
    kept = domain.forget(decided, PANEL[0], member_id="mem_other", now=NOW).bid
    assert kept.status == BidStatus.APPROVED and kept.count(Decision.APPROVE) == 2
    assert kept.review_by(PANEL[0]) is None and kept.reviews[0].reviewer == domain.former_reviewer(PANEL[0])
    assert PANEL[0] not in kept.reviews[0].reviewer

    # Two approvals needed of three reviewers; one rejected, one pending reviewer is erased:
    # approval is out of reach, so staff are asked rather than the bid quietly rejected.
    one_no = reviewed(in_review(), (PANEL[0], Decision.REJECT))
    short = domain.forget(one_no, PANEL[1], member_id="mem_other", now=NOW)
    assert [r.reviewer for r in short.bid.reviews] == [PANEL[0], PANEL[2]]
    assert short.bid.needs_reviewers and any(isinstance(e, BidLeftShortOfReviewers) for e in short.events)
    assert domain.outcome(reviewed(short.bid, (PANEL[2], Decision.REJECT))) is None


# -- CSV -------------------------------------------------------------------------------------------
def test_csv_escapes_and_defuses_formulas() -> None:
    for risky in ('=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\t=1"):
        assert safe_cell(risky) == "'" + risky
    assert safe_cell('Plain, with "quotes"') == 'Plain, with "quotes"'
    bid = submitted(title="=cmd|' /C calc'!A0", summary='Line one,\nline "two"')
    bid = replace(bid, applicant=replace(bid.applicant, name='@Amara, "the" convener'))
    rows = list(csv.reader(io.StringIO(bids_csv([bid]))))
    header, row = rows
    record = dict(zip(header, row, strict=True))
    assert record["title"] == "'=cmd|' /C calc'!A0"
    assert record["applicant_name"] == '\'@Amara, "the" convener'
    assert record["amount"] == "£2,000"


def test_an_unconfirmed_co_applicant_stays_on_the_panel_and_staff_are_told_why() -> None:
    from schemas.events.funding import BidNamedPanelMembers

    rnd = make_round(reviewer_emails=(*PANEL, "co@example.org"))
    bid = submitted(rnd, co_applicant_emails=["CO@example.org", "elsewhere@example.org"])
    change = domain.assign(bid, rnd, (), NOW)
    assert [r.reviewer for r in change.bid.reviews] == [*[p.lower() for p in PANEL], "co@example.org"]
    [flag] = [e for e in change.events if isinstance(e, BidNamedPanelMembers)]
    assert flag.panel_members == ["co@example.org"] and "co-applicants" in flag.reason
    assert "flagged to staff" in [h.action for h in change.history]

    # Confirming takes their pending review away; staff are told when that leaves too few.
    confirmed = domain.confirm_co_applicant(change.bid, "co@example.org", NOW)
    assert "co@example.org" not in [r.reviewer for r in confirmed.bid.reviews]
    assert confirmed.bid.confirmed_co_applicants == ("co@example.org",)
    with pytest.raises(Exception, match="already confirmed"):
        domain.confirm_co_applicant(confirmed.bid, "co@example.org", NOW)
    with pytest.raises(Exception, match="does not name you"):
        domain.confirm_co_applicant(confirmed.bid, "stranger@example.org", NOW)
