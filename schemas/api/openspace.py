"""Bodies of the Open Space API: the marketplace, the agenda, the harvest and the proceedings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from schemas.api.base import ApiModel
from schemas.text import NamedAddresses, Text, Themes


class ProposeConversation(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[str, Text(3, 120)] = Field(examples=["Cultivating kindness"])
    question: Annotated[str, Text(10, 1000, multiline=True)] = Field(
        description="The question the conversation explores.",
        examples=["How do we cultivate kindness in teams under pressure?"],
    )
    themes: Themes = Field(default_factory=list, max_length=6)
    co_host_emails: NamedAddresses = Field(
        default_factory=list,
        max_length=3,
        description="People who will host it with you. They are emailed a link, and are co-hosts only once they "
        "confirm.",
    )


class PinConversation(ApiModel):
    """Pin a conversation to a slot, a space, both, or neither (``null`` unpins)."""

    model_config = ConfigDict(extra="forbid")
    slot_id: Annotated[str, StringConstraints(max_length=40)] | None = None
    space_id: Annotated[str, StringConstraints(max_length=120)] | None = None


class RecordHarvest(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    discussed: Annotated[str, Text(3, 5000, multiline=True)] = Field(description="What was discussed.")
    next_steps: Annotated[str, Text(0, 3000, multiline=True)] = ""
    keep_going: Annotated[str, Text(0, 1000, multiline=True)] = Field(
        default="", description="Who wants to keep going, and how to reach the conversation's host."
    )


class AddToHarvest(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: Annotated[str, Text(3, 3000, multiline=True)]


class ConversationView(ApiModel):
    conversation_id: str
    title: str
    question: str
    themes: list[str]
    hosts: list[str] = Field(description="Names of the host and the co-hosts who have confirmed.")
    interested: int = Field(description="How many attendees marked it.")
    marked_by_you: bool = False
    proposed_at: datetime
    slot_id: str | None = None
    space_id: str | None = None
    pinned_slot: str | None = None
    pinned_space: str | None = None


class SlotView(ApiModel):
    slot_id: str
    starts_at: datetime
    ends_at: datetime


class SpaceView(ApiModel):
    space_id: str
    name: str
    capacity: int
    online: bool


class Marketplace(ApiModel):
    gathering_id: str
    title: str
    open: bool
    closes_at: datetime | None
    slots: list[SlotView]
    spaces: list[SpaceView]
    conversations: list[ConversationView]


class ClashView(ApiModel):
    conversation_id: str
    title: str
    people: int


class PlacementView(ApiModel):
    conversation_id: str
    title: str
    hosts: list[str]
    slot_id: str
    space_id: str
    space: str
    audience: int
    capacity: int
    pinned: bool
    why_slot: str
    why_space: str
    clashes: list[ClashView]


class UnplacedView(ApiModel):
    conversation_id: str
    title: str
    reason: str


class AgendaView(ApiModel):
    gathering_id: str
    version: int
    built_at: datetime
    attendee_clashes: int
    seats_short: int
    first_come_clashes: int
    summary: list[str]
    placements: list[PlacementView]
    unplaced: list[UnplacedView]


class HarvestView(ApiModel):
    conversation_id: str
    title: str
    hosts: list[str]
    discussed: str
    next_steps: str
    keep_going: str
    additions: list[str]
    recorded_at: datetime | None


class ProceedingsView(ApiModel):
    gathering_id: str
    title: str
    published_at: datetime | None
    harvests: list[HarvestView]
