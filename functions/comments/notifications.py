"""Emails about comments: a held first comment asks the team to decide it (each team member gets
a scanner-safe link: opening it only shows the comment), and its author hears the outcome. And
the team home's two comment tiles (held first comments, reported comments): opened and closed in
the team's attention ledger from the same events, as ``team-attention`` does for other areas.

The team's email names the page, never the comment's text or its author's name: text typed by
someone the team has not yet approved never reaches an inbox as ours; the link's page shows it.
"""

from __future__ import annotations

import logging

from functions.common import mail, tokens
from functions.common.consumer import consumer
from functions.common.settings import settings
from functions.common.store import pseudonym
from functions.team.attention import COMMENT_HELD, COMMENT_REPORTED  # the team home's kinds of attention
from schemas.events.comments import (
    CommentApproved,
    CommentHeld,
    CommentHidden,
    CommentRejected,
    CommentReported,
    CommentReportsDismissed,
    CommentsErased,
)

from .domain import Target
from .repository import CommentRepository

logger = logging.getLogger("convene")

_send = mail.send_template


def _ledger():  # type: ignore[no-untyped-def]
    from functions.team.ledger import Ledger

    return Ledger()


def _attention(kind: str, event: CommentHeld | CommentReported) -> None:
    from functions.team.ledger import Attention

    since = event.occurred_at.isoformat()
    link = f"/comments/staff#comment-{event.comment_id}"
    _ledger().open(Attention(kind, event.comment_id, f"On {event.target_title}", link, since))


def on_held(event: CommentHeld) -> None:
    _attention(COMMENT_HELD, event)
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
    _ledger().close(COMMENT_HELD, event.comment_id)
    if email := _author_email(event.author_id):
        link = settings().url(f"{Target.parse(event.target).url}#comment-{event.comment_id}")
        _send(email, f"Your comment on {event.target_title} is shown", "comments_approved", event=event, link=link)


def on_rejected(event: CommentRejected) -> None:
    _ledger().close(COMMENT_HELD, event.comment_id)
    if email := _author_email(event.author_id):
        link = settings().url("/comments/policy")
        subject = f"Your comment on {event.target_title} was not approved"
        _send(email, subject, "comments_rejected", event=event, link=link)


def on_reported(event: CommentReported) -> None:
    _attention(COMMENT_REPORTED, event)


def on_dealt_with(event: CommentHidden | CommentReportsDismissed) -> None:
    _ledger().close(COMMENT_REPORTED, event.comment_id)


def on_erased(event: CommentsErased) -> None:
    ledger = _ledger()
    for comment_id in event.comment_ids:
        ledger.close(COMMENT_HELD, comment_id)
        ledger.close(COMMENT_REPORTED, comment_id)


handler = consumer(
    "comments-notifications",
    {
        CommentHeld: on_held,
        CommentApproved: on_approved,
        CommentRejected: on_rejected,
        CommentReported: on_reported,
        CommentHidden: on_dealt_with,
        CommentReportsDismissed: on_dealt_with,
        CommentsErased: on_erased,
    },
)
