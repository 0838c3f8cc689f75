"""A member's data in Special Interest Groups.

Erasure removes their memberships (the member counts move with them) and their name and
address from the groups they proposed or convene; the groups themselves stay, because other
members rely on them.
"""

from __future__ import annotations

from typing import Any

from functions.common.store import Store, Update
from functions.members.model import Member

from .repository import SigRepository

FORMER_MEMBER = "Former member"


def export(member: Member, store: Store) -> dict[str, Any]:
    sigs = SigRepository(store)
    memberships = []
    for sig_id in sigs.memberships_of(member.member_id):
        sig, joined = sigs.get(sig_id), sigs.membership(sig_id, member.member_id)
        if sig and joined:
            memberships.append({"sig_id": sig_id, "name": sig.name, "joined_at": joined.joined_at})
    convening = [
        {
            "sig_id": sig.sig_id,
            "name": sig.name,
            "status": sig.status.value,
            "proposed_by_you": _proposed_by(sig, member),
            "named_not_confirmed": member.email in sig.invited,
        }
        for sig_id in sigs.convened_by(member.email)
        if (sig := sigs.get(sig_id))
    ]
    from .conveners import Conveners

    offers = [{"sig_id": o.sig_id, "offered_at": o.offered_at} for o in Conveners(store).offers_of(member.member_id)]
    return {"memberships": memberships, "convening": convening, "offers_to_convene": offers}


def erase(member: Member, store: Store) -> None:
    sigs = SigRepository(store)
    for sig_id in sigs.memberships_of(member.member_id):
        sigs.leave(sig_id, member.member_id)
    from .conveners import ERASED, Conveners, without_convener

    Conveners(store).withdraw_offers_of(member.member_id)
    for sig_id in sigs.convened_by(member.email):
        sig = sigs.get(sig_id)
        if sig is None:
            continue
        was_convener = member.email in sig.convener_emails
        ops, event = without_convener(sig, member.email, ERASED)
        update = ops[0]
        assert isinstance(update, Update)
        update.condition = None  # erasure happens whatever the list says now
        update.values.pop(":email")  # only the condition used it; DynamoDB refuses unused values
        # A named co-convener who never confirmed is forgotten too (their address was held).
        update.expression += ", invitations = :invited"
        update.values[":invited"] = {email: at for email, at in sig.invited.items() if email != member.email}
        if _proposed_by(sig, member):
            update.expression += ", proposer = :proposer"
            update.values[":proposer"] = {"member_id": "", "email": "", "name": FORMER_MEMBER}
        # Only an approved group tells staff it needs a convener (a proposal just loses one).
        store.write(ops, [event] if was_convener and sig.status.value == "approved" else [])


def _proposed_by(sig: Any, member: Member) -> bool:
    return bool(sig.proposer.member_id == member.member_id or sig.proposer.email.lower() == member.email)
