"""The Visits programme: the rules, in plain Python.

The community team publishes a visit with a number of places. Members sign up: while places are
left and nobody is waiting they are confirmed, otherwise they join the waiting list. A place
freed by a cancellation (or added by the team) goes to the longest-waiting member: at once
(``automatic``) or as an offer they must accept within ``offer_hours`` (``offer``), after which
it passes to the next. Everyone signed up is told when a visit is cancelled, and confirmed
attendees are reminded shortly before it.

Capacity is kept in counters on the visit, changed only by conditional writes (see
``repository.py`` and ``docs/visits.md``):

- ``taken``: places nobody else can take (confirmed attendees and open offers);
- ``confirmed``: confirmed attendees;
- ``waiting``: members on the waiting list;
- ``tickets`` / ``tickets_done``: waiting-list numbers handed out, and those no longer waiting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from functions.common.errors import Conflict, DomainError, NotFound
from schemas.api.visits import PublishVisit, SignUp
from schemas.events.visits import (
    VisitOfferExpired,
    VisitPlaceOffered,
    VisitPublished,
    VisitSignedUp,
    VisitSignupCancelled,
    VisitSignupPromoted,
)

#: How long before a visit its confirmed attendees get a reminder (the daily schedule sends it).
REMINDER_DAYS = 2
#: Visits are planned months ahead, not years: a later date is a typing mistake.
LONGEST_NOTICE = timedelta(days=3 * 365)


class VisitStatus(StrEnum):
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class VisitFormat(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    HYBRID = "hybrid"


class WaitlistMode(StrEnum):
    AUTOMATIC = "automatic"
    OFFER = "offer"


class SignupStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    CANCELLED = "cancelled"
    OFFER_EXPIRED = "offer_expired"


#: A member holding one of these has a sign-up: signing up again answers with it.
ACTIVE = frozenset({SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.OFFERED})
#: After these the member may sign up again (and goes to the back of any queue).
ENDED = frozenset({SignupStatus.CANCELLED, SignupStatus.OFFER_EXPIRED})

FORMAT_LABELS = {VisitFormat.ONLINE: "Online", VisitFormat.IN_PERSON: "In person", VisitFormat.HYBRID: "Hybrid"}


class InvalidVisit(DomainError):
    """Well-formed but not possible (a start in the past): the same status as a malformed field."""

    status = 422


class VisitClosed(Conflict):
    pass


class OfferNotOpen(Conflict):
    """The offer was accepted already, has expired, or was never made to this member."""


@dataclass(frozen=True)
class Visit:
    visit_id: str
    title: str
    host_organisation: str
    description: str
    format: VisitFormat
    location: str
    joining_link: str
    starts_at: datetime
    ends_at: datetime
    signup_closes_at: datetime
    places: int
    waitlist_mode: WaitlistMode
    offer_hours: int
    status: VisitStatus
    created_at: datetime
    created_by: str
    taken: int = 0
    confirmed: int = 0
    waiting: int = 0
    tickets: int = 0
    tickets_done: int = 0
    #: Bumped when the visit changes for everyone's calendar (cancellation).
    revision: int = 0
    reminded_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str = ""

    @property
    def places_left(self) -> int:
        return max(0, self.places - self.taken)

    @property
    def open_offers(self) -> int:
        return self.taken - self.confirmed

    @property
    def online(self) -> bool:
        return self.format in (VisitFormat.ONLINE, VisitFormat.HYBRID)

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS[self.format]

    def when(self, tz: str) -> str:
        """``Monday 26 April 2027, 10:00am to 3:30pm``: the end's date only when it differs."""
        start, end = self.starts_at.astimezone(ZoneInfo(tz)), self.ends_at.astimezone(ZoneInfo(tz))
        until = _clock(end) if start.date() == end.date() else london(end, tz)
        return f"{london(start, tz)} to {until}"

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at

    def open_for_signup(self, now: datetime) -> bool:
        return self.status == VisitStatus.PUBLISHED and now < self.signup_closes_at

    def places_to_fill(self, now: datetime) -> int:
        """Free places the waiting list should get now (none once the visit has started)."""
        if self.status != VisitStatus.PUBLISHED or self.has_started(now):
            return 0
        return self.places_left


@dataclass(frozen=True)
class Signup:
    visit_id: str
    member_id: str
    #: New for every sign-up, so links from an earlier, cancelled sign-up cannot touch this one.
    signup_id: str
    name: str
    email: str
    status: SignupStatus
    signed_up_at: datetime
    access_needs: str = ""
    dietary_needs: str = ""
    note: str = ""
    #: Waiting-list number: the order of the queue (numbers are never reused).
    ticket: int | None = None
    offer_id: str | None = None
    offer_expires_at: datetime | None = None
    #: Bumped on every change of this member's entry, for the calendar SEQUENCE.
    revision: int = 0
    updated_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def offer_open(self, now: datetime) -> bool:
        return self.status == SignupStatus.OFFERED and self.offer_expires_at is not None and now < self.offer_expires_at


def publish(visit_id: str, body: PublishVisit, by: str, now: datetime) -> tuple[Visit, VisitPublished]:
    if body.starts_at <= now:
        raise InvalidVisit("The visit must start in the future.", field="starts_at")
    if body.starts_at - now > LONGEST_NOTICE:
        raise InvalidVisit("Visits can be published up to three years ahead.", field="starts_at")
    if body.signup_closes_at <= now:
        raise InvalidVisit("Sign-up must close in the future.", field="signup_closes_at")
    visit = Visit(
        visit_id=visit_id,
        title=body.title,
        host_organisation=body.host_organisation,
        description=body.description,
        format=VisitFormat(body.format),
        location=body.location,
        joining_link=body.joining_link,
        starts_at=body.starts_at.astimezone(UTC),
        ends_at=body.ends_at.astimezone(UTC),
        signup_closes_at=body.signup_closes_at.astimezone(UTC),
        places=body.places,
        waitlist_mode=WaitlistMode(body.waitlist_mode),
        offer_hours=body.offer_hours,
        status=VisitStatus.PUBLISHED,
        created_at=now,
        created_by=by,
    )
    return visit, published_event(visit)


def published_event(visit: Visit) -> VisitPublished:
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
    )


def ensure_open_for_signup(visit: Visit, now: datetime, tz: str) -> None:
    if visit.status == VisitStatus.CANCELLED:
        raise VisitClosed("This visit has been cancelled, so it is not taking sign-ups.")
    if visit.has_started(now):
        raise VisitClosed("This visit has already taken place.")
    if now >= visit.signup_closes_at:
        raise VisitClosed(f"Sign-up for this visit closed on {london(visit.signup_closes_at, tz)}.")


def ensure_can_give_up(visit: Visit, signup: Signup | None, now: datetime) -> Signup:
    """A member may give up a place, an offer or their place in the queue until the visit starts."""
    if signup is None or not signup.active:
        raise NotFound("You have no place or waiting-list place on this visit to cancel.")
    if visit.status == VisitStatus.CANCELLED:
        raise VisitClosed("This visit has been cancelled: there is nothing more to cancel.")
    if visit.has_started(now):
        raise VisitClosed("This visit has already started.")
    return signup


def ensure_can_change_places(visit: Visit, places: int, now: datetime) -> None:
    if visit.status == VisitStatus.CANCELLED or visit.has_started(now):
        raise VisitClosed("Places can only be changed on a visit that has not started or been cancelled.")
    if places < visit.taken:
        raise too_few_places(visit.taken)


def too_few_places(taken: int) -> Conflict:
    return Conflict(
        f"{taken} place{'s are' if taken != 1 else ' is'} already taken (or offered), "
        f"so the visit needs at least {taken}.",
        field="places",
    )


def ensure_can_cancel(visit: Visit, now: datetime) -> None:
    if visit.status == VisitStatus.CANCELLED:
        raise VisitClosed(f"This visit was already cancelled by {visit.cancelled_by}.")
    if visit.has_started(now):
        raise VisitClosed("This visit has already started, so it cannot be cancelled.")


def new_signup(
    visit: Visit,
    body: SignUp,
    *,
    signup_id: str,
    member_id: str,
    name: str,
    email: str,
    now: datetime,
    previous: Signup | None,
) -> Signup:
    return Signup(
        visit_id=visit.visit_id,
        member_id=member_id,
        signup_id=signup_id,
        name=name,
        email=email,
        status=SignupStatus.CONFIRMED,
        signed_up_at=now,
        access_needs=body.access_needs,
        dietary_needs=body.dietary_needs,
        note=body.note,
        # A calendar keeps one entry per (visit, member): signing up again must outrank the
        # cancellation it received before.
        revision=previous.revision + 1 if previous else 0,
        updated_at=now,
    )


def signed_up(visit: Visit, signup: Signup, position: int | None = None) -> VisitSignedUp:
    return VisitSignedUp(
        visit_id=visit.visit_id,
        member_id=signup.member_id,
        signup_id=signup.signup_id,
        status="waitlisted" if signup.status == SignupStatus.WAITLISTED else "confirmed",
        position=position,
        ics_sequence=calendar_sequence(visit, signup),
    )


def waitlisted(signup: Signup, ticket: int) -> Signup:
    return replace(signup, status=SignupStatus.WAITLISTED, ticket=ticket)


def _moved(signup: Signup, to: SignupStatus, now: datetime, **changes: object) -> Signup:
    return replace(signup, status=to, revision=signup.revision + 1, updated_at=now, **changes)  # type: ignore[arg-type]


def promote(visit: Visit, signup: Signup, now: datetime) -> tuple[Signup, VisitSignupPromoted]:
    promoted = _moved(signup, SignupStatus.CONFIRMED, now)
    return promoted, VisitSignupPromoted(
        visit_id=visit.visit_id,
        member_id=signup.member_id,
        signup_id=signup.signup_id,
        via="automatic",
        ics_sequence=calendar_sequence(visit, promoted),
    )


def offer(visit: Visit, signup: Signup, offer_id: str, now: datetime) -> tuple[Signup, VisitPlaceOffered]:
    expires = offer_expiry(visit, now)
    offered = _moved(signup, SignupStatus.OFFERED, now, offer_id=offer_id, offer_expires_at=expires)
    return offered, VisitPlaceOffered(
        visit_id=visit.visit_id,
        member_id=signup.member_id,
        signup_id=signup.signup_id,
        offer_id=offer_id,
        offer_expires_at=expires,
    )


def accept(
    visit: Visit, signup: Signup | None, offer_id: str | None, now: datetime, *, tz: str
) -> tuple[Signup, VisitSignupPromoted]:
    """Accept the offer ``offer_id`` (any open offer of the member's when None)."""
    if signup is None:
        raise OfferNotOpen("There is no open offer of a place for you on this visit.")
    if offer_id is not None and signup.offer_id != offer_id:
        raise OfferNotOpen("This offer is no longer yours to accept: your sign-up has changed since it was made.")
    if signup.status == SignupStatus.CONFIRMED and signup.offer_id is not None:
        raise OfferNotOpen(f"You accepted this place on {london(signup.updated_at or now, tz)}: it is yours.")
    if signup.status != SignupStatus.OFFERED or signup.offer_expires_at is None:
        raise OfferNotOpen("There is no open offer of a place for you on this visit.")
    if now >= signup.offer_expires_at:
        raise OfferNotOpen(
            f"This offer expired on {london(signup.offer_expires_at, tz)}, so the place has passed to the next "
            "person waiting. Nothing has changed."
        )
    if visit.status == VisitStatus.CANCELLED or visit.has_started(now):
        raise VisitClosed("This visit has been cancelled or has already started.")
    accepted = _moved(signup, SignupStatus.CONFIRMED, now)
    return accepted, VisitSignupPromoted(
        visit_id=visit.visit_id,
        member_id=signup.member_id,
        signup_id=signup.signup_id,
        via="offer",
        ics_sequence=calendar_sequence(visit, accepted),
    )


def expire(visit: Visit, signup: Signup, now: datetime) -> tuple[Signup, VisitOfferExpired]:
    expired = _moved(signup, SignupStatus.OFFER_EXPIRED, now)
    return expired, VisitOfferExpired(visit_id=visit.visit_id, member_id=signup.member_id, signup_id=signup.signup_id)


def give_up(visit: Visit, signup: Signup, now: datetime) -> tuple[Signup, VisitSignupCancelled]:
    cancelled = _moved(signup, SignupStatus.CANCELLED, now)
    return cancelled, VisitSignupCancelled(
        visit_id=visit.visit_id,
        member_id=signup.member_id,
        signup_id=signup.signup_id,
        previous_status=signup.status.value,  # type: ignore[arg-type]
        ics_sequence=calendar_sequence(visit, cancelled),
    )


def calendar_sequence(visit: Visit, signup: Signup) -> int:
    """Both parts only grow, so every later invitation or cancellation outranks the earlier."""
    return visit.revision + signup.revision


def position_when_joined(ticket: int, tickets_done: int) -> int:
    """Everyone with a lower number who is not yet done is ahead; numbers handed out later are
    behind. Exact when the ticket is taken, so concurrent sign-ups get distinct positions."""
    return max(1, ticket - tickets_done)


def offer_expiry(visit: Visit, now: datetime) -> datetime:
    """An offer lasts ``offer_hours``, but never beyond the start of the visit."""
    return min(now + timedelta(hours=visit.offer_hours), visit.starts_at)


def reminder_window(now: datetime) -> tuple[datetime, datetime]:
    return now, now + timedelta(days=REMINDER_DAYS)


def london(moment: datetime, tz: str) -> str:
    """As the ``datetime`` template filter shows it, for messages written in Python."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%A %-d %B %Y}, {_clock(local)}"


def _clock(local: datetime) -> str:
    return local.strftime("%-I:%M%p").replace("AM", "am").replace("PM", "pm")


class NoSuchLocalTime(ValueError):
    pass


def local_time(text: str, tz: str) -> datetime:
    """A time typed in a form (``2027-04-26T10:00``, no offset) as the community's local time.

    Times the clocks skip (spring forward) do not exist and are refused rather than shifted;
    a time given with an offset is kept as given."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is not None:
        return value
    zone = ZoneInfo(tz)
    aware = value.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise NoSuchLocalTime(text)
    return aware
