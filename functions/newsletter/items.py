"""Collects newsletter items from what happens in the community: a SIG approved, a bid funded
(only when the applicant agreed to be named), a visit published with places left, a takeaway
staff published from a member's follow-up answer (issue 11 §2); and takes an erased member's
name out of archived issues.

Each item's id comes from its source (``sig-<id>``, ...) and is written only if new, so an
event delivered twice still makes one item."""

from __future__ import annotations

import logging

from functions.common.consumer import consumer
from functions.common.settings import settings
from schemas.events.account import MemberErased
from schemas.events.followups import TakeawayPublished
from schemas.events.funding import BidApproved
from schemas.events.sigs import SigApproved
from schemas.events.visits import VisitPublished

from . import domain, rendering
from .domain import Item
from .files import IssueFiles
from .repository import NewsletterRepository

logger = logging.getLogger("convene")


def _add(item: Item | None, why_not: str) -> None:
    if item is None:
        logger.info("no newsletter item: %s", why_not)
        return
    if not NewsletterRepository().add_item(item):
        logger.info("newsletter item %s exists already", item.item_id)


def on_sig_approved(event: SigApproved) -> None:
    _add(domain.item_for_sig(event, settings().url(f"/sigs/{event.sig_id}")), "")


def on_bid_approved(event: BidApproved) -> None:
    item = domain.item_for_bid(event, settings().url("/funding"))
    _add(item, f"bid {event.bid_id}: the applicant did not agree to be named")


def on_visit_published(event: VisitPublished) -> None:
    item = domain.item_for_visit(event, settings().url(f"/visits/{event.visit_id}"), settings().timezone)
    _add(item, f"visit {event.visit_id}: no places left or sign-up closed")


def on_takeaway_published(event: TakeawayPublished) -> None:
    _add(domain.item_for_takeaway(event, settings().url(f"/events/{event.gathering_id}#takeaways")), "")


def on_member_erased(event: MemberErased) -> None:
    """The account's hook took the member's name out of the items; do the same in the issues
    archived in S3 (the hook's function cannot write there)."""
    repo = NewsletterRepository()
    files = IssueFiles()
    for item in repo.items_to_rewrite(event.member_id):
        content = files.content(item.issue_id) if item.issue_id else None
        if content is not None:
            rewritten = content.replace_item(item)
            html, text = rendering.issue_email(rewritten, unsubscribe_url=None, preferences_url=None)
            files.put(rewritten, html, text)
        repo.rewritten(item.item_id)


handler = consumer(
    "newsletter-items",
    {
        SigApproved: on_sig_approved,
        BidApproved: on_bid_approved,
        VisitPublished: on_visit_published,
        TakeawayPublished: on_takeaway_published,
        MemberErased: on_member_erased,
    },
)
