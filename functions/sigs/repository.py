"""SIG records in the main table.

- ``SIG#<id> / SIG``: the group; ``gsi1`` = (``SIGS#<status>``, ``<name key>#<id>``) lists by status.
- ``SIGNAME#<name key> / SIGNAME``: holds a live name, so two live SIGs cannot share one.
- ``SIG#<id> / MEMBER#<member id>``: a membership; ``gsi1`` = (``MEMBERSHIPS#<member id>``, ``SIG#<id>``).
- ``CONVENER#<email> / SIG#<id>``: the groups an address convenes or is named to convene.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.common.names import sort_key
from functions.common.store import EXISTS, NOT_EXISTS, Condition, ConditionFailed, Delete, Put, Store, Update
from schemas.events.base import DomainEvent
from schemas.events.origins import Origin
from schemas.events.sigs import MemberJoinedSig, MemberLeftSig

from . import keys
from .domain import Proposer, Sig, SigStatus


@dataclass(frozen=True)
class SigMember:
    member_id: str
    name: str
    email: str
    joined_at: str


class NameTaken(Exception):
    pass


class NotProposed(Exception):
    pass


class TokenAlreadyUsed(Exception):
    pass


class NotInvited(Exception):
    pass


def _item(sig: Sig) -> dict[str, Any]:
    return {
        "pk": f"SIG#{sig.sig_id}",
        "sk": "SIG",
        "gsi1pk": keys.by_status(sig.status),
        "gsi1sk": f"{sort_key(sig.name)}#{sig.sig_id}",  # listed as read; unique by ``name_key``
        "sig_id": sig.sig_id,
        "name": sig.name,
        "purpose": sig.purpose,
        "themes": sig.themes,
        "status": sig.status.value,
        "proposer": {"member_id": sig.proposer.member_id, "email": sig.proposer.email, "name": sig.proposer.name},
        "convener_emails": sig.convener_emails,
        "convener_names": sig.convener_names,
        "invitations": sig.invited,
        "created_at": sig.created_at,
        "member_count": sig.member_count,
        "decided_by": sig.decided_by,
        "decided_at": sig.decided_at,
        "decision_note": sig.decision_note,
        "origins": [o.model_dump() for o in sig.origins] or None,
    }


def _sig(item: dict[str, Any]) -> Sig:
    proposer = item["proposer"]
    return Sig(
        sig_id=item["sig_id"],
        name=item["name"],
        purpose=item["purpose"],
        themes=list(item.get("themes", [])),
        status=SigStatus(item["status"]),
        proposer=Proposer(proposer["member_id"], proposer["email"], proposer.get("name", "")),
        convener_emails=list(item.get("convener_emails", [])),
        convener_names=dict(item.get("convener_names", {})),
        invited=dict(item.get("invitations", {})),
        created_at=item["created_at"],
        member_count=int(item.get("member_count", 0)),
        decided_by=item.get("decided_by"),
        decided_at=item.get("decided_at"),
        decision_note=item.get("decision_note", ""),
        origins=tuple(Origin.model_validate(o) for o in item.get("origins") or ()),
    )


class SigRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get(self, sig_id: str) -> Sig | None:
        item = self.store.get(f"SIG#{sig_id}", "SIG")
        return _sig(item) if item else None

    def many(self, sig_ids: list[str]) -> list[Sig]:
        return [_sig(i) for i in self.store.get_many((f"SIG#{s}", "SIG") for s in sig_ids)]

    def by_status(self, status: SigStatus) -> list[Sig]:
        return [_sig(i) for i in self.store.query(keys.by_status(status), index="gsi1")]

    def create(self, sig: Sig, event: DomainEvent) -> None:
        try:
            self.store.write(
                [
                    Put({"pk": f"SIGNAME#{sig.name_key}", "sk": "SIGNAME", "sig_id": sig.sig_id}, NOT_EXISTS),
                    Put(_item(sig), NOT_EXISTS),
                    *_convener_items(sig),
                ],
                [event],
            )
        except ConditionFailed as failure:
            if 0 in failure.failed:
                raise NameTaken(sig.name) from None
            raise

    def import_sig(self, sig: Sig, members: list[SigMember]) -> None:
        """Load an existing group with its members without announcing it (demo content,
        migrations): no events, so no emails."""
        self.store.write(
            [
                Put({"pk": f"SIGNAME#{sig.name_key}", "sk": "SIGNAME", "sig_id": sig.sig_id}, NOT_EXISTS),
                Put(_item(sig), NOT_EXISTS),
                *_convener_items(sig),
                *(Put(_membership_item(sig.sig_id, m), NOT_EXISTS) for m in members),
            ]
        )

    def save_decision(self, sig: Sig, event: DomainEvent, spend_token: Put | None = None) -> None:
        """Record the decision if, and only if, the SIG is still proposed. An approved SIG
        starts with its proposer as its first member, in the same transaction."""
        founder = sig.proposer
        ops: list[Put | Update | Delete] = [
            Update(
                key={"pk": f"SIG#{sig.sig_id}", "sk": "SIG"},
                expression="SET #status = :status, gsi1pk = :gsi1pk, decided_by = :by, decided_at = :at, "
                "decision_note = :note, member_count = :count",
                names={"#status": "status"},
                values={
                    ":status": sig.status.value,
                    ":gsi1pk": keys.by_status(sig.status),
                    ":by": sig.decided_by,
                    ":at": sig.decided_at,
                    ":note": sig.decision_note,
                    ":proposed": SigStatus.PROPOSED.value,
                    ":count": 1 if sig.status == SigStatus.APPROVED else 0,
                },
                condition="#status = :proposed",
            )
        ]
        if sig.status == SigStatus.APPROVED:
            joined = SigMember(founder.member_id, founder.name, founder.email, sig.decided_at or "")
            ops.append(Put(_membership_item(sig.sig_id, joined)))
        if spend_token:
            ops.append(spend_token)
        if sig.status == SigStatus.REJECTED:
            ops.append(Delete({"pk": f"SIGNAME#{sig.name_key}", "sk": "SIGNAME"}))
        try:
            self.store.write(ops, [event])
        except ConditionFailed as failure:
            if 0 in failure.failed:
                raise NotProposed(sig.sig_id) from None
            if spend_token and 1 in failure.failed:
                raise TokenAlreadyUsed() from None
            raise

    def membership(self, sig_id: str, member_id: str) -> SigMember | None:
        item = self.store.get(f"SIG#{sig_id}", f"MEMBER#{member_id}")
        return _member(item) if item else None

    def join(self, sig: Sig, member: SigMember) -> bool:
        """Add the member; False if they were already a member. The count moves with it."""
        try:
            self.store.write(
                [
                    Put(_membership_item(sig.sig_id, member), NOT_EXISTS),
                    Update(
                        key={"pk": f"SIG#{sig.sig_id}", "sk": "SIG"},
                        expression="ADD member_count :one",
                        names={"#status": "status"},
                        values={":one": 1, ":approved": SigStatus.APPROVED.value},
                        condition="#status = :approved",
                    ),
                ],
                [MemberJoinedSig(sig_id=sig.sig_id, member_id=member.member_id)],
            )
        except ConditionFailed as failure:
            if 0 in failure.failed:
                return False
            raise
        return True

    def leave(self, sig_id: str, member_id: str) -> bool:
        try:
            self.store.write(
                [
                    Delete({"pk": f"SIG#{sig_id}", "sk": f"MEMBER#{member_id}"}, EXISTS),
                    Update(
                        key={"pk": f"SIG#{sig_id}", "sk": "SIG"},
                        expression="ADD member_count :minus_one",
                        values={":minus_one": -1},
                        condition="attribute_exists(pk)",
                    ),
                ],
                [MemberLeftSig(sig_id=sig_id, member_id=member_id)],
            )
        except ConditionFailed as failure:
            if 0 in failure.failed:
                return False
            raise
        return True

    def confirm_convener(self, sig_id: str, email: str, name: str, spend_token: Put) -> None:
        """Move a named co-convener from invited to convener, once, with the link spent in the
        same transaction. Raises ``NotInvited`` or ``TokenAlreadyUsed``."""
        try:
            self.store.write(
                [
                    Update(
                        key={"pk": f"SIG#{sig_id}", "sk": "SIG"},
                        expression="SET convener_emails = list_append(convener_emails, :me), "
                        "convener_names.#email = :name REMOVE invitations.#email",
                        names={"#email": email},
                        values={":me": [email], ":name": name},
                        condition="attribute_exists(invitations.#email)",
                    ),
                    spend_token,
                ]
            )
        except ConditionFailed as failure:
            if 0 in failure.failed:
                raise NotInvited(email) from None
            raise TokenAlreadyUsed() from None

    def members(self, sig_id: str) -> list[SigMember]:
        return [_member(i) for i in self.store.query(f"SIG#{sig_id}", sk_prefix="MEMBER#")]

    def convened_by(self, email: str) -> list[str]:
        return [i["sig_id"] for i in self.store.query(f"CONVENER#{email}", sk_prefix="SIG#")]

    def memberships_of(self, member_id: str) -> list[str]:
        return [i["gsi1sk"].removeprefix("SIG#") for i in self.store.query(f"MEMBERSHIPS#{member_id}", index="gsi1")]


def _convener_items(sig: Sig) -> list[Put]:
    """``CONVENER#<email> / SIG#<id>``: the groups an address convenes (for a member's data
    export and erasure; conveners may not have an account yet, so this is by address)."""
    return [
        Put({"pk": f"CONVENER#{email}", "sk": f"SIG#{sig.sig_id}", "sig_id": sig.sig_id})
        for email in [*sig.convener_emails, *sig.invited]  # named ones too: their address is held
    ]


def _membership_item(sig_id: str, member: SigMember) -> dict[str, Any]:
    return {
        "pk": f"SIG#{sig_id}",
        "sk": f"MEMBER#{member.member_id}",
        "gsi1pk": f"MEMBERSHIPS#{member.member_id}",
        "gsi1sk": f"SIG#{sig_id}",
        "member_id": member.member_id,
        "name": member.name,
        "email": member.email,
        "joined_at": member.joined_at,
    }


def _member(item: dict[str, Any]) -> SigMember:
    return SigMember(item["member_id"], item.get("name", ""), item.get("email", ""), item["joined_at"])


__all__ = ["Condition", "NameTaken", "NotProposed", "SigMember", "SigRepository", "TokenAlreadyUsed"]
