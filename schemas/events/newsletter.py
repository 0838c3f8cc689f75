"""Events of the newsletter area.

They carry ids, not addresses: consumers read the subscriber or issue they need, so email
addresses do not travel on the bus and a consumer always sees the current state (for
example an address suppressed after the event was written).
"""

from __future__ import annotations

from pydantic import Field

from schemas.text import EmailAddress

from .base import DomainEvent
from .origins import Origin

#: Recipients per send batch: one batch is one SQS message and one Lambda invocation, small
#: enough to finish well inside the function's timeout at the configured send rate.
MAX_BATCH_RECIPIENTS = 50


class NewsletterSubscriptionRequested(DomainEvent):
    """Someone asked to subscribe: send them the confirmation link (double opt-in), or, if
    they are already confirmed, tell them so."""

    subscriber_id: str
    already_confirmed: bool = False


class NewsletterDrafted(DomainEvent):
    """The schedule assembled a draft issue: editors get a test send with an approval link."""

    issue_id: str
    title: str
    item_count: int
    sections: list[str]


class NewsletterApproved(DomainEvent):
    """An editor approved the issue: it is sent to every confirmed subscriber."""

    issue_id: str
    title: str
    approved_by: EmailAddress


class NewsletterTestRequested(DomainEvent):
    """An editor asked for the test send of a draft again (after changing it, say)."""

    issue_id: str
    title: str
    requested_by: EmailAddress


class NewsletterDraftReturned(DomainEvent):
    """An editor sent a draft back with a note: its items wait for the next draft again."""

    issue_id: str
    title: str
    note: str
    returned_by: EmailAddress


class NewsletterBatchReady(DomainEvent):
    """One batch of at most 50 subscribers to send an approved issue to."""

    issue_id: str
    batch: int
    subscriber_ids: list[str] = Field(min_length=1, max_length=MAX_BATCH_RECIPIENTS)


__all__ = [
    "MAX_BATCH_RECIPIENTS",
    "DomainEvent",
    "NewsletterApproved",
    "NewsletterBatchReady",
    "NewsletterDraftReturned",
    "NewsletterDrafted",
    "NewsletterSubscriptionRequested",
    "NewsletterTestRequested",
]


class NewsletterItemAdded(DomainEvent):
    """Staff added an item to the next issue; it names what it came from, if anything
    (the chain of ideas shows it as a newsletter mention)."""

    item_id: str
    title: str
    section: str
    origins: list[Origin] = Field(default_factory=list)
