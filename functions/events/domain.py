"""Community events, workshops and series: the rules, in plain Python.

An event is a listing with places (``functions.places``: the same sign-ups, waiting list, offers,
invitations and reminders as Visits) plus what makes it an event: its kind, the series it belongs
to, the questions members answer when signing up, and, when it runs as Open Space, its time slots
and spaces (the Open Space area builds the marketplace, agenda and harvest on those).

A series groups sessions (each an event of kind ``series_session``). Members sign up for the
whole series (a place, or a waiting-list place, on every session still taking sign-ups) or for
single sessions, as the series allows (``signup_mode``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from functions.common.errors import Conflict
from functions.places import domain as places
from functions.places.domain import Kind, Listing
from schemas.api.events import OpenSpaceSettings, PublishEvent, PublishSeries
from schemas.events.origins import Origin

from .kinds import KIND_LABELS, NOUN, EventKind

if TYPE_CHECKING:  # imported by the changes that announce them: reads need no event model
    from schemas.events.events import EventPublished, SeriesPublished

#: Every domain event has its own ``event_id``, so the event attended is ``gathering_id``.
EVENTS = Kind.named(NOUN, "schemas.events.events", event_field="gathering_id")


class SignupMode(StrEnum):
    WHOLE = "whole"
    SESSIONS = "sessions"
    EITHER = "either"


SIGNUP_MODE_LABELS = {
    SignupMode.WHOLE: "Sign up for the whole series",
    SignupMode.SESSIONS: "Sign up for single sessions",
    SignupMode.EITHER: "Sign up for the whole series or for single sessions",
}


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Space:
    name: str
    capacity: int
    online: bool = False


@dataclass(frozen=True)
class OpenSpace:
    """An event's Open Space settings: the Open Space area's extension point on the event."""

    slots: tuple[Slot, ...] = ()
    spaces: tuple[Space, ...] = ()
    marketplace_closes_at: datetime | None = None

    @classmethod
    def from_body(cls, body: OpenSpaceSettings) -> OpenSpace:
        return cls(
            slots=tuple(Slot(s.starts_at.astimezone(UTC), s.ends_at.astimezone(UTC)) for s in body.slots),
            spaces=tuple(Space(s.name, s.capacity, s.online) for s in body.spaces),
            marketplace_closes_at=body.marketplace_closes_at.astimezone(UTC) if body.marketplace_closes_at else None,
        )


@dataclass(frozen=True, kw_only=True)
class Event(Listing):
    KIND = EVENTS

    kind: EventKind
    series_id: str | None = None
    access_questions: tuple[str, ...] = ()
    open_space: OpenSpace | None = None

    @property
    def event_id(self) -> str:
        return self.listing_id

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def subtitle(self) -> str:
        return self.kind_label

    @property
    def signup_questions(self) -> tuple[str, ...]:
        return self.access_questions

    @property
    def calendar_summary(self) -> str:
        return f"{self.kind_label}: {self.title}"


@dataclass(frozen=True)
class Series:
    series_id: str
    title: str
    description: str
    signup_mode: SignupMode
    created_at: datetime
    created_by: str
    session_ids: tuple[str, ...] = field(default=())

    @property
    def whole_allowed(self) -> bool:
        return self.signup_mode in (SignupMode.WHOLE, SignupMode.EITHER)

    @property
    def sessions_allowed(self) -> bool:
        return self.signup_mode in (SignupMode.SESSIONS, SignupMode.EITHER)

    @property
    def signup_mode_label(self) -> str:
        return SIGNUP_MODE_LABELS[self.signup_mode]


class SeriesRule(Conflict):
    """The series does not allow this way of signing up."""


def publish(
    event_id: str, body: PublishEvent, by: str, now: datetime, origins: tuple[Origin, ...] = ()
) -> tuple[Event, EventPublished]:
    event = Event(
        **places.published(event_id, body, "event", by, now, origins=origins),
        kind=EventKind(body.kind),
        series_id=body.series_id,
        access_questions=tuple(body.access_questions),
        open_space=OpenSpace.from_body(body.open_space) if body.open_space else None,
    )
    return event, published_event(event)


def published_event(event: Event) -> EventPublished:
    from schemas.events.events import EventPublished

    return EventPublished(
        gathering_id=event.event_id,
        kind=event.kind.value,  # type: ignore[arg-type]
        title=event.title,
        description=event.description,
        format=event.format.value,  # type: ignore[arg-type]
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        places=event.places,
        signup_closes_at=event.signup_closes_at,
        location=event.location,
        series_id=event.series_id,
        origins=list(event.origins),
        open_space=event.open_space is not None,
    )


def new_series(series_id: str, body: PublishSeries, by: str, now: datetime) -> tuple[Series, SeriesPublished]:
    from schemas.events.events import SeriesPublished

    series = Series(
        series_id=series_id,
        title=body.title,
        description=body.description,
        signup_mode=SignupMode(body.signup_mode),
        created_at=now,
        created_by=by,
    )
    published = SeriesPublished(
        series_id=series_id,
        title=series.title,
        description=series.description,
        signup_mode=series.signup_mode.value,  # type: ignore[arg-type]
    )
    return series, published


def answers(event: Event, given: list[str]) -> tuple[tuple[str, str], ...]:
    """The member's answers paired with the event's questions (missing answers are blank)."""
    padded = [*given, *[""] * len(event.access_questions)]
    return tuple((question, padded[i].strip()) for i, question in enumerate(event.access_questions))


def ensure_single_session_allowed(event: Event, series: Series | None) -> None:
    if series is not None and not series.sessions_allowed:
        raise SeriesRule(f"{series.title} is taken as a whole: sign up for the series, not a single session.")


def ensure_whole_series_allowed(series: Series) -> None:
    if not series.whole_allowed:
        raise SeriesRule(f"{series.title} is taken session by session: sign up for the sessions you want.")
