"""A member's data in the newsletter (UK GDPR): exported, and erased.

Erasure deletes the member's subscription (found by their address). A suppression stays, but
only as a hash of the address, so a bounced or complaining address is still never emailed.
Items naming the member (a funded bid they agreed to be named for) lose the name: a pending
item is deleted, an issued one keeps its news with "A member" instead; the archived issue in
S3 is rewritten the same way by ``newsletter-items`` when it hears ``MemberErased`` (this hook
runs in the account function, which has no access to the newsletter's bucket).
"""

from __future__ import annotations

from typing import Any

from functions.common.store import Store
from functions.members.model import Member

from .domain import ItemStatus
from .repository import NewsletterRepository


def export(member: Member, store: Store) -> dict[str, Any]:
    repo = NewsletterRepository(store)
    subscriber = repo.subscriber_by_email(member.email)
    subscription = None
    if subscriber is not None:
        subscription = {
            "email": subscriber.email,
            "name": subscriber.name,
            "topics": list(subscriber.topics),
            "status": subscriber.status.value,
            "subscribed_at": subscriber.created_at,
            "confirmed_at": subscriber.confirmed_at,
            "unsubscribed_at": subscriber.unsubscribed_at,
            "suppressed_at": subscriber.suppressed_at,
        }
    return {
        "subscription": subscription,
        "address_suppressed": repo.is_suppressed(member.email),
        "named_in": [
            {"item_id": i.item_id, "title": i.title, "status": i.status.value, "issue_id": i.issue_id}
            for i in repo.items_naming(member.member_id)
        ],
    }


def erase(member: Member, store: Store) -> None:
    repo = NewsletterRepository(store)
    subscriber = repo.subscriber_by_email(member.email)
    if subscriber is not None:
        repo.forget_subscriber(subscriber)
    for item in repo.items_naming(member.member_id):
        if item.status == ItemStatus.PENDING:
            repo.delete_item(item.item_id)  # not announced yet: it never will be
        else:
            repo.take_name_out(item, member.member_id)
