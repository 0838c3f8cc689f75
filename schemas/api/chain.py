"""Bodies of the chain API: where something came from and what it led to (issue 11). How a body
names its origins, and their view, are in ``schemas.api.origins``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from schemas.api.base import ApiModel
from schemas.text import Text


class FollowView(ApiModel):
    """One thing that followed from a conversation or an event."""

    kind: Literal["sig", "bid", "visit", "event", "newsletter", "takeaway"]
    ref: str
    title: str
    url: str | None = None
    at: str = Field(description="When it happened (ISO 8601): approved, funded, published or added.")
    what: str = Field(description="What happened, in words: “SIG approved”, “Funding awarded”...")
    people: list[str] = Field(description="Display names of the people behind it who agreed to be named.")
    via: str = Field("", description="The title of what it followed through, when it did not come straight from it.")


class ConversationChainView(ApiModel):
    conversation_id: str
    title: str
    themes: list[str]
    hosts: list[str] = Field(description="Hosts' display names.")
    followed: list[FollowView]


class ThemeView(ApiModel):
    theme: str
    conversations: list[ConversationChainView]


class TakenForwardView(ApiModel):
    gathering_id: str
    title: str
    themes: list[ThemeView]
    from_the_event: list[FollowView] = Field(description="What followed from the event itself, not one conversation.")
    followed_count: int


class EventChainSummary(ApiModel):
    gathering_id: str
    title: str
    followed: list[FollowView]


class CommunityChainView(ApiModel):
    events: list[EventChainSummary]


class LedToView(ApiModel):
    ref: str
    led_to: list[FollowView]


class WriteUpView(ApiModel):
    gathering_id: str
    markdown: str
    edited: bool = Field(description="Whether staff have edited it (else it is drafted afresh from the chain).")
    edited_at: str | None = None
    published_item_id: str | None = None


class EditWriteUp(ApiModel):
    model_config = ConfigDict(extra="forbid")
    markdown: Annotated[str, Text(10, 5000, multiline=True)]


class WriteUpPublished(ApiModel):
    item_id: str
    status: Literal["pending"] = "pending"
