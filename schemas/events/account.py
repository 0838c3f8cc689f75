"""Events about members' accounts."""

from __future__ import annotations

from .base import DomainEvent


class MemberErased(DomainEvent):
    """A member's personal data was erased. Carries only the (now meaningless) id."""

    member_id: str
