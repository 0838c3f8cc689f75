"""The ``team-attention`` consumer: opens and closes what the team home lists, from the domain
events, so the page never has to look through the areas' records (no Scan, one Query).

What needs attention:
- a SIG proposal, until it is approved or rejected;
- a bid left short of reviewers, and a bid whose review reminder went out (or whose round's
  review period ended) without a decision, until the bid is decided or withdrawn;
- a place offered on a visit, until it is accepted, expires or is given up;
- a member on a visit's waiting list, until they get a place, an offer or leave;
- a newsletter draft, until an editor approves it.
(A held first comment and a reported comment are opened and closed by ``comments-notifications``.)
The month's counts: newsletter emails queued to send.
"""

from __future__ import annotations

from datetime import UTC, datetime

from functions.common.consumer import consumer
from functions.common.ids import utcnow
from functions.common.store import Store
from schemas.events.funding import (
    BidApproved,
    BidLeftShortOfReviewers,
    BidRejected,
    BidReviewRequested,
    BidUnfunded,
    BidWithdrawalRecorded,
    RoundReviewPeriodEnded,
)
from schemas.events.newsletter import (
    NewsletterApproved,
    NewsletterBatchReady,
    NewsletterDrafted,
    NewsletterDraftReturned,
)
from schemas.events.sigs import SigApproved, SigConvenerAppointed, SigConvenerLeft, SigProposed, SigRejected
from schemas.events.visits import (
    VisitCancelled,
    VisitOfferExpired,
    VisitPlaceOffered,
    VisitSignedUp,
    VisitSignupCancelled,
    VisitSignupPromoted,
)

from .ledger import Attention, Ledger

SIG_PROPOSAL = "sig-proposal"
CONVENER_WANTED = "convener-wanted"
BID_SHORT = "bid-short"
BID_OVERDUE = "bid-overdue"
VISIT_OFFER = "visit-offer"
VISIT_WAITING = "visit-waiting"
NEWSLETTER_DRAFT = "newsletter-draft"
#: Kept by the ``comments-notifications`` consumer (functions/comments/notifications.py), which
#: takes the comment events anyway: a held first comment, a reported comment.
COMMENT_HELD = "comment-held"
COMMENT_REPORTED = "comment-reported"
#: Kept by the ``team-dead-letters`` schedule (functions/team/dead_letters.py), not by events.
DEAD_LETTERS = "dead-letters"
#: Month counts.
NEWSLETTER_EMAILS = "newsletter-emails"


def _ledger() -> Ledger:
    return Ledger(Store())


def _since(event: object) -> str:
    occurred = getattr(event, "occurred_at", None)
    return (occurred or utcnow()).astimezone(UTC).isoformat()


# -- SIGs -----------------------------------------------------------------------------------
def sig_proposed(event: SigProposed) -> None:
    _ledger().open(Attention(SIG_PROPOSAL, event.sig_id, event.name, f"/sigs/{event.sig_id}", _since(event)))


def sig_decided(event: SigApproved | SigRejected) -> None:
    _ledger().close(SIG_PROPOSAL, event.sig_id)


def convener_left(event: SigConvenerLeft) -> None:
    if event.conveners_left == 0:
        _ledger().open(Attention(CONVENER_WANTED, event.sig_id, event.name, f"/sigs/{event.sig_id}", _since(event)))


def convener_appointed(event: SigConvenerAppointed) -> None:
    _ledger().close(CONVENER_WANTED, event.sig_id)


# -- funding ----------------------------------------------------------------------------------
def _bid(kind: str, bid_id: str, title: str, event: object) -> Attention:
    return Attention(kind, bid_id, title, f"/funding/bids/{bid_id}", _since(event))


def bid_short(event: BidLeftShortOfReviewers) -> None:
    _ledger().open(_bid(BID_SHORT, event.bid_id, event.title, event))


def bid_reminded(event: BidReviewRequested) -> None:
    if event.reminder:  # the first request is normal; a reminder means the review is late
        _ledger().open(_bid(BID_OVERDUE, event.bid_id, event.title, event))


def review_period_ended(event: RoundReviewPeriodEnded) -> None:
    ledger = _ledger()
    for bid in event.undecided:
        ledger.open(_bid(BID_OVERDUE, bid.bid_id, bid.title, event))


def bid_settled(event: BidApproved | BidRejected | BidUnfunded | BidWithdrawalRecorded) -> None:
    ledger = _ledger()
    ledger.close(BID_SHORT, event.bid_id)
    ledger.close(BID_OVERDUE, event.bid_id)


# -- visits -----------------------------------------------------------------------------------
def _visit_title(visit_id: str) -> str:
    item = Store().get(f"VISIT#{visit_id}", "VISIT")
    return str(item.get("title", "")) if item else ""


def _place(kind: str, visit_id: str, signup_id: str, event: object) -> Attention:
    return Attention(
        kind,
        f"{visit_id}#{signup_id}",
        "",
        f"/visits/{visit_id}/staff",
        _since(event),
        group=visit_id,
        group_title=_visit_title(visit_id),
    )


def signed_up(event: VisitSignedUp) -> None:
    if event.status == "waitlisted":
        _ledger().open(_place(VISIT_WAITING, event.visit_id, event.signup_id, event))


def offered(event: VisitPlaceOffered) -> None:
    ledger = _ledger()
    ledger.close(VISIT_WAITING, f"{event.visit_id}#{event.signup_id}")
    ledger.open(_place(VISIT_OFFER, event.visit_id, event.signup_id, event))


def place_settled(event: VisitSignupPromoted | VisitOfferExpired | VisitSignupCancelled) -> None:
    ledger = _ledger()
    ledger.close(VISIT_WAITING, f"{event.visit_id}#{event.signup_id}")
    ledger.close(VISIT_OFFER, f"{event.visit_id}#{event.signup_id}")


def visit_cancelled(event: VisitCancelled) -> None:
    ledger = _ledger()
    for kind in (VISIT_WAITING, VISIT_OFFER):
        ledger.close_all(kind, f"{event.visit_id}#")


# -- newsletter -------------------------------------------------------------------------------
def drafted(event: NewsletterDrafted) -> None:
    link = f"/newsletter/issues/{event.issue_id}"
    _ledger().open(Attention(NEWSLETTER_DRAFT, event.issue_id, event.title, link, _since(event)))


def approved(event: NewsletterApproved | NewsletterDraftReturned) -> None:
    _ledger().close(NEWSLETTER_DRAFT, event.issue_id)


def batch_ready(event: NewsletterBatchReady) -> None:
    moment = event.occurred_at or datetime.now(UTC)
    _ledger().add_to_month(moment, NEWSLETTER_EMAILS, len(event.subscriber_ids))


handler = consumer(
    "team-attention",
    {
        SigProposed: sig_proposed,
        SigApproved: sig_decided,
        SigRejected: sig_decided,
        SigConvenerLeft: convener_left,
        SigConvenerAppointed: convener_appointed,
        BidLeftShortOfReviewers: bid_short,
        BidReviewRequested: bid_reminded,
        RoundReviewPeriodEnded: review_period_ended,
        BidApproved: bid_settled,
        BidRejected: bid_settled,
        BidUnfunded: bid_settled,
        BidWithdrawalRecorded: bid_settled,
        VisitSignedUp: signed_up,
        VisitPlaceOffered: offered,
        VisitSignupPromoted: place_settled,
        VisitOfferExpired: place_settled,
        VisitSignupCancelled: place_settled,
        VisitCancelled: visit_cancelled,
        NewsletterDrafted: drafted,
        NewsletterApproved: approved,
        NewsletterDraftReturned: approved,
        NewsletterBatchReady: batch_ready,
    },
)
