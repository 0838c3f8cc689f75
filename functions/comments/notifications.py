"""Emails about comments: a held first comment asks the team to decide it (each team member gets
a scanner-safe link: opening it only shows the comment), and its author hears the outcome.

The team's email names the page, never the comment's text or its author's name: text typed by
someone the team has not yet approved never reaches an inbox as ours; the link's page shows it.
"""

from __future__ import annotations

import logging

from functions.common import mail, tokens
from functions.common.consumer import consumer
from functions.common.settings import settings
from functions.common.store import pseudonym
from schemas.events.comments import CommentApproved, CommentHeld, CommentRejected

from .domain import Target
from .repository import CommentRepository

logger = logging.getLogger("convene")

_send = mail.send_template


def on_held(event: CommentHeld) -> None:
    staff = sorted(settings().staff_emails)
    if not staff:
        logger.error("comment %s is held but no staff emails are configured (STAFF_EMAILS)", event.comment_id)
    markers = CommentRepository()
    for email in staff:
        # One email per team member per event, even when a failure part-way has the event handled again.
        if markers.mail_sent(event.event_id, pseudonym(email)):
            continue
        token = tokens.issue("comment-moderation", email, comment_id=event.comment_id)
        link = settings().url(f"/comments/moderate?token={token}")
        subject = f"A first comment to approve on {event.target_title}"
        _send(email, subject, "comments_held", event=event, link=link)
        markers.record_mail(event.event_id, pseudonym(email))


def _author_email(author_id: str) -> str:
    from functions.members.repository import MemberRepository

    member = MemberRepository().by_id(author_id)
    return member.email if member else ""  # erased meanwhile: there is no one to tell


def on_approved(event: CommentApproved) -> None:
    if email := _author_email(event.author_id):
        link = settings().url(f"{Target.parse(event.target).url}#comment-{event.comment_id}")
        _send(email, f"Your comment on {event.target_title} is shown", "comments_approved", event=event, link=link)


def on_rejected(event: CommentRejected) -> None:
    if email := _author_email(event.author_id):
        link = settings().url("/comments/policy")
        subject = f"Your comment on {event.target_title} was not approved"
        _send(email, subject, "comments_rejected", event=event, link=link)


handler = consumer(
    "comments-notifications",
    {CommentHeld: on_held, CommentApproved: on_approved, CommentRejected: on_rejected},
)
