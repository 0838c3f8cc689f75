"""The Visits programme: the rules, in plain Python.

Places, the waiting list, offers, reminders and calendar sequences are the shared rules of
``functions.places.domain`` (events use the same); this module names what a visit is (who hosts
it) and which events its changes cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from functions.common.errors import Conflict
from functions.places import domain as places
from functions.places.domain import (
    ACTIVE,
    ENDED,
    FORMAT_LABELS,
    REMINDER_DAYS,
    Kind,
    Listing,
    NoSuchLocalTime,
    OfferNotOpen,
    Signup,
    SignupStatus,
    WaitlistMode,
    accept,
    calendar_sequence,
    ensure_can_cancel,
    ensure_can_change_places,
    ensure_can_give_up,
    ensure_open_for_signup,
    expire,
    give_up,
    local_time,
    london,
    new_signup,
    offer,
    offer_expiry,
    position_when_joined,
    promote,
    reminder_window,
    signed_up,
    too_few_places,
    waitlisted,
)
from functions.places.domain import Closed as VisitClosed
from functions.places.domain import Format as VisitFormat
from functions.places.domain import InvalidListing as InvalidVisit
from functions.places.domain import ListingStatus as VisitStatus
from schemas.api.visits import PublishVisit
from schemas.events.origins import Origin

from .keys import NOUN

if TYPE_CHECKING:  # imported by publishing, which announces it: reads need no event model
    from schemas.events.visits import VisitPublished

__all__ = [
    "ACTIVE",
    "ENDED",
    "FORMAT_LABELS",
    "REMINDER_DAYS",
    "VISITS",
    "Conflict",
    "InvalidVisit",
    "NoSuchLocalTime",
    "OfferNotOpen",
    "Signup",
    "SignupStatus",
    "Visit",
    "VisitClosed",
    "VisitFormat",
    "VisitStatus",
    "WaitlistMode",
    "accept",
    "calendar_sequence",
    "ensure_can_cancel",
    "ensure_can_change_places",
    "ensure_can_give_up",
    "ensure_open_for_signup",
    "expire",
    "give_up",
    "local_time",
    "london",
    "new_signup",
    "offer",
    "offer_expiry",
    "position_when_joined",
    "promote",
    "publish",
    "published_event",
    "reminder_window",
    "signed_up",
    "too_few_places",
    "waitlisted",
]

VISITS = Kind.named(NOUN, "schemas.events.visits")


@dataclass(frozen=True, kw_only=True)
class Visit(Listing):
    KIND = VISITS

    host_organisation: str

    @property
    def visit_id(self) -> str:
        return self.listing_id

    @property
    def subtitle(self) -> str:
        return f"With {self.host_organisation}"

    @property
    def calendar_summary(self) -> str:
        return f"Visit: {self.title} ({self.host_organisation})"


def publish(
    visit_id: str, body: PublishVisit, by: str, now: datetime, origins: tuple[Origin, ...] = ()
) -> tuple[Visit, VisitPublished]:
    visit = Visit(
        **places.published(visit_id, body, "visit", by, now, origins=origins), host_organisation=body.host_organisation
    )
    return visit, published_event(visit)


def published_event(visit: Visit) -> VisitPublished:
    from schemas.events.visits import VisitPublished

    return VisitPublished(
        visit_id=visit.visit_id,
        title=visit.title,
        host_organisation=visit.host_organisation,
        description=visit.description,
        format=visit.format.value,  # type: ignore[arg-type]
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        places=visit.places,
        places_left=visit.places_left,
        signup_closes_at=visit.signup_closes_at,
        location=visit.location,
        origins=list(visit.origins),
    )
