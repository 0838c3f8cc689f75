"""Events of the Visits programme.

``VisitPublished`` is a contract the newsletter consumes: add fields, never remove or rename.

The sign-up events carry ids, not email addresses: consumers read the member's details from
the sign-up item. ``ics_sequence`` is the calendar SEQUENCE the change stands for, fixed when the
change is written, so invitations emailed late or out of order still update calendars correctly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from .base import DomainEvent


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


class VisitSignedUp(DomainEvent):
    visit_id: str
    member_id: str
    signup_id: str
    status: Literal["confirmed", "waitlisted"]
    #: Place on the waiting list when it was joined (waitlisted only).
    position: int | None = None
    ics_sequence: int = 0


class VisitSignupPromoted(DomainEvent):
    """A member on the waiting list now has a place: promoted automatically, or accepted an offer."""

    visit_id: str
    member_id: str
    signup_id: str
    via: Literal["automatic", "offer"]
    ics_sequence: int


class VisitPlaceOffered(DomainEvent):
    visit_id: str
    member_id: str
    signup_id: str
    offer_id: str
    offer_expires_at: datetime


class VisitOfferExpired(DomainEvent):
    visit_id: str
    member_id: str
    signup_id: str


class VisitSignupCancelled(DomainEvent):
    """A member gave up a place, an offer, or their place on the waiting list."""

    visit_id: str
    member_id: str
    signup_id: str
    previous_status: Literal["confirmed", "waitlisted", "offered"]
    ics_sequence: int


class VisitPlacesChanged(DomainEvent):
    visit_id: str
    places: int
    previous_places: int
    changed_by: str


class VisitCancelled(DomainEvent):
    visit_id: str
    title: str
    reason: str
    cancelled_by: str


class VisitReminderTriggered(DomainEvent):
    visit_id: str


class VisitDetailsChanged(DomainEvent):
    """The team changed what attendees were told (times, place, joining link ...): everyone signed
    up is told, confirmed attendees with an updated invitation (same UID, higher SEQUENCE)."""

    visit_id: str
    changed: list[str]
    changed_by: str


class VisitAttendeesMessaged(DomainEvent):
    """The team wrote to everyone with a confirmed place."""

    visit_id: str
    subject: str
    message: str
    sent_by: str
