"""An approved issue fans out: every confirmed subscriber, in batches of at most 50, each
batch one ``NewsletterBatchReady`` event written through the outbox.

If this consumer fails half way and runs again, it writes every batch again: the sender's
record of who was sent the issue (``NEWSLETTER#<issue> / SENT#<subscriber>``) makes the second
copy of a batch send nothing to those already sent, so nobody is missed and nobody gets two.
"""

from __future__ import annotations

import logging

from functions.common.consumer import consumer
from functions.common.store import Store
from schemas.events.newsletter import NewsletterApproved, NewsletterBatchReady

from . import domain
from .domain import IssueStatus
from .repository import NewsletterRepository

logger = logging.getLogger("convene")

#: Events per outbox transaction (each event is one of the transaction's 100 operations).
EVENTS_PER_WRITE = 25


def on_approved(event: NewsletterApproved) -> None:
    store = Store()
    repo = NewsletterRepository(store)
    issue = repo.issue(event.issue_id)
    if issue is None or issue.status != IssueStatus.APPROVED:
        raise RuntimeError(f"issue {event.issue_id} is not approved")  # cannot happen: retried, then dead-lettered
    batches = [
        NewsletterBatchReady(issue_id=issue.issue_id, batch=n, subscriber_ids=ids)
        for n, ids in enumerate(domain.batches(repo.confirmed_ids()), start=1)
    ]
    for start in range(0, len(batches), EVENTS_PER_WRITE):
        store.write([], batches[start : start + EVENTS_PER_WRITE])
    logger.info("issue %s: %d send batches", issue.issue_id, len(batches))


handler = consumer("newsletter-fanout", {NewsletterApproved: on_approved})
