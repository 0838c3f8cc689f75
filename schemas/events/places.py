"""The fields of the events every kind of listing with places causes (visits, events).

Each area declares its own event classes (``VisitSignedUp``, ``EventSignedUp``) from these
field sets plus its id field, so a consumer of one area never receives another's. These are plain
models, not domain events: only the area classes are registered as detail-types.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class SignedUpFields(BaseModel):
    member_id: str
    signup_id: str
    status: Literal["confirmed", "waitlisted"]
    #: Place on the waiting list when it was joined (waitlisted only).
    position: int | None = None
    ics_sequence: int = 0


class PromotedFields(BaseModel):
    """A member on the waiting list now has a place: promoted automatically, or accepted an offer."""

    member_id: str
    signup_id: str
    via: Literal["automatic", "offer"]
    ics_sequence: int


class OfferedFields(BaseModel):
    member_id: str
    signup_id: str
    offer_id: str
    offer_expires_at: datetime


class OfferExpiredFields(BaseModel):
    member_id: str
    signup_id: str


class SignupCancelledFields(BaseModel):
    """A member gave up a place, an offer, or their place on the waiting list."""

    member_id: str
    signup_id: str
    previous_status: Literal["confirmed", "waitlisted", "offered"]
    ics_sequence: int


class PlacesChangedFields(BaseModel):
    places: int
    previous_places: int
    changed_by: str


class CancelledFields(BaseModel):
    title: str
    reason: str
    cancelled_by: str


class DetailsChangedFields(BaseModel):
    """The team changed what attendees were told (times, place, joining link ...): everyone signed
    up is told, confirmed attendees with an updated invitation (same UID, higher SEQUENCE)."""

    changed: list[str]
    changed_by: str


class AttendeesMessagedFields(BaseModel):
    """The team wrote to everyone with a confirmed place."""

    subject: str
    message: str
    sent_by: str
