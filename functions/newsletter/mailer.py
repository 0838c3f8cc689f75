"""Emails about the newsletter that are not the newsletter: the confirmation link (double
opt-in) and the editors' test send of each new draft, with the link to approve it."""

from __future__ import annotations

import logging

from functions.common import mail
from functions.common.consumer import consumer
from functions.common.settings import settings
from functions.common.web import render
from schemas.events.newsletter import (
    NewsletterDrafted,
    NewsletterDraftReturned,
    NewsletterSubscriptionRequested,
    NewsletterTestRequested,
)

from . import rendering
from .domain import SubscriberStatus
from .files import IssueFiles
from .repository import NewsletterRepository
from .service import link, preferences_url, review_url

logger = logging.getLogger("convene")


def on_subscription_requested(event: NewsletterSubscriptionRequested) -> None:
    repo = NewsletterRepository()
    subscriber = repo.subscriber(event.subscriber_id)
    if subscriber is None or subscriber.status == SubscriberStatus.SUPPRESSED or repo.is_suppressed(subscriber.email):
        logger.info("no subscription email for %s: unknown or suppressed", event.subscriber_id)
        return
    if event.already_confirmed:
        target = preferences_url(subscriber.subscriber_id)
        subject = f"You are already subscribed to {settings().newsletter_name}"
    elif subscriber.status == SubscriberStatus.PENDING:
        target = link("newsletter-confirm", "/newsletter/confirm", subscriber.subscriber_id)
        subject = f"Confirm your subscription to {settings().newsletter_name}"
    else:
        logger.info("no confirmation for %s: it is %s now", subscriber.subscriber_id, subscriber.status.value)
        return
    # A pending subscriber's name was typed by whoever filled in the form, perhaps not the
    # address's owner: it is not put in front of them. A confirmed name was theirs to give.
    name = subscriber.name if event.already_confirmed else ""
    context = {"name": name, "link": target, "already": event.already_confirmed}
    mail.send(
        mail.Email(
            to=subscriber.email,
            subject=mail.one_line(subject),
            text=render("email/newsletter_confirm.txt", **context),
            html=render("email/newsletter_confirm.html", **context),
        )
    )


def on_drafted(event: NewsletterDrafted | NewsletterTestRequested) -> None:
    """The test send: the draft as subscribers will see it, to each editor, marked [TEST]."""
    editors = sorted(settings().staff_emails)
    if not editors:
        logger.error("issue %s was drafted but no editors are configured (STAFF_EMAILS)", event.issue_id)
        return
    content = IssueFiles().content(event.issue_id)
    if content is None:
        raise RuntimeError(f"the content of issue {event.issue_id} is missing from S3")
    sections = rendering.sections(content)
    for editor in editors:
        html, text = rendering.issue_email(
            content,
            sections,
            unsubscribe_url=None,
            preferences_url=None,
            review_url=review_url(event.issue_id, editor),
        )
        mail.send(mail.Email(to=editor, subject=mail.one_line(f"[TEST] {content.title}"), text=text, html=html))


def on_returned(event: NewsletterDraftReturned) -> None:
    """The editors hear that a draft was sent back, and why (the note is from a team member)."""
    context = {"event": event, "link": settings().url("/newsletter/items")}
    for editor in sorted(settings().staff_emails):
        mail.send(
            mail.Email(
                to=editor,
                subject=mail.one_line(f"Sent back: {event.title}"),
                text=render("email/newsletter_returned.txt", **context),
                html=render("email/newsletter_returned.html", **context),
            )
        )


handler = consumer(
    "newsletter-mail",
    {
        NewsletterSubscriptionRequested: on_subscription_requested,
        NewsletterDrafted: on_drafted,
        NewsletterTestRequested: on_drafted,
        NewsletterDraftReturned: on_returned,
    },
)
