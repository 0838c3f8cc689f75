"""Places and waiting lists, in plain Python: one implementation for everything members sign up
for with limited places (Visits, events, workshops, sessions of a series).

The team publishes a *listing* (a visit, an event) with a number of places. Members sign up:
while places are left and nobody is waiting they are confirmed, otherwise they join the waiting
list. A place freed by a cancellation (or added by the team) goes to the longest-waiting member:
at once (``automatic``) or as an offer they must accept within ``offer_hours`` (``offer``), after
which it passes to the next. Everyone signed up is told when a listing is cancelled or its
details change, and confirmed attendees are reminded shortly before it.

Capacity is kept in counters on the listing, changed only by conditional writes (see
``repository.py`` and ``docs/visits.md``):

- ``taken``: places nobody else can take (confirmed attendees and open offers);
- ``confirmed``: confirmed attendees;
- ``waiting``: members on the waiting list;
- ``tickets`` / ``tickets_done``: waiting-list numbers handed out, and those no longer waiting.

What differs between visits and events (names, keys, the events a change causes) is a
:class:`Kind`; each area's listing class names its own.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from functions.common.errors import Conflict, DomainError, NotFound
from schemas.events.base import DomainEvent
from schemas.events.origins import Origin

from . import keys
from .keys import ListingStatus

#: How long before a listing its confirmed attendees get a reminder (the daily schedule sends it).
REMINDER_DAYS = 2
#: Listings are planned months ahead, not years: a later date is a typing mistake.
LONGEST_NOTICE = timedelta(days=3 * 365)


class Format(StrEnum):
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

FORMAT_LABELS = {Format.ONLINE: "Online", Format.IN_PERSON: "In person", Format.HYBRID: "Hybrid"}


class InvalidListing(DomainError):
    """Well-formed but not possible (a start in the past): the same status as a malformed field."""

    status = 422


class Closed(Conflict):
    """Not taking sign-ups (cancelled, started, sign-up closed), or past changing."""


class OfferNotOpen(Conflict):
    """The offer was accepted already, has expired, or was never made to this member."""


class _EventModel:
    """One change's domain event model of a kind (``VisitSignedUp``), looked up in the area's
    module of domain events when first used, not when the domain is imported: reads (a listing
    page or API on a cold start) need no event model, and an area's event models are ~8 ms of
    pydantic classes."""

    def __init__(self, change: str) -> None:
        self.change = change

    def __get__(self, kind: Kind, owner: type[Kind]) -> type[DomainEvent]:
        found = self._find(kind)
        if found is None:
            raise AttributeError(f"{kind.events_module} has no {kind.noun.capitalize()}{self.change}")
        return found

    def _find(self, kind: Kind) -> type[DomainEvent] | None:
        events = importlib.import_module(kind.events_module)
        return getattr(events, f"{kind.noun.capitalize()}{self.change}", None)


class _OptionalEventModel(_EventModel):
    """A change not every kind has (``None``: the kind does not allow it)."""

    def __get__(self, kind: Kind, owner: type[Kind]) -> type[DomainEvent] | None:  # type: ignore[override]
        return self._find(kind)


@dataclass(frozen=True)
class Kind:
    """What one kind of listing calls things: its noun, its keys, its pages, its token purposes
    and the domain event each change causes (each area keeps its own event names)."""

    noun: str
    #: Keys: ``<prefix>#<id>`` for the listing, ``<prefix>WAIT#<id>`` for its queue ...
    prefix: str
    #: Ids start with ``<id_prefix>_``.
    id_prefix: str
    #: The id's attribute in stored items.
    id_attribute: str
    #: The id's field in this kind's domain events (``event_id`` is every domain event's own id).
    event_field: str
    #: Pages live under it: ``/visits/<id>``.
    path: str
    cancel_purpose: str
    offer_purpose: str
    #: The area's module of domain events (``schemas.events.visits``), where each change's
    #: event is named ``<Noun><Change>`` (``VisitSignedUp``).
    events_module: str
    #: Email templates ``email/<template_prefix>_details.{txt,html}`` describe one listing.
    template_prefix: str = ""

    signed_up = _EventModel("SignedUp")
    promoted = _EventModel("SignupPromoted")
    offered = _EventModel("PlaceOffered")
    offer_expired = _EventModel("OfferExpired")
    signup_cancelled = _EventModel("SignupCancelled")
    places_changed = _EventModel("PlacesChanged")
    cancelled = _EventModel("Cancelled")
    reminder_due = _EventModel("ReminderTriggered")
    details_changed = _OptionalEventModel("DetailsChanged")
    attendees_messaged = _OptionalEventModel("AttendeesMessaged")

    @classmethod
    def named(cls, noun: str, events_module: str, *, event_field: str = "") -> Kind:
        """A kind whose names all follow from its noun: keys ``VISIT#``, ids ``visit_...``,
        pages ``/visits``, token purposes ``visit-cancel``, events ``VisitSignedUp`` ... from
        ``events_module`` (the area's module of domain events)."""
        return cls(
            noun=noun,
            prefix=keys.prefix(noun),
            id_prefix=noun,
            id_attribute=keys.id_attribute(noun),
            event_field=event_field or keys.id_attribute(noun),
            path=keys.path(noun),
            cancel_purpose=f"{noun}-cancel",
            offer_purpose=f"{noun}-offer",
            events_module=events_module,
            template_prefix=noun,
        )

    def event(self, model: type[DomainEvent], listing_id: str, **fields: Any) -> DomainEvent:
        return model(**{self.event_field: listing_id}, **fields)

    def listing_id_of(self, event: DomainEvent) -> str:
        return str(getattr(event, self.event_field))

    def page(self, listing_id: str) -> str:
        return f"{self.path}/{listing_id}"


@dataclass(frozen=True, kw_only=True)
class Listing:
    """Something with places members sign up for. Areas subclass it with their own fields."""

    KIND: ClassVar[Kind]

    listing_id: str
    title: str
    description: str
    format: Format
    location: str
    joining_link: str
    starts_at: datetime
    ends_at: datetime
    signup_closes_at: datetime
    places: int
    waitlist_mode: WaitlistMode
    offer_hours: int
    status: ListingStatus
    created_at: datetime
    created_by: str
    taken: int = 0
    confirmed: int = 0
    waiting: int = 0
    tickets: int = 0
    tickets_done: int = 0
    #: Bumped when the listing changes for everyone's calendar (details changed, cancellation).
    revision: int = 0
    reminded_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str = ""
    #: What it came from (checked when named: ``functions.chain.origins``).
    origins: tuple[Origin, ...] = ()

    @property
    def noun(self) -> str:
        return self.KIND.noun

    @property
    def page_path(self) -> str:
        return self.KIND.page(self.listing_id)

    @property
    def calendar_summary(self) -> str:
        return self.title

    @property
    def signup_questions(self) -> tuple[str, ...]:
        """Questions of the listing's own that members answer when signing up."""
        return ()

    @property
    def subtitle(self) -> str:
        """One line under the title in emails (who hosts it, which series it belongs to)."""
        return ""

    @property
    def places_left(self) -> int:
        return keys.places_left(self.places, self.taken)

    @property
    def full(self) -> bool:
        """A newcomer would wait: no place left, or others already waiting for one."""
        return keys.full(self.places, self.taken, self.waiting)

    @property
    def open_offers(self) -> int:
        return self.taken - self.confirmed

    @property
    def online(self) -> bool:
        return self.format in (Format.ONLINE, Format.HYBRID)

    @property
    def in_person(self) -> bool:
        return self.format in (Format.IN_PERSON, Format.HYBRID)

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

    def has_ended(self, now: datetime) -> bool:
        return now >= self.ends_at

    def open_for_signup(self, now: datetime) -> bool:
        return self.status == ListingStatus.PUBLISHED and now < self.signup_closes_at

    def places_to_fill(self, now: datetime) -> int:
        """Free places the waiting list should get now (none once the listing has started)."""
        if self.status != ListingStatus.PUBLISHED or self.has_started(now):
            return 0
        return self.places_left


@dataclass(frozen=True)
class Signup:
    listing_id: str
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
    #: Answers to the listing's own questions, as (question, answer) in the listing's order.
    answers: tuple[tuple[str, str], ...] = ()
    #: Waiting-list number: the order of the queue (numbers are never reused).
    ticket: int | None = None
    offer_id: str | None = None
    offer_expires_at: datetime | None = None
    #: Bumped on every change of this member's entry, for the calendar SEQUENCE.
    revision: int = 0
    updated_at: datetime | None = None
    #: Set by the team after the listing: True attended, False did not come, None not marked.
    attended: bool | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def confirmed(self) -> bool:
        return self.status == SignupStatus.CONFIRMED

    def offer_open(self, now: datetime) -> bool:
        return self.status == SignupStatus.OFFERED and self.offer_expires_at is not None and now < self.offer_expires_at


def check_schedule(starts_at: datetime, signup_closes_at: datetime, now: datetime, noun: str) -> None:
    """What the body's own validation cannot know: the present."""
    if starts_at <= now:
        raise InvalidListing(f"The {noun} must start in the future.", field="starts_at")
    if starts_at - now > LONGEST_NOTICE:
        raise InvalidListing(f"{noun.capitalize()}s can be published up to three years ahead.", field="starts_at")
    if signup_closes_at <= now:
        raise InvalidListing("Sign-up must close in the future.", field="signup_closes_at")


def published(
    listing_id: str, body: Any, noun: str, by: str, now: datetime, *, origins: tuple[Origin, ...] = ()
) -> dict[str, Any]:
    """The shared fields of a listing published from its body (``schemas.api.places.ListingBody``),
    as keyword arguments of the area's listing class; times in UTC."""
    check_schedule(body.starts_at, body.signup_closes_at, now, noun)
    return {
        "listing_id": listing_id,
        "title": body.title,
        "description": body.description,
        "format": Format(body.format),
        "location": body.location,
        "joining_link": body.joining_link,
        "starts_at": body.starts_at.astimezone(UTC),
        "ends_at": body.ends_at.astimezone(UTC),
        "signup_closes_at": body.signup_closes_at.astimezone(UTC),
        "places": body.places,
        "waitlist_mode": WaitlistMode(body.waitlist_mode),
        "offer_hours": body.offer_hours,
        "status": ListingStatus.PUBLISHED,
        "created_at": now,
        "created_by": by,
        "origins": origins,
    }


def ensure_open_for_signup(listing: Listing, now: datetime, tz: str) -> None:
    noun = listing.noun
    if listing.status == ListingStatus.CANCELLED:
        raise Closed(f"This {noun} has been cancelled, so it is not taking sign-ups.")
    if listing.has_started(now):
        raise Closed(f"This {noun} has already taken place.")
    if now >= listing.signup_closes_at:
        raise Closed(f"Sign-up for this {noun} closed on {london(listing.signup_closes_at, tz)}.")


def ensure_can_give_up(listing: Listing, signup: Signup | None, now: datetime) -> Signup:
    """A member may give up a place, an offer or their place in the queue until the start."""
    noun = listing.noun
    if signup is None or not signup.active:
        raise NotFound(f"You have no place or waiting-list place on this {noun} to cancel.")
    if listing.status == ListingStatus.CANCELLED:
        raise Closed(f"This {noun} has been cancelled: there is nothing more to cancel.")
    if listing.has_started(now):
        raise Closed(f"This {noun} has already started.")
    return signup


def ensure_can_change(listing: Listing, now: datetime) -> None:
    if listing.status == ListingStatus.CANCELLED or listing.has_started(now):
        raise Closed(f"Only a {listing.noun} that has not started or been cancelled can be changed.")


def ensure_can_change_places(listing: Listing, places: int, now: datetime) -> None:
    if listing.status == ListingStatus.CANCELLED or listing.has_started(now):
        raise Closed(f"Places can only be changed on a {listing.noun} that has not started or been cancelled.")
    if places < listing.taken:
        raise too_few_places(listing.taken, listing.noun)


def too_few_places(taken: int, noun: str = "visit") -> Conflict:
    return Conflict(
        f"{taken} place{'s are' if taken != 1 else ' is'} already taken (or offered), "
        f"so the {noun} needs at least {taken}.",
        field="places",
    )


def ensure_can_cancel(listing: Listing, now: datetime) -> None:
    if listing.status == ListingStatus.CANCELLED:
        raise Closed(f"This {listing.noun} was already cancelled by {listing.cancelled_by}.")
    if listing.has_started(now):
        raise Closed(f"This {listing.noun} has already started, so it cannot be cancelled.")


def ensure_can_mark_attendance(listing: Listing, now: datetime) -> None:
    if listing.status == ListingStatus.CANCELLED:
        raise Closed(f"This {listing.noun} was cancelled: there is no attendance to mark.")
    if not listing.has_started(now):
        raise Closed(f"Attendance can be marked once the {listing.noun} has started.")


def new_signup(
    listing: Listing,
    needs: Any,
    *,
    signup_id: str,
    member_id: str,
    name: str,
    email: str,
    now: datetime,
    previous: Signup | None,
) -> Signup:
    """``needs`` is what the member told us: ``access_needs``, ``dietary_needs``, ``note`` and,
    where the listing asks its own questions, ``answers`` (the sign-up body of the area)."""
    return Signup(
        listing_id=listing.listing_id,
        member_id=member_id,
        signup_id=signup_id,
        name=name,
        email=email,
        status=SignupStatus.CONFIRMED,
        signed_up_at=now,
        access_needs=needs.access_needs,
        dietary_needs=needs.dietary_needs,
        note=needs.note,
        answers=tuple(getattr(needs, "answers", ())),
        # A calendar keeps one entry per (listing, member): signing up again must outrank the
        # cancellation it received before.
        revision=previous.revision + 1 if previous else 0,
        updated_at=now,
    )


def signed_up(listing: Listing, signup: Signup, position: int | None = None) -> DomainEvent:
    return listing.KIND.event(
        listing.KIND.signed_up,
        listing.listing_id,
        member_id=signup.member_id,
        signup_id=signup.signup_id,
        status="waitlisted" if signup.status == SignupStatus.WAITLISTED else "confirmed",
        position=position,
        ics_sequence=calendar_sequence(listing, signup),
    )


def waitlisted(signup: Signup, ticket: int) -> Signup:
    return replace(signup, status=SignupStatus.WAITLISTED, ticket=ticket)


def _moved(signup: Signup, to: SignupStatus, now: datetime, **changes: object) -> Signup:
    return replace(signup, status=to, revision=signup.revision + 1, updated_at=now, **changes)  # type: ignore[arg-type]


def promote(listing: Listing, signup: Signup, now: datetime) -> tuple[Signup, DomainEvent]:
    promoted = _moved(signup, SignupStatus.CONFIRMED, now)
    return promoted, _promoted(listing, promoted, "automatic")


def _promoted(listing: Listing, signup: Signup, via: str) -> DomainEvent:
    return listing.KIND.event(
        listing.KIND.promoted,
        listing.listing_id,
        member_id=signup.member_id,
        signup_id=signup.signup_id,
        via=via,
        ics_sequence=calendar_sequence(listing, signup),
    )


def offer(listing: Listing, signup: Signup, offer_id: str, now: datetime) -> tuple[Signup, DomainEvent]:
    expires = offer_expiry(listing, now)
    offered = _moved(signup, SignupStatus.OFFERED, now, offer_id=offer_id, offer_expires_at=expires)
    return offered, listing.KIND.event(
        listing.KIND.offered,
        listing.listing_id,
        member_id=signup.member_id,
        signup_id=signup.signup_id,
        offer_id=offer_id,
        offer_expires_at=expires,
    )


def accept(
    listing: Listing, signup: Signup | None, offer_id: str | None, now: datetime, *, tz: str
) -> tuple[Signup, DomainEvent]:
    """Accept the offer ``offer_id`` (any open offer of the member's when None)."""
    noun = listing.noun
    if signup is None:
        raise OfferNotOpen(f"There is no open offer of a place for you on this {noun}.")
    if offer_id is not None and signup.offer_id != offer_id:
        raise OfferNotOpen("This offer is no longer yours to accept: your sign-up has changed since it was made.")
    if signup.status == SignupStatus.CONFIRMED and signup.offer_id is not None:
        raise OfferNotOpen(f"You accepted this place on {london(signup.updated_at or now, tz)}: it is yours.")
    if signup.status != SignupStatus.OFFERED or signup.offer_expires_at is None:
        raise OfferNotOpen(f"There is no open offer of a place for you on this {noun}.")
    if now >= signup.offer_expires_at:
        raise OfferNotOpen(
            f"This offer expired on {london(signup.offer_expires_at, tz)}, so the place has passed to the next "
            "person waiting. Nothing has changed."
        )
    if listing.status == ListingStatus.CANCELLED or listing.has_started(now):
        raise Closed(f"This {noun} has been cancelled or has already started.")
    accepted = _moved(signup, SignupStatus.CONFIRMED, now)
    return accepted, _promoted(listing, accepted, "offer")


def expire(listing: Listing, signup: Signup, now: datetime) -> tuple[Signup, DomainEvent]:
    expired = _moved(signup, SignupStatus.OFFER_EXPIRED, now)
    return expired, listing.KIND.event(
        listing.KIND.offer_expired, listing.listing_id, member_id=signup.member_id, signup_id=signup.signup_id
    )


def give_up(listing: Listing, signup: Signup, now: datetime) -> tuple[Signup, DomainEvent]:
    cancelled = _moved(signup, SignupStatus.CANCELLED, now)
    return cancelled, listing.KIND.event(
        listing.KIND.signup_cancelled,
        listing.listing_id,
        member_id=signup.member_id,
        signup_id=signup.signup_id,
        previous_status=signup.status.value,
        ics_sequence=calendar_sequence(listing, cancelled),
    )


def calendar_sequence(listing: Listing, signup: Signup) -> int:
    """Both parts only grow, so every later invitation or cancellation outranks the earlier."""
    return listing.revision + signup.revision


def position_when_joined(ticket: int, tickets_done: int) -> int:
    """Everyone with a lower number who is not yet done is ahead; numbers handed out later are
    behind. Exact when the ticket is taken, so concurrent sign-ups get distinct positions."""
    return max(1, ticket - tickets_done)


def offer_expiry(listing: Listing, now: datetime) -> datetime:
    """An offer lasts ``offer_hours``, but never beyond the start."""
    return min(now + timedelta(hours=listing.offer_hours), listing.starts_at)


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
