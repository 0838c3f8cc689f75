"""Bodies of the follow-ups API (issue 11 §2): the days after an event its attendees are asked
what they took away, their answers, and the takeaways staff publish from them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field

from schemas.api.base import ApiModel
from schemas.text import Text

#: How many follow-ups one event may have, and how late the last may come (two years).
MAX_FOLLOWUPS = 4
LATEST_DAY = 730

Consent = Literal["named", "anonymous", "private"]
CONSENT_LABELS: dict[str, str] = {
    "named": "Publish it with my name",
    "anonymous": "Publish it without my name",
    "private": "Don't publish it",
}


def _distinct_sorted(days: list[int]) -> list[int]:
    if len(set(days)) != len(days):
        raise ValueError("Each day may be given once")
    return sorted(days)


Days = Annotated[
    list[Annotated[int, Field(ge=1, le=LATEST_DAY)]],
    Field(min_length=1, max_length=MAX_FOLLOWUPS, examples=[[14, 90]]),
    AfterValidator(_distinct_sorted),
]


class FollowupDays(ApiModel):
    """When the attendees of an event are asked what they took away: days after it ends."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    days: Days


class AnswerBody(ApiModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    text: Annotated[str, Text(1, 3000, multiline=True)] = Field(
        description="What you took away, and how you have taken ideas back into your workplace."
    )
    consent: Consent = Field(
        description="`named`: publish with your name; `anonymous`: publish without it; `private`: don't publish."
    )
    conversation_id: Annotated[str, Field(max_length=64, pattern=r"^conv_[A-Za-z0-9_-]{1,59}$")] | None = Field(
        None, description="An Open Space conversation of the event the answer comes from (optional)."
    )


class FollowupDayView(ApiModel):
    day: int
    due_at: datetime
    started_at: datetime | None = Field(None, description="When the emails went out (None: not yet).")


class AnswerView(ApiModel):
    """A member's own answer."""

    answer_id: str
    gathering_id: str
    event_title: str
    day: int
    text: str
    consent: Consent
    conversation_id: str | None = None
    conversation_title: str | None = None
    answered_at: datetime
    updated_at: datetime
    used_at: datetime | None = Field(None, description="When staff published it (it can no longer be edited).")
    editable: bool


class StaffAnswerView(ApiModel):
    """An answer as the community team sees it: the name only if the member agreed to be named."""

    answer_id: str
    day: int
    text: str
    consent: Consent
    name: str | None = None
    conversation_title: str | None = None
    answered_at: datetime
    used_at: datetime | None = None


class TakeawayView(ApiModel):
    takeaway_id: str
    day: int
    text: str
    name: str | None = Field(None, description="Shown only with the member's consent.")
    conversation_id: str | None = None
    conversation_title: str | None = None
    published_at: datetime


class FollowupsView(ApiModel):
    """An event's follow-ups, for the community team."""

    gathering_id: str
    title: str
    ends_at: datetime
    days: list[FollowupDayView]
    answers: list[StaffAnswerView] = Field(description="Answers whose authors agreed to publication.")
    private_answers: int = Field(description="How many answers are not for publication (not shown).")
    takeaways: list[TakeawayView]
