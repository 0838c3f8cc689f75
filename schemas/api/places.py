"""Bodies shared by everything with places (visits, events): publishing, changing, signing up."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from schemas.api.base import ApiModel
from schemas.api.origins import Origins, OriginView, distinct
from schemas.text import MultiLine, SingleLine

ListingFormat = Literal["online", "in_person", "hybrid"]
WaitlistMode = Literal["automatic", "offer"]
SignupStatus = Literal["confirmed", "waitlisted", "offered", "cancelled", "offer_expired"]

#: Beyond these years a time is a typing mistake, and far enough out to overflow date arithmetic.
_EARLIEST_YEAR, _LATEST_YEAR = 2000, 2100
MAX_PLACES = 5000


def _rule(message: str) -> PydanticCustomError:
    # A custom error keeps the message as written (a ValueError would get "Value error, " in front).
    return PydanticCustomError("visit_rule", message)


class ListingBody(ApiModel):
    """What every listing with places is published with; areas add their own fields."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    NOUN: ClassVar[str] = "listing"

    title: Annotated[SingleLine, StringConstraints(min_length=3, max_length=120)] = Field(
        examples=["Harnessing the power of community organising"]
    )
    description: Annotated[MultiLine, StringConstraints(min_length=10, max_length=5000)]
    format: ListingFormat = Field(description="`online`, `in_person` or `hybrid`.")
    location: Annotated[SingleLine, StringConstraints(max_length=300)] = Field(
        default="", description="Address or venue; required for in-person and hybrid formats."
    )
    joining_link: Annotated[SingleLine, StringConstraints(max_length=500)] = Field(
        default="",
        description="Online meeting link; required for online and hybrid visits. Shown only to confirmed attendees.",
    )
    starts_at: AwareDatetime = Field(description="With its UTC offset, e.g. 2027-04-26T10:00:00+01:00.")
    ends_at: AwareDatetime
    places: int = Field(ge=1, le=MAX_PLACES)
    signup_closes_at: AwareDatetime = Field(description="No sign-ups after this time; at the latest the start.")
    waitlist_mode: WaitlistMode = Field(
        default="automatic",
        description="`automatic`: a freed place goes to the next person waiting. "
        "`offer`: they are offered it and have `offer_hours` to accept before it passes on.",
    )
    offer_hours: int = Field(default=24, ge=1, le=168, description="Hours to accept an offered place.")
    origins: Origins = Field(default_factory=list)

    _distinct_origins = field_validator("origins")(distinct)

    @field_validator("location")
    @classmethod
    def _location_for_a_place(cls, location: str, info: ValidationInfo) -> str:
        if not location and info.data.get("format") in ("in_person", "hybrid"):
            raise _rule(f"Give the address or venue of an in-person or hybrid {cls.NOUN}.")
        return location

    @field_validator("joining_link")
    @classmethod
    def _joining_link(cls, link: str, info: ValidationInfo) -> str:
        if not link:
            if info.data.get("format") in ("online", "hybrid"):
                raise _rule(f"Give the joining link of an online or hybrid {cls.NOUN}.")
            return link
        parts = urlsplit(link)
        if parts.scheme not in ("https", "http") or not parts.netloc or " " in link:
            raise _rule("Give the joining link as a web address starting with https://")
        return link

    @field_validator("starts_at", "ends_at", "signup_closes_at")
    @classmethod
    def _plausible_year(cls, moment: datetime) -> datetime:
        if not _EARLIEST_YEAR <= moment.year <= _LATEST_YEAR:
            raise _rule("Check the year: this date is not plausible.")
        return moment

    @field_validator("ends_at")
    @classmethod
    def _ends_after_start(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        starts_at = info.data.get("starts_at")
        if starts_at is not None and ends_at <= starts_at:
            raise _rule(f"The {cls.NOUN} must end after it starts.")
        return ends_at

    @field_validator("signup_closes_at")
    @classmethod
    def _closes_by_start(cls, closes_at: datetime, info: ValidationInfo) -> datetime:
        starts_at = info.data.get("starts_at")
        if starts_at is not None and closes_at > starts_at:
            raise _rule(f"Sign-up must close before the {cls.NOUN} starts (or when it starts).")
        return closes_at


class ChangeDetails(ApiModel):
    """The details attendees were told; only what is given changes. Everyone signed up is told
    what changed, confirmed attendees with an updated calendar invitation."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: Annotated[SingleLine, StringConstraints(min_length=3, max_length=120)] | None = None
    description: Annotated[MultiLine, StringConstraints(min_length=10, max_length=5000)] | None = None
    location: Annotated[SingleLine, StringConstraints(max_length=300)] | None = None
    joining_link: Annotated[SingleLine, StringConstraints(max_length=500)] | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    signup_closes_at: AwareDatetime | None = None


class ChangePlaces(ApiModel):
    model_config = ConfigDict(extra="forbid")
    places: int = Field(ge=1, le=MAX_PLACES, description="More places promote or offer to people waiting.")


class CancelListing(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: Annotated[MultiLine, StringConstraints(max_length=1000)] = Field(
        default="", description="Told to everyone signed up."
    )


class MessageAttendees(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    subject: Annotated[SingleLine, StringConstraints(min_length=3, max_length=120)]
    message: Annotated[MultiLine, StringConstraints(min_length=3, max_length=5000)]


class AttendanceMark(ApiModel):
    model_config = ConfigDict(extra="forbid")
    member_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    attended: bool | None = Field(description="true came, false did not come, null not marked.")


class MarkAttendance(ApiModel):
    model_config = ConfigDict(extra="forbid")
    marks: list[AttendanceMark] = Field(
        min_length=1,
        max_length=MAX_PLACES,
        description="Bodies over 64 KB are refused (413): send a large event's marks in several requests.",
    )


class AttendanceResult(ApiModel):
    marked: int = Field(description="How many attendees' attendance was recorded.")


class SignUp(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    access_needs: Annotated[MultiLine, StringConstraints(max_length=1000)] = Field(
        default="", description="Anything the host should arrange so you can take part fully."
    )
    dietary_needs: Annotated[MultiLine, StringConstraints(max_length=500)] = ""
    note: Annotated[MultiLine, StringConstraints(max_length=1000)] = Field(
        default="", description="Anything else for the community team."
    )


class ListingView(ApiModel):
    title: str
    description: str
    format: ListingFormat
    location: str
    starts_at: datetime
    ends_at: datetime
    signup_closes_at: datetime
    places: int
    places_left: int
    waiting: int = Field(description="People on the waiting list.")
    waitlist_mode: WaitlistMode
    offer_hours: int
    status: Literal["published", "cancelled"]
    open_for_signup: bool
    joining_link: str | None = Field(default=None, description="Only for the community team and confirmed attendees.")
    came_from: list[OriginView] = Field(default_factory=list, description="What it came from (issue 11).")


class PlaceView(ApiModel):
    member_id: str
    status: SignupStatus
    position: int | None = Field(default=None, description="Place on the waiting list (1 is next).")
    offer_expires_at: datetime | None = None
    signed_up_at: datetime
    access_needs: str
    dietary_needs: str
    note: str
    joining_link: str | None = Field(default=None, description="For confirmed attendees of online and hybrid formats.")


class AttendeeView(ApiModel):
    member_id: str
    name: str
    email: str
    status: SignupStatus
    position: int | None = None
    access_needs: str
    dietary_needs: str
    note: str
    signed_up_at: datetime
    answers: list[tuple[str, str]] = Field(default_factory=list, description="(question, answer) pairs.")
    attended: bool | None = None
