"""Events of the Visits programme.

``VisitPublished`` is a contract the newsletter consumes: add fields, never remove or rename.

The sign-up events carry ids, not email addresses: consumers read the member's details from
the sign-up item. ``ics_sequence`` is the calendar SEQUENCE the change stands for, fixed when the
change is written, so invitations emailed late or out of order still update calendars correctly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .base import DomainEvent
from .origins import Origin
from .places import (
    AttendeesMessagedFields,
    CancelledFields,
    DetailsChangedFields,
    OfferedFields,
    OfferExpiredFields,
    PlacesChangedFields,
    PromotedFields,
    SignedUpFields,
    SignupCancelledFields,
)


class VisitPublished(DomainEvent):
    visit_id: str
    title: str
    host_organisation: str
    description: str
    format: Literal["online", "in_person", "hybrid"]
    starts_at: datetime
    ends_at: datetime
    places: int
    places_left: int
    signup_closes_at: datetime
    #: Where an in-person or hybrid visit happens (never the joining link: that is for attendees).
    location: str = ""
    origins: list[Origin] = Field(default_factory=list, description="What it came from.")


class VisitSignedUp(SignedUpFields, DomainEvent):
    visit_id: str


class VisitSignupPromoted(PromotedFields, DomainEvent):
    visit_id: str


class VisitPlaceOffered(OfferedFields, DomainEvent):
    visit_id: str


class VisitOfferExpired(OfferExpiredFields, DomainEvent):
    visit_id: str


class VisitSignupCancelled(SignupCancelledFields, DomainEvent):
    visit_id: str


class VisitPlacesChanged(PlacesChangedFields, DomainEvent):
    visit_id: str


class VisitCancelled(CancelledFields, DomainEvent):
    visit_id: str


class VisitReminderTriggered(DomainEvent):
    visit_id: str


class VisitDetailsChanged(DetailsChangedFields, DomainEvent):
    visit_id: str


class VisitAttendeesMessaged(AttendeesMessagedFields, DomainEvent):
    visit_id: str
