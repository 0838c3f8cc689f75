"""A member's data in Special Interest Groups.

Erasure removes their memberships (the member counts move with them) and their name and
address from the groups they proposed or convene; the groups themselves stay, because other
members rely on them.
"""

from __future__ import annotations

from typing import Any

from functions.common.store import Delete, Store, Update
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
    return {"memberships": memberships, "convening": convening}


def erase(member: Member, store: Store) -> None:
    sigs = SigRepository(store)
    for sig_id in sigs.memberships_of(member.member_id):
        sigs.leave(sig_id, member.member_id)
    for sig_id in sigs.convened_by(member.email):
        sig = sigs.get(sig_id)
        if sig is None:
            continue
        names = {email: name for email, name in sig.convener_names.items() if email != member.email}
        invited = {email: at for email, at in sig.invited.items() if email != member.email}
        update = Update(
            key={"pk": f"SIG#{sig_id}", "sk": "SIG"},
            expression="SET convener_emails = :emails, convener_names = :names, invitations = :invited",
            values={
                ":emails": [e for e in sig.convener_emails if e != member.email],
                ":names": names,
                ":invited": invited,
            },
        )
        if _proposed_by(sig, member):
            update.expression += ", proposer = :proposer"
            update.values[":proposer"] = {"member_id": "", "email": "", "name": FORMER_MEMBER}
        store.write([update, Delete({"pk": f"CONVENER#{member.email}", "sk": f"SIG#{sig_id}"})])


def _proposed_by(sig: Any, member: Member) -> bool:
    return bool(sig.proposer.member_id == member.member_id or sig.proposer.email.lower() == member.email)
