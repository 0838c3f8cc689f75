"""Emails about SIG proposals: a review link to every staff member, the outcome to the
proposer and conveners."""

from __future__ import annotations

import logging

from functions.common import mail, tokens
from functions.common.consumer import consumer
from functions.common.settings import settings
from schemas.events.sigs import (
    SigApproved,
    SigConvenerAppointed,
    SigConvenerLeft,
    SigConvenerOffered,
    SigProposed,
    SigRejected,
)

logger = logging.getLogger("convene")


_send = mail.send_template


def on_proposed(event: SigProposed) -> None:
    staff = sorted(settings().staff_emails)
    if not staff:
        logger.error("SIG %s was proposed but no staff emails are configured (STAFF_EMAILS)", event.sig_id)
    for email in staff:
        token = tokens.issue("sig-review", email, sig_id=event.sig_id)
        link = settings().url(f"/sigs/{event.sig_id}/review?token={token}")
        _send(email, f"New SIG proposal to review: {event.name}", "sig_proposed", event=event, link=link)
    for email in event.co_convener_emails:
        # Naming someone gives them nothing until they confirm by this link (GET shows, POST acts).
        token = tokens.issue("sig-co-convener", email.lower(), sig_id=event.sig_id)
        link = settings().url(f"/sigs/{event.sig_id}/conveners/confirm?token={token}")
        subject = f"{event.proposer_name} named you as a co-convener of {event.name}"
        _send(email, subject, "sig_co_convener", event=event, link=link)


def on_approved(event: SigApproved) -> None:
    link = settings().url(f"/sigs/{event.sig_id}")
    for email in event.convener_emails:
        _send(
            email,
            f"{event.name} has been approved",
            "sig_approved",
            event=event,
            link=link,
            is_proposer=email == event.proposer_email.lower(),
        )


def on_rejected(event: SigRejected) -> None:
    _send(
        event.proposer_email,
        f"Your SIG proposal: {event.name}",
        "sig_rejected",
        event=event,
        link=settings().url("/sigs/new"),
    )


def on_convener_left(event: SigConvenerLeft) -> None:
    if event.conveners_left:
        return  # others still convene it
    link = settings().url(f"/sigs/{event.sig_id}")
    for email in sorted(settings().staff_emails):
        _send(email, f"{event.name} is looking for a convener", "sig_convener_wanted", event=event, link=link)


def on_convener_offered(event: SigConvenerOffered) -> None:
    link = settings().url(f"/sigs/{event.sig_id}")
    for email in sorted(settings().staff_emails):
        _send(email, f"An offer to convene {event.name}", "sig_convener_offered", event=event, link=link)


def on_convener_appointed(event: SigConvenerAppointed) -> None:
    link = settings().url(f"/sigs/{event.sig_id}")
    _send(event.member_email, f"You now convene {event.name}", "sig_convener_appointed", event=event, link=link)


handler = consumer(
    "sig-notifications",
    {
        SigProposed: on_proposed,
        SigApproved: on_approved,
        SigRejected: on_rejected,
        SigConvenerLeft: on_convener_left,
        SigConvenerOffered: on_convener_offered,
        SigConvenerAppointed: on_convener_appointed,
    },
)
