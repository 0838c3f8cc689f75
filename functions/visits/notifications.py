"""Emails of the Visits programme: confirmations with a calendar invitation, waiting-list news,
offers, reminders and cancellations.

Each email is about the sign-up as it is now: an event that arrives after the member has moved on
(cancelled before their confirmation went out) sends nothing. Events with many recipients (a
cancelled visit, a reminder) record each email sent, so a retried event emails only those left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import cache

from functions.common import mail, tokens
from functions.common.consumer import consumer
from functions.common.ids import utcnow
from functions.common.settings import settings
from schemas.events.visits import (
    VisitCancelled,
    VisitOfferExpired,
    VisitPlaceOffered,
    VisitReminderTriggered,
    VisitSignedUp,
    VisitSignupCancelled,
    VisitSignupPromoted,
)

from . import calendar, domain
from .domain import Signup, SignupStatus, Visit, VisitStatus
from .repository import VisitRepository

logger = logging.getLogger("convene")


@cache
def visits() -> VisitRepository:
    return VisitRepository()


_send = mail.send_template


def _current(visit_id: str, member_id: str, signup_id: str) -> tuple[Visit, Signup] | None:
    """The visit and this very sign-up, or None when it has been replaced by a newer one."""
    visit = visits().get(visit_id)
    signup = visits().signup(visit_id, member_id)
    if visit is None or signup is None or signup.signup_id != signup_id:
        logger.info("visit %s: sign-up %s has been replaced; nothing to send", visit_id, signup_id)
        return None
    return visit, signup


def _page(visit: Visit) -> str:
    return settings().url(f"/visits/{visit.visit_id}")


def _cancel_link(visit: Visit, signup: Signup) -> str:
    token = tokens.issue("visit-cancel", signup.member_id, visit_id=visit.visit_id, signup_id=signup.signup_id)
    return settings().url(f"/visits/{visit.visit_id}/cancel-place?token={token}")


def _ics(visit: Visit, signup: Signup, method: calendar.Method, sequence: int) -> mail.Attachment:
    return calendar.invitation(
        visit,
        signup,
        method=method,
        sequence=sequence,
        sender=settings().sender,
        organiser_name=settings().community_name,
        page_url=_page(visit),
        now=utcnow(),
    )


def _confirm(visit: Visit, signup: Signup, sequence: int, *, promoted: str = "") -> None:
    _send(
        signup.email,
        f"Your place is confirmed: {visit.title}",
        "visit_confirmed",
        attachments=[_ics(visit, signup, "REQUEST", sequence)],
        visit=visit,
        signup=signup,
        promoted=promoted,
        page=_page(visit),
        cancel_link=_cancel_link(visit, signup),
    )


def on_signed_up(event: VisitSignedUp) -> None:
    found = _current(event.visit_id, event.member_id, event.signup_id)
    if found is None:
        return
    visit, signup = found
    if event.status == "confirmed":
        if signup.status == SignupStatus.CONFIRMED:
            _confirm(visit, signup, event.ics_sequence)
        return
    if signup.status != SignupStatus.WAITLISTED:
        return  # already promoted or gone: that later event has its own email
    _send(
        signup.email,
        f"You are on the waiting list: {visit.title}",
        "visit_waitlisted",
        visit=visit,
        signup=signup,
        position=event.position,
        page=_page(visit),
        cancel_link=_cancel_link(visit, signup),
    )


def on_promoted(event: VisitSignupPromoted) -> None:
    found = _current(event.visit_id, event.member_id, event.signup_id)
    if found is None or found[1].status != SignupStatus.CONFIRMED:
        return
    _confirm(*found, event.ics_sequence, promoted=event.via)


def on_offered(event: VisitPlaceOffered) -> None:
    found = _current(event.visit_id, event.member_id, event.signup_id)
    if found is None:
        return
    visit, signup = found
    if signup.status != SignupStatus.OFFERED or signup.offer_id != event.offer_id:
        return
    token = tokens.issue(
        "visit-offer",
        signup.member_id,
        visit_id=visit.visit_id,
        signup_id=signup.signup_id,
        offer_id=event.offer_id,
    )
    _send(
        signup.email,
        f"A place is free for you: {visit.title}",
        "visit_offer",
        visit=visit,
        signup=signup,
        expires_at=event.offer_expires_at,
        link=settings().url(f"/visits/{visit.visit_id}/offer?token={token}"),
        page=_page(visit),
    )


def on_offer_expired(event: VisitOfferExpired) -> None:
    found = _current(event.visit_id, event.member_id, event.signup_id)
    if found is None or found[1].status != SignupStatus.OFFER_EXPIRED:
        return
    visit, signup = found
    if visit.status != VisitStatus.PUBLISHED:
        return  # the visit's cancellation already told them
    _send(
        signup.email,
        f"Your offered place has passed on: {visit.title}",
        "visit_offer_expired",
        visit=visit,
        signup=signup,
        page=_page(visit),
    )


def on_signup_cancelled(event: VisitSignupCancelled) -> None:
    found = _current(event.visit_id, event.member_id, event.signup_id)
    if found is None:
        return
    visit, signup = found
    # Only a confirmed place had a calendar entry to remove.
    attachments = [_ics(visit, signup, "CANCEL", event.ics_sequence)] if event.previous_status == "confirmed" else []
    _send(
        signup.email,
        f"Cancelled: your place on {visit.title}"
        if event.previous_status != "waitlisted"
        else f"You have left the waiting list: {visit.title}",
        "visit_signup_cancelled",
        attachments=attachments,
        visit=visit,
        signup=signup,
        previous=event.previous_status,
        page=_page(visit),
    )


def _each_once(event_id: str, people: Iterable[Signup], send: Callable[[Signup], None]) -> int:
    """Send to each person at most once per event, even when the event is handled again after
    a failure part-way (SES throttling, a timeout)."""
    sent = 0
    for signup in people:
        if visits().mail_sent(event_id, signup.member_id):
            continue
        send(signup)
        visits().record_mail(event_id, signup.member_id)
        sent += 1
    return sent


def on_visit_cancelled(event: VisitCancelled) -> None:
    visit = visits().get(event.visit_id)
    if visit is None:
        return
    people = [*visits().going(visit.visit_id), *visits().offered(visit.visit_id), *visits().waiting(visit.visit_id)]

    def tell(signup: Signup) -> None:
        confirmed = signup.status == SignupStatus.CONFIRMED
        sequence = domain.calendar_sequence(visit, signup)
        _send(
            signup.email,
            f"Cancelled: {visit.title}",
            "visit_cancelled",
            attachments=[_ics(visit, signup, "CANCEL", sequence)] if confirmed else [],
            visit=visit,
            signup=signup,
            reason=event.reason,
            confirmed=confirmed,
            visits_page=settings().url("/visits"),
        )

    logger.info("visit %s cancelled: told %d people", visit.visit_id, _each_once(event.event_id, people, tell))


def on_reminder_due(event: VisitReminderTriggered) -> None:
    visit = visits().get(event.visit_id)
    if visit is None or visit.status != VisitStatus.PUBLISHED or visit.has_started(utcnow()):
        return

    def remind(signup: Signup) -> None:
        _send(
            signup.email,
            f"Reminder: {visit.title} on {domain.london(visit.starts_at, settings().timezone)}",
            "visit_reminder",
            visit=visit,
            signup=signup,
            page=_page(visit),
            cancel_link=_cancel_link(visit, signup),
        )

    logger.info(
        "visit %s: reminded %d", visit.visit_id, _each_once(event.event_id, visits().going(visit.visit_id), remind)
    )


handler = consumer(
    "visit-notifications",
    {
        VisitSignedUp: on_signed_up,
        VisitSignupPromoted: on_promoted,
        VisitPlaceOffered: on_offered,
        VisitOfferExpired: on_offer_expired,
        VisitSignupCancelled: on_signup_cancelled,
        VisitCancelled: on_visit_cancelled,
        VisitReminderTriggered: on_reminder_due,
    },
)
