"""Bodies of the events API: community events, workshops, series and their sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import (
    AwareDatetime,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from schemas.api.base import ApiModel
from schemas.api.places import AttendeeView, ListingBody, ListingView, PlaceView, SignUp
from schemas.text import MultiLine, SingleLine

EventKind = Literal["community_event", "workshop", "series_session"]
SeriesSignupMode = Literal["whole", "sessions", "either"]
MAX_QUESTIONS = 5


def _rule(message: str) -> PydanticCustomError:
    return PydanticCustomError("event_rule", message)


class Slot(ApiModel):
    """A time slot of an Open Space agenda."""

    model_config = ConfigDict(extra="forbid")
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        starts_at = info.data.get("starts_at")
        if starts_at is not None and ends_at <= starts_at:
            raise _rule("A slot must end after it starts.")
        return ends_at


class Space(ApiModel):
    """A room (with its capacity) or an online breakout room of an Open Space agenda."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Annotated[SingleLine, StringConstraints(min_length=1, max_length=80)]
    capacity: int = Field(ge=1, le=1000)
    online: bool = False


class OpenSpaceSettings(ApiModel):
    """How an event runs as Open Space. The Open Space area builds the marketplace, the agenda and
    the harvest on these; the event only keeps them."""

    model_config = ConfigDict(extra="forbid")
    slots: list[Slot] = Field(default_factory=list, max_length=24)
    spaces: list[Space] = Field(default_factory=list, max_length=60)
    marketplace_closes_at: AwareDatetime | None = Field(
        default=None, description="No new conversations after this; the agenda is built then."
    )

    @field_validator("spaces")
    @classmethod
    def _distinct_spaces(cls, spaces: list[Space]) -> list[Space]:
        names = [s.name.casefold() for s in spaces]
        if len(set(names)) != len(names):
            raise _rule("Give each space a different name.")
        return spaces


class PublishEvent(ListingBody):
    NOUN: ClassVar[str] = "event"

    kind: EventKind = Field(
        default="community_event",
        description="`community_event`, `workshop`, or `series_session` (one session of a series: give `series_id`).",
    )
    series_id: Annotated[str, StringConstraints(max_length=64, pattern=r"^series_[A-Za-z0-9]+$")] | None = None
    access_questions: list[Annotated[SingleLine, StringConstraints(min_length=3, max_length=200)]] = Field(
        default_factory=list,
        max_length=MAX_QUESTIONS,
        description="Questions members answer when signing up (access needs the team should know about).",
    )
    open_space: OpenSpaceSettings | None = None

    @model_validator(mode="after")
    def _series_for_a_session(self) -> PublishEvent:
        # After the fields: a default (no series) is never seen by a field validator.
        if self.kind == "series_session" and not self.series_id:
            raise _rule("Choose the series this session belongs to.")
        if self.series_id and self.kind != "series_session":
            raise _rule("Only a series session belongs to a series.")
        return self


class PublishSeries(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: Annotated[SingleLine, StringConstraints(min_length=3, max_length=120)] = Field(
        examples=["Building resilience in the workforce"]
    )
    description: Annotated[MultiLine, StringConstraints(min_length=10, max_length=5000)]
    signup_mode: SeriesSignupMode = Field(
        default="either",
        description="`whole`: members sign up for every session at once; `sessions`: for single sessions; "
        "`either`: both.",
    )


class SignUpForEvent(SignUp):
    answers: list[Annotated[MultiLine, StringConstraints(max_length=1000)]] = Field(
        default_factory=list,
        max_length=MAX_QUESTIONS,
        description="Answers to the event's `access_questions`, in their order (blank for none).",
    )


class SeriesView(ApiModel):
    series_id: str
    title: str
    description: str
    signup_mode: SeriesSignupMode
    session_ids: list[str]


class EventView(ListingView):
    event_id: str
    kind: EventKind
    kind_label: str
    series_id: str | None = None
    access_questions: list[str]
    open_space: OpenSpaceSettings | None = None


class EventList(ApiModel):
    events: list[EventView]
    series: list[SeriesView]


class SeriesDetail(ApiModel):
    series: SeriesView
    sessions: list[EventView]


class EventSignupView(PlaceView):
    event_id: str
    answers: list[tuple[str, str]] = Field(default_factory=list)


class SeriesSignupResult(ApiModel):
    series_id: str
    signups: list[EventSignupView]


class EventAttendeeList(ApiModel):
    event_id: str
    confirmed: int
    waiting: int
    attendees: list[AttendeeView]
