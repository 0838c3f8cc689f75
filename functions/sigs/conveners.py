"""Conveners coming and going: a convener steps down (or erases their account), a group with no
convener left is "looking for a convener", a member offers to convene, and staff appoint them.

| item | pk | sk | gsi1 |
| --- | --- | --- | --- |
| an offer to convene | `SIG#<id>` | `CONVENEOFFER#<member id>` | `CONVENEOFFERS#<member id>` / `SIG#<id>` |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from functions.common.errors import Conflict, NotFound
from functions.common.ids import utcnow
from functions.common.store import EXISTS, NOT_EXISTS, ConditionFailed, Delete, Operation, Put, Store, Update
from functions.members.model import display_name
from schemas.events.sigs import SigConvenerAppointed, SigConvenerLeft, SigConvenerOffered

from .domain import Sig
from .repository import SigRepository

if TYPE_CHECKING:
    from functions.common.http import User

STEPPED_DOWN = "stepped down"
ERASED = "account erased"


@dataclass(frozen=True)
class Offer:
    sig_id: str
    member_id: str
    email: str
    name: str
    offered_at: str


def _offer(item: dict[str, object]) -> Offer:
    return Offer(
        str(item["sig_id"]), str(item["member_id"]), str(item["email"]), str(item["name"]), str(item["offered_at"])
    )


def without_convener(sig: Sig, email: str, reason: str) -> tuple[list[Update | Delete], SigConvenerLeft]:
    """The writes that take ``email`` off the group's conveners (only if it still is one), and
    the event saying so."""
    remaining = [e for e in sig.convener_emails if e != email]
    names = {e: n for e, n in sig.convener_names.items() if e != email}
    ops: list[Update | Delete] = [
        Update(
            key={"pk": f"SIG#{sig.sig_id}", "sk": "SIG"},
            expression="SET convener_emails = :emails, convener_names = :names",
            values={":emails": remaining, ":names": names, ":email": email},
            condition="contains(convener_emails, :email)",
        ),
        Delete({"pk": f"CONVENER#{email}", "sk": f"SIG#{sig.sig_id}"}),
    ]
    return ops, SigConvenerLeft(sig_id=sig.sig_id, name=sig.name, conveners_left=len(remaining), reason=reason)


class Conveners:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.sigs = SigRepository(self.store)

    def _sig(self, sig_id: str) -> Sig:
        sig = self.sigs.get(sig_id)
        if sig is None:
            raise NotFound("There is no such group.")
        return sig

    def step_down(self, sig_id: str, user: User) -> Sig:
        sig = self._sig(sig_id)
        email = user.email.lower()
        if not sig.is_convener(email):
            raise Conflict("You do not convene this group.")
        ops, event = without_convener(sig, email, STEPPED_DOWN)
        try:
            self.store.write(ops, [event])
        except ConditionFailed:
            raise Conflict("You no longer convene this group.") from None
        return self._sig(sig_id)

    def offers(self, sig_id: str) -> list[Offer]:
        return [_offer(i) for i in self.store.query(f"SIG#{sig_id}", sk_prefix="CONVENEOFFER#", consistent=True)]

    def offer(self, sig_id: str, user: User) -> Offer:
        sig = self._sig(sig_id)
        if not sig.looking_for_convener:
            raise Conflict("This group has a convener, so it is not looking for one.")
        name = display_name(user.name)
        offer = Offer(sig_id, user.member_id, user.email.lower(), name, utcnow().isoformat())
        item = {
            "pk": f"SIG#{sig_id}",
            "sk": f"CONVENEOFFER#{user.member_id}",
            "gsi1pk": f"CONVENEOFFERS#{user.member_id}",
            "gsi1sk": f"SIG#{sig_id}",
            "sig_id": sig_id,
            "member_id": user.member_id,
            "email": offer.email,
            "name": name,
            "offered_at": offer.offered_at,
        }
        event = SigConvenerOffered(sig_id=sig_id, name=sig.name, member_id=user.member_id, member_name=name)
        try:
            self.store.write([Put(item, NOT_EXISTS)], [event])
        except ConditionFailed:
            message = "You have already offered to convene this group. The community team will be in touch."
            raise Conflict(message) from None
        return offer

    def appoint(self, sig_id: str, member_id: str, user: User) -> Offer:
        """Staff accept an offer: the member convenes the group from now on."""
        sig = self._sig(sig_id)
        found = self.store.get(f"SIG#{sig_id}", f"CONVENEOFFER#{member_id}")
        if found is None:
            raise NotFound("That offer has been withdrawn or already accepted.")
        offer = _offer(found)
        event = SigConvenerAppointed(
            sig_id=sig_id,
            name=sig.name,
            member_id=offer.member_id,
            member_email=offer.email,
            member_name=offer.name,
            appointed_by=user.email,
        )
        ops: list[Operation] = [
            Delete({"pk": f"SIG#{sig_id}", "sk": f"CONVENEOFFER#{member_id}"}, EXISTS),
            Update(
                key={"pk": f"SIG#{sig_id}", "sk": "SIG"},
                expression="SET convener_emails = list_append(convener_emails, :new), convener_names.#email = :name",
                names={"#email": offer.email},
                values={":new": [offer.email], ":name": offer.name, ":email": offer.email},
                condition="NOT contains(convener_emails, :email)",
            ),
            Put({"pk": f"CONVENER#{offer.email}", "sk": f"SIG#{sig_id}", "sig_id": sig_id}),
        ]
        try:
            self.store.write(ops, [event])
        except ConditionFailed:
            raise Conflict("That offer was accepted a moment ago.") from None
        return offer

    def offers_of(self, member_id: str) -> list[Offer]:
        return [_offer(i) for i in self.store.query(f"CONVENEOFFERS#{member_id}", index="gsi1")]

    def withdraw_offers_of(self, member_id: str) -> None:
        for offer in self.offers_of(member_id):
            self.store.write([Delete({"pk": f"SIG#{offer.sig_id}", "sk": f"CONVENEOFFER#{member_id}"})])


__all__ = ["ERASED", "STEPPED_DOWN", "Conveners", "Offer", "without_convener"]
