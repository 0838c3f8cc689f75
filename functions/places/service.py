"""Use cases of places and waiting lists, shared by every kind of listing: each call is one thing
a member, the team or a schedule does. Areas subclass :class:`PlacesService` for publishing."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Generic

from functions.common import tokens
from functions.common.errors import Conflict, InvalidInput, NotFound
from functions.common.http import User
from functions.common.ids import new_id, utcnow
from functions.common.settings import settings
from functions.common.store import Put, Store
from functions.members.model import display_name

from . import domain
from .domain import Signup, SignupStatus, WaitlistMode
from .repository import (
    AlreadySignedUp,
    HasRoom,
    L,
    ListingChanged,
    NoRoom,
    PlacesRepository,
    SignupChanged,
    TokenAlreadyUsed,
)

#: A decision is retried only when the state it was made on changed in between; a handful of
#: rounds settles even a rush of sign-ups (each failed round means someone else succeeded).
ATTEMPTS = 8
#: Steps of filling in one invocation, well inside its timeout; if places and people are still
#: left, the invocation fails and the event's redelivery goes on where it stopped.
_FILL_STEPS = 200


@dataclass(frozen=True)
class SignedUp(Generic[L]):
    listing: L
    signup: Signup
    created: bool
    position: int | None


class WaitingListBehind(Exception):
    """People are waiting but the index does not show them yet (a GSI read is eventually
    consistent on AWS), or there was more to fill than one invocation does: fail, so the event
    is redelivered and the places are filled then."""


def tz() -> str:
    return settings().timezone


def busy() -> Conflict:
    return Conflict("Many people are doing this at the same moment and we could not settle it; please try again.")


class PlacesService(Generic[L]):
    def __init__(self, repository: PlacesRepository[L]) -> None:
        self.listings = repository
        self.store: Store = repository.store
        self.kind = repository.kind

    # -- listings -------------------------------------------------------------------------------
    def _valid_id(self, listing_id: str) -> bool:
        return listing_id.startswith(f"{self.kind.id_prefix}_") and len(listing_id) < 64

    def get(self, listing_id: str) -> L:
        listing = self.listings.get(listing_id) if self._valid_id(listing_id) else None
        if listing is None:
            raise NotFound(f"There is no such {self.kind.noun}.")
        return listing

    def get_with_signup(self, listing_id: str, member_id: str) -> tuple[L, Signup | None]:
        """The listing (or NotFound) and the member's sign-up to it, in one read."""
        if not self._valid_id(listing_id):
            raise NotFound(f"There is no such {self.kind.noun}.")
        listing, signup = self.listings.with_signup(listing_id, member_id)
        if listing is None:
            raise NotFound(f"There is no such {self.kind.noun}.")
        return listing, signup

    def upcoming(self, limit: int | None = None) -> list[L]:
        return self.listings.upcoming(utcnow(), limit)

    def change_places(self, listing_id: str, places: int, user: User) -> L:
        for _ in range(ATTEMPTS):
            now = utcnow()
            listing = self.get(listing_id)
            domain.ensure_can_change_places(listing, places, now)
            if places == listing.places:
                return listing
            event = self.kind.event(
                self.kind.places_changed,
                listing_id,
                places=places,
                previous_places=listing.places,
                changed_by=user.email,
            )
            try:
                self.listings.change_places(listing, places, now, event)
            except ListingChanged:
                continue  # places were taken or changed meanwhile: check again on what is there now
            return self.get(listing_id)
        raise busy()

    def change_details(self, listing_id: str, changes: dict[str, Any], user: User) -> tuple[L, list[str]]:
        """Change what attendees were told (title, times, place, link ...): everyone signed up is
        told what changed, confirmed attendees with an updated invitation. Returns the listing as
        it is now and the names of the fields that changed (none: nothing was written)."""
        model = self.kind.details_changed
        if model is None:
            raise InvalidInput(f"The details of a {self.kind.noun} cannot be changed.")
        for _ in range(ATTEMPTS):
            now = utcnow()
            listing = self.get(listing_id)
            domain.ensure_can_change(listing, now)
            changed = {k: v for k, v in changes.items() if getattr(listing, k) != v}
            if not changed:
                return listing, []
            after = _replaced(listing, changed)
            if "starts_at" in changed or "signup_closes_at" in changed:
                domain.check_schedule(after.starts_at, after.signup_closes_at, now, self.kind.noun)
            if "places" in changed:
                raise InvalidInput("Change the number of places on its own.", field="places")
            event = self.kind.event(model, listing_id, changed=sorted(changed), changed_by=user.email)
            try:
                self.listings.change_details(listing, changed, now, event)
            except ListingChanged:
                continue
            current = self.get(listing_id)
            if "starts_at" in changed:
                self.listings.move_signup_times(current, self.listings.signups(listing_id))
            return current, sorted(changed)
        raise busy()

    def cancel(self, listing_id: str, reason: str, user: User) -> L:
        now = utcnow()
        listing = self.get(listing_id)
        domain.ensure_can_cancel(listing, now)
        event = self.kind.event(
            self.kind.cancelled, listing_id, title=listing.title, reason=reason, cancelled_by=user.email
        )
        try:
            self.listings.cancel(listing, user.email, reason, now, event)
        except ListingChanged:
            domain.ensure_can_cancel(self.get(listing_id), utcnow())  # says who cancelled it first
            raise busy() from None
        return self.get(listing_id)

    def message_attendees(self, listing_id: str, subject: str, message: str, user: User) -> None:
        """Email everyone with a confirmed place (the notifications consumer sends it, once each)."""
        model = self.kind.attendees_messaged
        if model is None:
            raise InvalidInput(f"Messages to the attendees of a {self.kind.noun} are not available.")
        listing = self.get(listing_id)
        if listing.status != domain.ListingStatus.PUBLISHED:
            raise domain.Closed(f"This {self.kind.noun} was cancelled: its attendees were told.")
        event = self.kind.event(model, listing_id, subject=subject, message=message, sent_by=user.email)
        self.store.write([], [event])

    def attendees(self, listing_id: str) -> tuple[L, list[tuple[Signup, int | None]]]:
        """Everyone who signed up, confirmed first, then offers, the waiting list in order, and
        those who cancelled; with each waiting member's position."""
        listing = self.get(listing_id)
        order = {s: i for i, s in enumerate(SignupStatus)}
        signups = sorted(
            self.listings.signups(listing_id),
            key=lambda s: (order[s.status], s.ticket or 0, s.signed_up_at),
        )
        waiting = [s for s in signups if s.status == SignupStatus.WAITLISTED]
        positions = {s.member_id: i for i, s in enumerate(waiting, start=1)}
        return listing, [(s, positions.get(s.member_id)) for s in signups]

    def mark_attendance(self, listing_id: str, marks: dict[str, bool | None], user: User) -> int:
        """Record who came (a later follow-up uses it); only confirmed attendees can be marked."""
        listing = self.get(listing_id)
        domain.ensure_can_mark_attendance(listing, utcnow())
        going = {s.member_id for s in self.listings.going(listing_id)}
        unknown = [m for m in marks if m not in going]
        if unknown:
            raise InvalidInput("Attendance can only be marked for confirmed attendees.", field="attendance")
        self.listings.mark_attendance(listing_id, marks, user.email, utcnow())
        return len(marks)

    # -- a member's sign-up -------------------------------------------------------------------------
    def sign_up(self, listing_id: str, user: User, needs: Any) -> SignedUp[L]:
        name = display_name(user.name)
        for _ in range(ATTEMPTS):
            now = utcnow()
            listing, existing = self.get_with_signup(listing_id, user.member_id)
            if existing and existing.active:
                return SignedUp(listing, existing, False, self.position(existing))
            domain.ensure_open_for_signup(listing, now, tz())
            signup = domain.new_signup(
                listing,
                needs,
                signup_id=new_id("signup"),
                member_id=user.member_id,
                name=name,
                email=user.email,
                now=now,
                previous=existing,
            )
            try:
                if listing.places_left and not listing.waiting:
                    self.listings.confirm(listing, signup, domain.signed_up(listing, signup), previous=existing)
                    return SignedUp(listing, signup, True, None)
                return self._join_waiting_list(listing, signup, existing, now)
            except (NoRoom, HasRoom, AlreadySignedUp):
                continue  # the listing or this member's sign-up changed meanwhile: decide again
        raise busy()

    def _join_waiting_list(self, listing: L, signup: Signup, existing: Signup | None, now: datetime) -> SignedUp[L]:
        ticket, done = self.listings.take_ticket(listing.listing_id, now)
        queued = domain.waitlisted(signup, ticket)
        position = domain.position_when_joined(ticket, done)
        try:
            self.listings.waitlist(listing, queued, domain.signed_up(listing, queued, position), previous=existing)
        except (HasRoom, AlreadySignedUp):
            self.listings.release_ticket(listing.listing_id)
            raise
        return SignedUp(listing, queued, True, position)

    def signup_of(self, listing_id: str, member_id: str) -> Signup | None:
        return self.listings.signup(listing_id, member_id)

    def position(self, signup: Signup) -> int | None:
        if signup.status != SignupStatus.WAITLISTED or signup.ticket is None:
            return None
        return self.listings.position(signup.listing_id, signup.ticket)

    def signups_of(self, member_id: str) -> list[tuple[L, Signup, int | None]]:
        signups = self.listings.of_member(member_id)
        found = {v.listing_id: v for v in self.listings.get_many([s.listing_id for s in signups])}
        return [(found[s.listing_id], s, self.position(s)) for s in signups if s.listing_id in found]

    def give_up(self, listing_id: str, member_id: str, claims: tokens.Claims | None = None) -> Signup:
        """Cancel a place, decline an offer or leave the waiting list (a link's claims name the
        sign-up, and the offer, they were made for)."""
        for _ in range(ATTEMPTS):
            now = utcnow()
            listing, signup = self.get_with_signup(listing_id, member_id)
            if claims is not None:
                ensure_link_matches(signup, claims)
            signup = domain.ensure_can_give_up(listing, signup, now)
            cancelled, event = domain.give_up(listing, signup, now)
            try:
                self.listings.give_up(listing, signup, cancelled, event, spend=self._spend(claims))
            except (SignupChanged, ListingChanged):
                continue  # promoted, offered or cancelled meanwhile: decide on what is there now
            except TokenAlreadyUsed:
                raise tokens.TokenRejected("This link has already been used.", code="used") from None
            return cancelled
        raise busy()

    def accept_offer(self, listing_id: str, member_id: str, claims: tokens.Claims | None = None) -> Signup:
        offer_id = str(claims.data.get("offer_id", "")) if claims is not None else None
        for _ in range(ATTEMPTS):
            now = utcnow()
            listing, signup = self.get_with_signup(listing_id, member_id)
            accepted, event = domain.accept(listing, signup, offer_id, now, tz=tz())
            assert signup is not None
            try:
                self.listings.accept_offer(listing, signup, accepted, event, spend=self._spend(claims))
            except (SignupChanged, ListingChanged):
                continue  # accepted, expired or cancelled meanwhile: the next round says which
            except TokenAlreadyUsed:
                raise tokens.TokenRejected("This link has already been used.", code="used") from None
            return accepted
        raise busy()

    def _spend(self, claims: tokens.Claims | None) -> Put | None:
        return self.store.use_token_op(claims.jti, claims.expires_at, claims.subject) if claims else None

    # -- email links --------------------------------------------------------------------------------
    def link_claims(self, listing_id: str, token: str, purpose: str) -> tokens.Claims:
        claims = tokens.verify(token, purpose)
        if claims.data.get(self.kind.event_field, claims.data.get("listing_id")) != listing_id:
            raise tokens.TokenRejected(f"This link is for a different {self.kind.noun}.", code="wrong-subject")
        return claims

    # -- the waiting list and schedules ---------------------------------------------------------
    def fill(self, listing_id: str) -> int:
        """Give free places to the waiting list, longest-waiting first. Safe to run any number
        of times: with no free place or nobody waiting it changes nothing."""
        moved = 0
        skip: set[str] = set()
        for _ in range(_FILL_STEPS):
            now = utcnow()
            listing = self.listings.get(listing_id)
            if listing is None or listing.places_to_fill(now) <= 0:
                return moved
            queue = [s for s in self.listings.waiting(listing_id, limit=len(skip) + 1) if s.signup_id not in skip]
            if not queue:
                if listing.waiting > 0 and not skip:
                    raise WaitingListBehind(listing_id)
                return moved
            candidate = queue[0]
            try:
                if listing.waitlist_mode == WaitlistMode.AUTOMATIC:
                    promoted, promotion = domain.promote(listing, candidate, now)
                    self.listings.promote(listing, candidate, promoted, promotion)
                else:
                    offered, offer = domain.offer(listing, candidate, new_id("offer"), now)
                    self.listings.offer(listing, candidate, offered, offer)
            except SignupChanged:
                skip.add(candidate.signup_id)  # they left a moment ago: the next in line
                continue
            except ListingChanged:
                continue  # someone else filled it, or it closed: look again
            moved += 1
        raise WaitingListBehind(listing_id)

    def expire_offers(self) -> int:
        """End every offer that has run out (offers end at the latest when the listing starts; on
        a cancelled listing they end quietly, its cancellation having told everyone)."""
        now = utcnow()
        expired = 0
        for signup in self.listings.offers_expired_by(now):
            listing = self.listings.get(signup.listing_id)  # afresh each time: the counters move
            if listing is None:
                continue
            lapsed, event = domain.expire(listing, signup, now)
            try:
                self.listings.expire_offer(listing, signup, lapsed, event)
            except (SignupChanged, ListingChanged):
                continue  # accepted or declined at the last moment
            expired += 1
        return expired

    def mark_reminders(self) -> int:
        now = utcnow()
        low, high = domain.reminder_window(now)
        marked = 0
        for listing in self.listings.starting_between(low, high):
            event = self.kind.event(self.kind.reminder_due, listing.listing_id)
            if listing.reminded_at is None and self.listings.mark_reminded(listing.listing_id, now, event):
                marked += 1
        return marked

    def joining_link_for(self, listing: L, user: User | None, signup: Signup | None) -> str | None:
        """Only the team and confirmed attendees see how to join online."""
        if not listing.joining_link or user is None:
            return None
        if user.is_staff:
            return listing.joining_link
        if listing.status == domain.ListingStatus.PUBLISHED and signup is not None and signup.confirmed:
            return listing.joining_link
        return None


def _replaced(listing: L, changes: dict[str, Any]) -> L:
    from dataclasses import replace

    known = {f.name for f in fields(listing)}
    return replace(listing, **{k: v for k, v in changes.items() if k in known})


def ensure_link_matches(signup: Signup | None, claims: tokens.Claims) -> None:
    if signup is None or signup.signup_id != claims.data.get("signup_id"):
        raise tokens.TokenRejected(
            "This link was sent for an earlier sign-up of yours, which has since ended.", code="superseded"
        )
    offer_id = claims.data.get("offer_id")
    if offer_id is not None and signup.offer_id != offer_id:
        raise tokens.TokenRejected("This offer link is for an earlier offer.", code="superseded")
