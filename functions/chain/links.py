"""The ``chain-links`` consumer: keeps the chain's read model from the domain events, so the
"taken forward" pages and every "led to" list are one Query each (no Scan).

- ``ConversationProposed``: the conversation joins its event's story (title, themes, host).
- ``SigApproved``, ``BidApproved``, ``VisitPublished``, ``EventPublished``, ``NewsletterItemAdded``
  with origins: a public step taken
  forward, recorded under each origin ("led to") and under every conversation or event it
  ultimately came from (its origins' own roots, read from the read model).

Only public steps are recorded: a proposed SIG or a bid under review is nobody else's business
until it is approved or funded. Names: the SIG's proposer (who convenes it, as its page shows)
and a funded bid's applicant only if they agreed to be named.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from functions.common.consumer import consumer
from functions.common.store import Store
from functions.members.model import display_name
from schemas.events.base import DomainEvent
from schemas.events.events import EventPublished
from schemas.events.followups import TakeawayPublished
from schemas.events.funding import BidApproved
from schemas.events.newsletter import NewsletterItemAdded
from schemas.events.openspace import ConversationProposed
from schemas.events.origins import Origin
from schemas.events.sigs import SigApproved
from schemas.events.visits import VisitPublished

from . import domain
from .domain import ConversationSummary, Follow
from .repository import ChainRepository


def conversation_proposed(event: ConversationProposed, store: Store | None = None) -> None:
    summary = ConversationSummary(
        event.conversation_id,
        event.title,
        tuple(event.themes),
        (display_name(event.host_name),),
        (event.host_member_id,),
    )
    ChainRepository(store).record_conversation(event.gathering_id, summary)


def record(follow: Follow, origins: Sequence[Origin], store: Store | None = None) -> None:
    """Record one public step and where it came from (shared by every event it follows)."""
    if not origins:
        return
    chain = ChainRepository(store)
    known = chain.roots_of([o.ref for o in origins if o.kind not in ("conversation", "event")])
    roots = domain.roots(origins, known)
    titles = _event_titles({r.event_id for r in roots}, chain.store)
    chain.record_follow(follow, [o.ref for o in origins], roots, titles)


def _event_titles(event_ids: set[str], store: Store) -> dict[str, str]:
    from functions.events.attendance import get_event

    titles: dict[str, str] = {}
    for event_id in sorted(event_ids):
        found = get_event(event_id, store)
        titles[event_id] = found.title if found else ""
    return titles


def sig_approved(event: SigApproved, store: Store | None = None) -> None:
    follow = Follow(
        kind="sig",
        ref=f"sig:{event.sig_id}",
        title=event.name,
        at=event.occurred_at.isoformat(),
        what="Special Interest Group started",
        url=f"/sigs/{event.sig_id}",
        people=(display_name(event.proposer_name),),
        named=(event.proposer_id,),
    )
    record(follow, event.origins, store)


def bid_approved(event: BidApproved, store: Store | None = None) -> None:
    # The bid's own page is the applicant's: link to the group it supports, if any.
    follow = Follow(
        kind="bid",
        ref=f"bid:{event.bid_id}",
        title=event.title,
        at=event.occurred_at.isoformat(),
        what="Supporting Q Connections funding awarded",
        url=f"/sigs/{event.sig_id}" if event.sig_id else None,
        people=(display_name(event.applicant_name),) if event.consent_to_be_named else (),
        named=(event.applicant_id,) if event.consent_to_be_named else (),
    )
    record(follow, event.origins, store)


def item_added(event: NewsletterItemAdded, store: Store | None = None) -> None:
    follow = Follow(
        kind="newsletter",
        ref=f"newsletter:{event.item_id}",
        title=event.title,
        at=event.occurred_at.isoformat(),
        what="In Q-municate",
        url="/newsletter",
    )
    record(follow, event.origins, store)


def visit_published(event: VisitPublished, store: Store | None = None) -> None:
    follow = Follow(
        kind="visit",
        ref=f"visit:{event.visit_id}",
        title=event.title,
        at=event.occurred_at.isoformat(),
        what="Visit published",
        url=f"/visits/{event.visit_id}",
    )
    record(follow, event.origins, store)


def event_published(event: EventPublished, store: Store | None = None) -> None:
    follow = Follow(
        kind="event",
        ref=f"event:{event.gathering_id}",
        title=event.title,
        at=event.occurred_at.isoformat(),
        what="Event published",
        url=f"/events/{event.gathering_id}",
    )
    record(follow, event.origins, store)


def takeaway_published(event: TakeawayPublished, store: Store | None = None) -> None:
    # The member's name only with their consent: an anonymous takeaway carries none.
    follow = Follow(
        kind="takeaway",
        ref=f"takeaway:{event.takeaway_id}",
        title=event.text if len(event.text) <= 140 else event.text[:139].rstrip() + "…",
        at=event.occurred_at.isoformat(),
        what="A member's takeaway",
        url=f"/events/{event.gathering_id}#takeaways",
        people=(event.name,) if event.name else (),
        named=(event.named_member_id,) if event.name and event.named_member_id else (),
    )
    record(follow, event.origins, store)


#: The events that add to the chain, and how. Another area joins the story by adding its
#: event here (with ``origins``) and to the declaration (``schemas/declaration/chain.py``).
HANDLERS: dict[type[DomainEvent], Callable[[Any], None]] = {
    ConversationProposed: conversation_proposed,
    SigApproved: sig_approved,
    BidApproved: bid_approved,
    NewsletterItemAdded: item_added,
    VisitPublished: visit_published,
    EventPublished: event_published,
    TakeawayPublished: takeaway_published,
}

handler = consumer("chain-links", HANDLERS)
