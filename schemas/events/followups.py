"""Events of the follow-ups area (issue 11 §2): a set number of days after an event, its
attendees are asked what they took away; staff publish the answers members agreed to share.

``TakeawayPublished`` joins the chain of ideas (it carries ``origins``) and becomes an item for
the next Q-municate: a contract other areas consume (add fields, never remove or rename).
"""

from __future__ import annotations

from pydantic import Field

from .base import DomainEvent
from .origins import Origin


class FollowupStarted(DomainEvent):
    """A follow-up fell due: its consumer emails each attendee once."""

    gathering_id: str
    day: int = Field(ge=0, le=730, description="Days after the event's end.")
    title: str


class TakeawayPublished(DomainEvent):
    """Staff used a member's follow-up answer as a takeaway of the event (with their consent)."""

    gathering_id: str
    day: int = Field(ge=0, le=730)
    #: The answer it was (names the member: for the follow-ups area only) and its own public id.
    answer_id: str
    takeaway_id: str
    event_title: str
    text: str
    #: The member's display name, only when they agreed to be named (None: anonymous).
    name: str | None = None
    #: The member named (never shown): erasure takes the name out of what the event fed.
    named_member_id: str | None = None
    published_by: str
    origins: list[Origin] = Field(default_factory=list, description="The event, and the conversation it names.")
