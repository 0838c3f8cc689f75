"""The fields of the events every kind of listing with places causes (visits, events).

Each area declares its own event classes (``VisitSignedUp``, ``EventSignedUp``) from these
field sets plus its id field, so a consumer of one area never receives another's. These are plain
models, not domain events: only the area classes are registered as detail-types.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Fields(BaseModel):
    # Built on first use, like every domain event: a function pays only for what it handles.
    model_config = ConfigDict(defer_build=True)


class SignedUpFields(_Fields):
    member_id: str
    signup_id: str
    status: Literal["confirmed", "waitlisted"]
    #: Place on the waiting list when it was joined (waitlisted only).
    position: int | None = None
    ics_sequence: int = 0


class PromotedFields(_Fields):
    """A member on the waiting list now has a place: promoted automatically, or accepted an offer."""

    member_id: str
    signup_id: str
    via: Literal["automatic", "offer"]
    ics_sequence: int


class OfferedFields(_Fields):
    member_id: str
    signup_id: str
    offer_id: str
    offer_expires_at: datetime


class OfferExpiredFields(_Fields):
    member_id: str
    signup_id: str


class SignupCancelledFields(_Fields):
    """A member gave up a place, an offer, or their place on the waiting list."""

    member_id: str
    signup_id: str
    previous_status: Literal["confirmed", "waitlisted", "offered"]
    ics_sequence: int


class PlacesChangedFields(_Fields):
    places: int
    previous_places: int
    changed_by: str


class CancelledFields(_Fields):
    title: str
    reason: str
    cancelled_by: str


class DetailsChangedFields(_Fields):
    """The team changed what attendees were told (times, place, joining link ...): everyone signed
    up is told, confirmed attendees with an updated invitation (same UID, higher SEQUENCE)."""

    changed: list[str]
    changed_by: str


class AttendeesMessagedFields(_Fields):
    """The team wrote to everyone with a confirmed place."""

    subject: str
    message: str
    sent_by: str
