"""Emails about bids: a receipt to the applicant, a review link to each assigned reviewer (and
reminders), staff alerts (too few reviewers; bids undecided when the review period ends), and
the decision, with the reviewers' comments but not their names, to the applicant.

Review links are issued here, when the email is written, so a token never sits in the outbox.
"""

from __future__ import annotations

import logging

from functions.common import mail, tokens
from functions.common.consumer import consumer
from functions.common.settings import settings
from schemas.events.funding import (
    BidApproved,
    BidLeftShortOfReviewers,
    BidNamedPanelMembers,
    BidRejected,
    BidReviewRequested,
    BidSubmitted,
    BidUnfunded,
    RoundReviewPeriodEnded,
)

from .repository import FundingRepository

logger = logging.getLogger("convene")
bids = FundingRepository()


_send = mail.send_template


def _staff() -> list[str]:
    staff = sorted(settings().staff_emails)
    if not staff:
        logger.error("a funding alert has no one to go to: no staff emails are configured (STAFF_EMAILS)")
    return staff


def on_submitted(event: BidSubmitted) -> None:
    link = settings().url(f"/funding/bids/{event.bid_id}")
    subject = f"We have received your bid: {event.title}"
    _send(event.applicant_email, subject, "funding_received", event=event, link=link)
    bid = bids.get_bid(event.bid_id)
    for email in bid.co_applicant_emails if bid else ():
        # A name counts only once its owner confirms by this link (GET shows, POST acts).
        token = tokens.issue("bid-co-applicant", email.lower(), bid_id=event.bid_id)
        invite = settings().url(f"/funding/bids/{event.bid_id}/co-applicants/confirm?token={token}")
        subject = f"{event.applicant_name} named you as a co-applicant of a bid: {event.title}"
        _send(email, subject, "funding_co_applicant", event=event, link=invite)


def on_named_panel_members(event: BidNamedPanelMembers) -> None:
    link = settings().url(f"/funding/bids/{event.bid_id}")
    for email in _staff():
        _send(
            email,
            f"A bid names reviewers as co-applicants: {event.title}",
            "funding_named_panel",
            event=event,
            link=link,
        )


def on_review_requested(event: BidReviewRequested) -> None:
    token = tokens.issue("bid-review", event.reviewer_email, bid_id=event.bid_id)
    link = settings().url(f"/funding/bids/{event.bid_id}/review?token={token}")
    subject = f"{'Reminder: ' if event.reminder else ''}please review a bid: {event.title}"
    _send(event.reviewer_email, subject[:1].upper() + subject[1:], "funding_review", event=event, link=link)


def on_needs_reviewers(event: BidLeftShortOfReviewers) -> None:
    link = settings().url(f"/funding/bids/{event.bid_id}")
    for email in _staff():
        _send(email, f"A bid needs more reviewers: {event.title}", "funding_needs_reviewers", event=event, link=link)


def on_decided(event: BidApproved | BidRejected | BidUnfunded) -> None:
    bid = bids.get_bid(event.bid_id)
    # The comments are read from the decided bid (it changes no more): never the reviewers' names.
    comments = bid.comments if bid else []
    reason = bid.decision_reason if bid else getattr(event, "reason", "")
    outcome = {BidApproved: "funded", BidRejected: "rejected", BidUnfunded: "unfunded"}[type(event)]
    subject = {
        "funded": f"Your bid has been funded: {event.title}",
        "rejected": f"Your bid was not funded: {event.title}",
        "unfunded": f"Your bid was approved but could not be funded: {event.title}",
    }[outcome]
    link = settings().url(f"/funding/bids/{event.bid_id}")
    _send(
        event.applicant_email,
        subject,
        "funding_decision",
        event=event,
        outcome=outcome,
        reason=reason,
        comments=comments,
        link=link,
    )


def on_review_period_ended(event: RoundReviewPeriodEnded) -> None:
    link = settings().url(f"/funding/rounds/{event.round_id}/staff")
    for email in _staff():
        _send(
            email,
            f"{len(event.undecided)} bid(s) still undecided: {event.round_name}",
            "funding_review_period_ended",
            event=event,
            link=link,
        )


handler = consumer(
    "funding-notifications",
    {
        BidSubmitted: on_submitted,
        BidReviewRequested: on_review_requested,
        BidLeftShortOfReviewers: on_needs_reviewers,
        BidNamedPanelMembers: on_named_panel_members,
        BidApproved: on_decided,
        BidRejected: on_decided,
        BidUnfunded: on_decided,
        RoundReviewPeriodEnded: on_review_period_ended,
    },
)
