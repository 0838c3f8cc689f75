"""Checks the origins a person names on a SIG proposal, a bid, a visit, an event or a newsletter
item: each must exist and be visible to them. One function, used by every area, so the rule is
enforced in one place (GUIDE, trust rules).

An origin that does not exist and one the person may not see get the same answer (422, "there is
no ... you can see"): whether a proposed SIG or someone's bid exists is nobody else's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from functions.common.errors import DomainError
from functions.common.store import Store
from schemas.events.origins import Origin

if TYPE_CHECKING:
    from functions.common.identity import User

#: What each kind is called in messages.
NOUNS = {
    "conversation": "Open Space conversation",
    "event": "event",
    "sig": "Special Interest Group",
    "bid": "funded bid",
}


class UnknownOrigin(DomainError):
    """An origin that does not exist, or that the person naming it cannot see."""

    status = 422


def parse(ref: str) -> tuple[str, str, str]:
    """(kind, id, event id) of an origin's text form (already checked against ``ORIGIN_PATTERN``)."""
    kind, _, rest = ref.partition(":")
    if kind == "conversation":
        event_id, _, conversation_id = rest.partition(":")
        return kind, conversation_id, event_id
    return kind, rest, ""


def url(origin: Origin) -> str:
    """Where an origin is shown."""
    if origin.kind == "conversation":
        return f"/open-space/{origin.event_id}/proceedings#{origin.id}"
    return {"event": "/events/", "sig": "/sigs/", "bid": "/funding/bids/"}[origin.kind] + origin.id


def resolve(refs: Sequence[str], user: User | None, store: Store | None = None) -> list[Origin]:
    """The origins named by ``refs`` (in order, each once), each checked to exist and to be
    visible to ``user`` now; raises :class:`UnknownOrigin` (422) naming the first that is not."""
    store = store or Store()
    found: list[Origin] = []
    for ref in dict.fromkeys(refs):
        kind, thing_id, event_id = parse(ref)
        origin = _lookup(kind, thing_id, event_id, user, store)
        if origin is None:
            raise UnknownOrigin(
                f"There is no {NOUNS.get(kind, 'origin')} “{ref}” that you can see. "
                "Name something you can open yourself.",
                field="origins",
            )
        found.append(origin)
    return found


def _lookup(kind: str, thing_id: str, event_id: str, user: User | None, store: Store) -> Origin | None:
    staff = bool(user and user.is_staff)
    email = user.email.lower() if user else None
    if kind in ("conversation", "event"):
        from functions.events.attendance import get_event
        from functions.places.domain import ListingStatus

        event = get_event(event_id or thing_id, store)
        if event is None or not (staff or event.status == ListingStatus.PUBLISHED):
            return None
        if kind == "event":
            return Origin(kind="event", id=event.event_id, title=event.title)
        from functions.openspace.repository import OpenSpaceRepository

        valid = thing_id.startswith("conv_") and len(thing_id) < 64
        conversation = OpenSpaceRepository(store).get(event.event_id, thing_id) if valid else None
        if conversation is None:
            return None
        return Origin(kind="conversation", id=thing_id, event_id=event.event_id, title=conversation.title)
    if kind == "sig":
        from functions.sigs.repository import SigRepository

        sig = SigRepository(store).get(thing_id) if thing_id.startswith("sig_") and len(thing_id) < 64 else None
        if sig is None or not sig.visible_to(email, staff):
            return None
        return Origin(kind="sig", id=sig.sig_id, title=sig.name)
    if kind == "bid":
        from functions.funding.domain import BidStatus
        from functions.funding.repository import FundingRepository

        bid = FundingRepository(store).get_bid(thing_id) if thing_id.startswith("bid_") and len(thing_id) < 64 else None
        if bid is None or bid.status != BidStatus.APPROVED:
            return None
        own = bool(email and (bid.is_applicant(email) or email in bid.confirmed_co_applicants))
        if not (staff or own or bid.consent_to_be_named):
            return None
        return Origin(kind="bid", id=bid.bid_id, title=bid.title)
    return None


def stored(origins: Sequence[Origin]) -> list[dict[str, str]]:
    """Origins as an item attribute."""
    return [o.model_dump() for o in origins]


def from_stored(raw: object) -> tuple[Origin, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(Origin.model_validate(o) for o in raw if isinstance(o, dict))
