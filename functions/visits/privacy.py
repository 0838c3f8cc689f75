"""A member's data in the Visits programme: their sign-ups, with the needs they told us.

Erasure first gives up any place, offer or queue position the member still holds on a visit
that has not started (so it passes to the next person waiting, as a cancellation does), then
deletes their sign-ups. Events about sign-ups carry only ids, and the emails a consumer would
send for the cancellation find no sign-up any more, so nothing is sent to an erased address.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from functions.common.errors import DomainError
from functions.common.store import Store
from functions.members.model import Member

from .repository import SignupChanged, VisitRepository
from .service import VisitService


def export(member: Member, store: Store) -> dict[str, Any]:
    service = VisitService(store=store)
    return {
        "signups": [
            {
                "visit_id": visit.visit_id,
                "visit": visit.title,
                "starts_at": visit.starts_at.isoformat(),
                "status": signup.status.value,
                "waiting_list_position": position,
                "signed_up_at": signup.signed_up_at.isoformat(),
                "access_needs": signup.access_needs,
                "dietary_needs": signup.dietary_needs,
                "note": signup.note,
            }
            for visit, signup, position in service.signups_of(member.member_id)
        ]
    }


def erase(member: Member, store: Store) -> None:
    service = VisitService(store=store)
    visits = VisitRepository(store)
    for signup in visits.of_member(member.member_id):
        if signup.active:
            # A visit that has started or was cancelled has nothing to pass on.
            with suppress(DomainError):
                service.give_up(signup.visit_id, member.member_id)
        for _ in range(3):
            current = visits.signup(signup.visit_id, member.member_id)
            visit = visits.get(signup.visit_id)
            if current is None or visit is None:
                break
            try:
                visits.forget(visit, current)
                break
            except SignupChanged:
                continue  # promoted or offered a moment ago: forget it as it is now
