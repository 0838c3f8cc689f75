"""Bodies of the Visits programme API."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints

from schemas.api.base import ApiModel
from schemas.api.places import (
    MAX_PLACES,
    AttendeeView,
    CancelListing,
    ChangePlaces,
    ListingBody,
    ListingFormat,
    ListingView,
    PlaceView,
    SignUp,
    SignupStatus,
    WaitlistMode,
)
from schemas.text import SingleLine

VisitFormat = ListingFormat
__all__ = ["MAX_PLACES", "AttendeeView", "SignUp", "SignupStatus", "VisitFormat", "WaitlistMode"]


class PublishVisit(ListingBody):
    NOUN: ClassVar[str] = "visit"

    host_organisation: Annotated[SingleLine, StringConstraints(min_length=2, max_length=120)] = Field(
        description="Who hosts the visit.", examples=["Citizens UK"]
    )


ChangeVisit = ChangePlaces
CancelVisit = CancelListing


class VisitView(ListingView):
    visit_id: str
    host_organisation: str


class VisitList(ApiModel):
    visits: list[VisitView]


class SignupView(PlaceView):
    visit_id: str


class MySignup(ApiModel):
    visit: VisitView
    signup: SignupView


class MySignups(ApiModel):
    signups: list[MySignup]


class AttendeeList(ApiModel):
    visit_id: str
    confirmed: int
    waiting: int
    attendees: list[AttendeeView]
