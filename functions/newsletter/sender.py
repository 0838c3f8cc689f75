"""Sends one batch (at most 50 subscribers) of an approved issue, each subscriber exactly once,
at the account's SES send rate (see ``throttle``).

For each recipient, in this order:
1. skip anyone not confirmed now, whose address is suppressed (bounce, complaint), or who
   already has a claim on the issue (one batch read: a redelivered batch costs one read);
2. wait for a slot within the account's send rate (read once per batch);
3. claim (issue, subscriber) with a conditional put: if the claim exists, this subscriber was
   already sent the issue (a retried batch, a redelivered event, a second fan-out): skip;
4. send; if SES refuses, release the claim and fail the batch, so SQS redelivers it and the
   retry sends to exactly those not yet sent;
5. the batch's claims become "sent" with SES's message ids in one write at the end.
If the container dies between 3 and 4 the claim stays "sending" and that one person misses
the issue: we prefer that to sending anyone the same issue twice. A batch that runs out of
time (a low send rate) stops and fails, and its redelivery sends to the rest.
"""

from __future__ import annotations

import logging
import time

from functions.common import mail
from functions.common.consumer import consumer
from functions.common.ids import utcnow
from schemas.events.newsletter import NewsletterBatchReady

from . import rendering
from .domain import IssueContent, IssueStatus, Subscriber, SubscriberStatus
from .files import cached_content
from .repository import NewsletterRepository
from .service import preferences_url, unsubscribe_url
from .throttle import SendThrottle, send_rate

logger = logging.getLogger("convene")

#: Stop a batch after this long (the function may run 30 s): at a low send rate the rest is
#: sent when SQS redelivers the batch, and the claims skip everyone already sent.
SEND_BUDGET_SECONDS = 20


class BatchUnfinished(Exception):
    """Time is nearly up: fail the record so that SQS redelivers it to finish the batch."""


def newsletter_email(
    content: IssueContent, sections: list[rendering.RenderedSection], subscriber: Subscriber
) -> mail.Email:
    unsubscribe = unsubscribe_url(subscriber.subscriber_id)
    html, text = rendering.issue_email(
        content, sections, unsubscribe_url=unsubscribe, preferences_url=preferences_url(subscriber.subscriber_id)
    )
    return mail.Email(
        to=subscriber.email,
        subject=mail.one_line(content.title),
        text=text,
        html=html,
        headers={
            # RFC 2369 and RFC 8058: mail providers show an unsubscribe button that POSTs
            # "List-Unsubscribe=One-Click" to this URL; the token in it names the subscriber.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def on_batch(event: NewsletterBatchReady) -> None:
    repo = NewsletterRepository()
    issue = repo.issue(event.issue_id)
    if issue is None or issue.status != IssueStatus.APPROVED:
        raise RuntimeError(f"issue {event.issue_id} is not approved")
    content = cached_content(event.issue_id)
    if content is None:
        raise RuntimeError(f"the content of issue {event.issue_id} is missing from S3")
    subscribers = {s.subscriber_id: s for s in repo.subscribers(event.subscriber_ids)}
    suppressed = repo.suppressed(s.email for s in subscribers.values())
    done = repo.already_claimed(issue.issue_id, event.subscriber_ids)
    recipients = [
        subscribers[i]
        for i in event.subscriber_ids
        if i not in done
        and i in subscribers
        and subscribers[i].status == SubscriberStatus.CONFIRMED
        and subscribers[i].email not in suppressed
    ]
    throttle = SendThrottle(send_rate(mail.account_send_rate), repo.reserve_send_slots)
    rendered: dict[tuple[str, ...], tuple[IssueContent, list[rendering.RenderedSection]] | None] = {}
    sent: list[tuple[str, str, str]] = []
    started = time.monotonic()
    try:
        for position, subscriber in enumerate(recipients):
            if position and time.monotonic() - started > SEND_BUDGET_SECONDS:  # each attempt sends one at least
                raise BatchUnfinished(f"{len(recipients) - position} recipients left for the retry")
            if subscriber.topics not in rendered:
                personal = content.for_topics(subscriber.topics)
                rendered[subscriber.topics] = (personal, rendering.sections(personal)) if personal else None
            version = rendered[subscriber.topics]
            if version is None:
                continue  # none of the sections they chose is in this issue
            throttle.take(len(recipients) - position)
            claimed_at = utcnow().isoformat()
            if not repo.claim_send(issue.issue_id, subscriber.subscriber_id, claimed_at):
                continue
            try:
                message_id = mail.send(newsletter_email(*version, subscriber))
            except Exception:
                repo.release_send(issue.issue_id, subscriber.subscriber_id)
                raise
            sent.append((subscriber.subscriber_id, message_id, claimed_at))
    finally:
        if sent:
            repo.mark_sent(issue.issue_id, sent, utcnow().isoformat())
        logger.info(
            "issue %s batch %d: sent %d of %d", issue.issue_id, event.batch, len(sent), len(event.subscriber_ids)
        )


handler = consumer("newsletter-send", {NewsletterBatchReady: on_batch})
