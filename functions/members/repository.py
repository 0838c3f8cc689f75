"""Member records in the main table.

``MEMBER#<id> / PROFILE`` holds the profile; ``EMAIL#<email> / MEMBER`` maps an address to its
member, so an address can only ever belong to one member (a conditional put decides).
"""

from __future__ import annotations

from functions.common.ids import new_id, utcnow
from functions.common.store import EXISTS, NOT_EXISTS, Check, ConditionFailed, Put, Store, Update

from .model import Member


def _member(item: dict[str, object]) -> Member:
    return Member(
        member_id=str(item["member_id"]),
        email=str(item["email"]),
        name=str(item.get("name", "")),
        created_at=str(item.get("created_at", "")),
    )


class MemberRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def by_id(self, member_id: str) -> Member | None:
        item = self.store.get(f"MEMBER#{member_id}", "PROFILE")
        return _member(item) if item else None

    def by_email(self, email: str) -> Member | None:
        link = self.store.get(f"EMAIL#{email}", "MEMBER")
        return self.by_id(str(link["member_id"])) if link else None

    def exists_check(self, member_id: str) -> Check:
        """A transaction's guard that the member still exists (not erased meanwhile)."""
        return Check({"pk": f"MEMBER#{member_id}", "sk": "PROFILE"}, EXISTS)

    def get_or_create(
        self, email: str, name: str, *, extra_ops: list[Put] | None = None, member_id: str | None = None
    ) -> tuple[Member, bool]:
        """The member with this address, created if new. ``extra_ops`` (e.g. spending the
        sign-in token) are written in the same transaction when a member is created; when the
        member already existed (``created`` is False) they were not written."""
        existing = self.by_email(email)
        if existing:
            return existing, False
        member = Member(member_id=member_id or new_id("mem"), email=email, name=name, created_at=utcnow().isoformat())
        ops = [
            Put({"pk": f"EMAIL#{email}", "sk": "MEMBER", "member_id": member.member_id}, NOT_EXISTS),
            Put(
                {
                    "pk": f"MEMBER#{member.member_id}",
                    "sk": "PROFILE",
                    "member_id": member.member_id,
                    "email": email,
                    "name": name,
                    "created_at": member.created_at,
                },
                NOT_EXISTS,
            ),
            *(extra_ops or []),
        ]
        try:
            self.store.write(ops)
        except ConditionFailed as failure:
            if 0 in failure.failed:  # someone created this member a moment ago
                raced = self.by_email(email)
                if raced:  # the caller applies its own operations for an existing member
                    return raced, False
            raise
        return member, True

    def set_name(self, member_id: str, name: str) -> None:
        """The name others see. Only an existing profile: an erased member's is never recreated."""
        self.store.write(
            [
                Update(
                    {"pk": f"MEMBER#{member_id}", "sk": "PROFILE"},
                    "SET #name = :name",
                    names={"#name": "name"},
                    values={":name": name},
                    condition="attribute_exists(pk)",
                )
            ]
        )
