"""A member's rights over their personal data (UK GDPR): a copy of everything held about
them, and erasure.

Each area that holds personal data has a ``privacy`` module with ``export(member, store)``
and ``erase(member, store)``; they are found from the declaration, so a new area cannot be
forgotten without its tests noticing (see tests/test_account.py).
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Any

from functions.common import identity
from functions.common.errors import NotFound
from functions.common.ids import utcnow
from functions.common.store import Store, erased_marker
from functions.members.model import Member, required_name
from functions.members.repository import MemberRepository
from schemas.declaration import FUNCTIONS
from schemas.events.account import MemberErased

#: The member's own record goes last: other areas' hooks may look the member up.
LAST = "functions.members"


def privacy_modules() -> list[ModuleType]:
    packages = [*sorted({f.package for f in FUNCTIONS} - {LAST}), LAST]
    return [
        importlib.import_module(f"{package}.privacy")
        for package in packages
        if importlib.util.find_spec(f"{package}.privacy") is not None
    ]


class AccountService:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.members = MemberRepository(self.store)

    def _member(self, member_id: str) -> Member:
        member = self.members.by_id(member_id)
        if member is None:
            raise NotFound("There is no account for this session: it may have been erased.")
        return member

    def set_name(self, member_id: str, raw_name: str) -> str:
        """Set the name others see; the member's sessions carry it from their next request."""
        name = required_name(raw_name)
        member = self._member(member_id)
        self.members.set_name(member.member_id, name)
        identity.rename_sessions(member.member_id, name, self.store)
        return name

    def export(self, member_id: str) -> dict[str, Any]:
        member = self._member(member_id)
        data: dict[str, Any] = {"exported_at": utcnow().isoformat()}
        for module in privacy_modules():
            data[module.__name__.split(".")[1]] = module.export(member, self.store)
        return data

    def erase(self, member_id: str) -> None:
        member = self._member(member_id)
        for module in privacy_modules():
            module.erase(member, self.store)
        self.store.write([erased_marker(member.member_id)], [MemberErased(member_id=member.member_id)])
        # The profile is gone, so no new session can open for this member; end the ones open now.
        identity.end_all_sessions(member.member_id, self.store)
