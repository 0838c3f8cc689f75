"""A member's sign-ups of one kind (visits, events), for their data export and their erasure.

Erasure first gives up any place, offer or queue position the member still holds on a listing
that has not started (so it passes to the next person waiting, as a cancellation does), then
deletes their sign-ups. Events about sign-ups carry only ids, and the emails a consumer would
send for the cancellation find no sign-up any more, so nothing is sent to an erased address.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from functions.common.errors import DomainError
from functions.common.store import Store
from functions.members.model import Member

from .repository import SignupChanged
from .service import PlacesService


def export_signups(service: PlacesService[Any], member_id: str) -> list[dict[str, Any]]:
    id_field = service.kind.event_field
    return [
        {
            id_field: listing.listing_id,
            service.kind.noun: listing.title,
            "starts_at": listing.starts_at.isoformat(),
            "status": signup.status.value,
            "waiting_list_position": position,
            "signed_up_at": signup.signed_up_at.isoformat(),
            "access_needs": signup.access_needs,
            "dietary_needs": signup.dietary_needs,
            "note": signup.note,
            **({"answers": [list(pair) for pair in signup.answers]} if signup.answers else {}),
            **({"attended": signup.attended} if signup.attended is not None else {}),
        }
        for listing, signup, position in service.signups_of(member_id)
    ]


def erase_signups(service: PlacesService[Any], member_id: str) -> None:
    listings = service.listings
    for signup in listings.of_member(member_id):
        if signup.active:
            # A listing that has started or was cancelled has nothing to pass on.
            with suppress(DomainError):
                service.give_up(signup.listing_id, member_id)
        for _ in range(3):
            current = listings.signup(signup.listing_id, member_id)
            listing = listings.get(signup.listing_id)
            if current is None or listing is None:
                break
            try:
                listings.forget(listing, current)
                break
            except SignupChanged:
                continue  # promoted or offered a moment ago: forget it as it is now


def privacy_for(
    service: Callable[[Store], PlacesService[Any]],
) -> tuple[Callable[[Member, Store], dict[str, Any]], Callable[[Member, Store], None]]:
    """An area's ``export(member, store)`` and ``erase(member, store)`` over its sign-ups."""

    def export(member: Member, store: Store) -> dict[str, Any]:
        return {"signups": export_signups(service(store), member.member_id)}

    def erase(member: Member, store: Store) -> None:
        erase_signups(service(store), member.member_id)

    return export, erase
