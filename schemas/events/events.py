"""Events of the events area: community events, workshops and the sessions of a series.

Every domain event has its own ``event_id`` (the idempotency key), so the gathering an event is
about is ``gathering_id`` (an id like ``event_...``). ``EventPublished`` and ``SeriesPublished``
are contracts other areas consume (the newsletter, Open Space): add fields, never remove or rename.
Sign-up events carry ids, not email addresses: consumers read the member's details from the
sign-up item (``functions.events.attendance``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from . import places as fields
from .base import DomainEvent
from .origins import Origin


class EventPublished(DomainEvent):
    gathering_id: str
    kind: Literal["community_event", "workshop", "series_session"]
    title: str
    description: str
    format: Literal["online", "in_person", "hybrid"]
    starts_at: datetime
    ends_at: datetime
    places: int
    signup_closes_at: datetime
    #: Where an in-person or hybrid event happens (never the joining link: that is for attendees).
    location: str = ""
    series_id: str | None = None
    #: The event runs as Open Space (time slots and spaces for member-hosted conversations).
    open_space: bool = False
    origins: list[Origin] = Field(default_factory=list, description="What it came from.")


class SeriesPublished(DomainEvent):
    series_id: str
    title: str
    description: str
    signup_mode: Literal["whole", "sessions", "either"]


class EventSignedUp(fields.SignedUpFields, DomainEvent):
    gathering_id: str


class EventSignupPromoted(fields.PromotedFields, DomainEvent):
    gathering_id: str


class EventPlaceOffered(fields.OfferedFields, DomainEvent):
    gathering_id: str


class EventOfferExpired(fields.OfferExpiredFields, DomainEvent):
    gathering_id: str


class EventSignupCancelled(fields.SignupCancelledFields, DomainEvent):
    gathering_id: str


class EventPlacesChanged(fields.PlacesChangedFields, DomainEvent):
    gathering_id: str


class EventCancelled(fields.CancelledFields, DomainEvent):
    gathering_id: str


class EventReminderTriggered(DomainEvent):
    gathering_id: str


class EventDetailsChanged(fields.DetailsChangedFields, DomainEvent):
    gathering_id: str


class EventAttendeesMessaged(fields.AttendeesMessagedFields, DomainEvent):
    gathering_id: str
