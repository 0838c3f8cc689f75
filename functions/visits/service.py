"""Visits use cases: each call is one thing a member, the team or a schedule does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from functions.common import tokens
from functions.common.errors import Conflict, NotFound
from functions.common.identity import User
from functions.common.ids import new_id, utcnow
from functions.common.settings import settings
from functions.common.store import Put, Store
from functions.members.model import display_name
from schemas.api.visits import PublishVisit, SignUp
from schemas.events.visits import VisitCancelled, VisitPlacesChanged, VisitReminderTriggered

from . import domain
from .domain import Signup, SignupStatus, Visit, VisitStatus, WaitlistMode
from .repository import (
    AlreadySignedUp,
    HasRoom,
    NoRoom,
    SignupChanged,
    TokenAlreadyUsed,
    VisitChanged,
    VisitRepository,
)

#: A decision is retried only when the state it was made on changed in between; a handful of
#: rounds settles even a rush of sign-ups (each failed round means someone else succeeded).
_ATTEMPTS = 8
#: Steps of filling in one invocation, well inside its timeout; if places and people are still
#: left, the invocation fails and the event's redelivery goes on where it stopped.
_FILL_STEPS = 200


@dataclass(frozen=True)
class SignedUp:
    visit: Visit
    signup: Signup
    created: bool
    position: int | None


class WaitingListBehind(Exception):
    """People are waiting but the index does not show them yet (a GSI read is eventually
    consistent on AWS), or there was more to fill than one invocation does: fail, so the event
    is redelivered and the places are filled then."""


def _tz() -> str:
    return settings().timezone


class VisitService:
    def __init__(self, repository: VisitRepository | None = None, store: Store | None = None) -> None:
        self.store = store or Store()
        self.visits = repository or VisitRepository(self.store)

    # -- visits ---------------------------------------------------------------------------------
    def publish(self, body: PublishVisit, user: User) -> Visit:
        visit, event = domain.publish(new_id("visit"), body, user.email, utcnow())
        self.visits.publish(visit, event)
        return visit

    def get(self, visit_id: str) -> Visit:
        visit = self.visits.get(visit_id) if visit_id.startswith("visit_") and len(visit_id) < 64 else None
        if visit is None:
            raise NotFound("There is no such visit.")
        return visit

    def upcoming(self) -> list[Visit]:
        return self.visits.upcoming(utcnow())

    def change_places(self, visit_id: str, places: int, user: User) -> Visit:
        for _ in range(_ATTEMPTS):
            now = utcnow()
            visit = self.get(visit_id)
            domain.ensure_can_change_places(visit, places, now)
            if places == visit.places:
                return visit
            event = VisitPlacesChanged(
                visit_id=visit_id, places=places, previous_places=visit.places, changed_by=user.email
            )
            try:
                self.visits.change_places(visit, places, now, event)
            except VisitChanged:
                continue  # places were taken or changed meanwhile: check again on what is there now
            return self.get(visit_id)
        raise _busy()

    def cancel_visit(self, visit_id: str, reason: str, user: User) -> Visit:
        now = utcnow()
        visit = self.get(visit_id)
        domain.ensure_can_cancel(visit, now)
        event = VisitCancelled(visit_id=visit_id, title=visit.title, reason=reason, cancelled_by=user.email)
        try:
            self.visits.cancel_visit(visit, user.email, reason, now, event)
        except VisitChanged:
            domain.ensure_can_cancel(self.get(visit_id), utcnow())  # says who cancelled it first
            raise _busy() from None
        return self.get(visit_id)

    def attendees(self, visit_id: str) -> tuple[Visit, list[tuple[Signup, int | None]]]:
        """Everyone who signed up, confirmed first, then offers, the waiting list in order, and
        those who cancelled; with each waiting member's position."""
        visit = self.get(visit_id)
        order = {s: i for i, s in enumerate(SignupStatus)}
        signups = sorted(
            self.visits.signups(visit_id),
            key=lambda s: (order[s.status], s.ticket or 0, s.signed_up_at),
        )
        waiting = [s for s in signups if s.status == SignupStatus.WAITLISTED]
        positions = {s.member_id: i for i, s in enumerate(waiting, start=1)}
        return visit, [(s, positions.get(s.member_id)) for s in signups]

    # -- a member's sign-up -------------------------------------------------------------------------
    def sign_up(self, visit_id: str, user: User, body: SignUp) -> SignedUp:
        name = display_name(user.name)
        for _ in range(_ATTEMPTS):
            now = utcnow()
            visit = self.get(visit_id)
            existing = self.visits.signup(visit_id, user.member_id)
            if existing and existing.active:
                return SignedUp(visit, existing, False, self.position(existing))
            domain.ensure_open_for_signup(visit, now, _tz())
            signup = domain.new_signup(
                visit,
                body,
                signup_id=new_id("signup"),
                member_id=user.member_id,
                name=name,
                email=user.email,
                now=now,
                previous=existing,
            )
            try:
                if visit.places_left and not visit.waiting:
                    self.visits.confirm(visit, signup, domain.signed_up(visit, signup), previous=existing)
                    return SignedUp(visit, signup, True, None)
                return self._join_waiting_list(visit, signup, existing, now)
            except (NoRoom, HasRoom, AlreadySignedUp):
                continue  # the visit or this member's sign-up changed meanwhile: decide again
        raise _busy()

    def _join_waiting_list(self, visit: Visit, signup: Signup, existing: Signup | None, now: datetime) -> SignedUp:
        ticket, done = self.visits.take_ticket(visit.visit_id, now)
        queued = domain.waitlisted(signup, ticket)
        position = domain.position_when_joined(ticket, done)
        try:
            self.visits.waitlist(visit, queued, domain.signed_up(visit, queued, position), previous=existing)
        except (HasRoom, AlreadySignedUp):
            self.visits.release_ticket(visit.visit_id)
            raise
        return SignedUp(visit, queued, True, position)

    def signup_of(self, visit_id: str, member_id: str) -> Signup | None:
        return self.visits.signup(visit_id, member_id)

    def position(self, signup: Signup) -> int | None:
        if signup.status != SignupStatus.WAITLISTED or signup.ticket is None:
            return None
        return self.visits.position(signup.visit_id, signup.ticket)

    def signups_of(self, member_id: str) -> list[tuple[Visit, Signup, int | None]]:
        signups = self.visits.of_member(member_id)
        visits = {v.visit_id: v for v in self.visits.get_many([s.visit_id for s in signups])}
        return [(visits[s.visit_id], s, self.position(s)) for s in signups if s.visit_id in visits]

    def give_up(self, visit_id: str, member_id: str, claims: tokens.Claims | None = None) -> Signup:
        """Cancel a place, decline an offer or leave the waiting list (a link's claims name the
        sign-up, and the offer, they were made for)."""
        for _ in range(_ATTEMPTS):
            now = utcnow()
            visit = self.get(visit_id)
            signup = self.visits.signup(visit_id, member_id)
            if claims is not None:
                _ensure_link_matches(signup, claims)
            signup = domain.ensure_can_give_up(visit, signup, now)
            cancelled, event = domain.give_up(visit, signup, now)
            try:
                self.visits.give_up(visit, signup, cancelled, event, spend=self._spend(claims))
            except (SignupChanged, VisitChanged):
                continue  # promoted, offered or cancelled meanwhile: decide on what is there now
            except TokenAlreadyUsed:
                raise tokens.TokenRejected("This link has already been used.", code="used") from None
            return cancelled
        raise _busy()

    def accept_offer(self, visit_id: str, member_id: str, claims: tokens.Claims | None = None) -> Signup:
        offer_id = str(claims.data.get("offer_id", "")) if claims is not None else None
        for _ in range(_ATTEMPTS):
            now = utcnow()
            visit = self.get(visit_id)
            signup = self.visits.signup(visit_id, member_id)
            accepted, event = domain.accept(visit, signup, offer_id, now, tz=_tz())
            assert signup is not None
            try:
                self.visits.accept_offer(visit, signup, accepted, event, spend=self._spend(claims))
            except (SignupChanged, VisitChanged):
                continue  # accepted, expired or cancelled meanwhile: the next round says which
            except TokenAlreadyUsed:
                raise tokens.TokenRejected("This link has already been used.", code="used") from None
            return accepted
        raise _busy()

    def _spend(self, claims: tokens.Claims | None) -> Put | None:
        return self.store.use_token_op(claims.jti, claims.expires_at, claims.subject) if claims else None

    # -- email links --------------------------------------------------------------------------------
    def link_claims(self, visit_id: str, token: str, purpose: str) -> tokens.Claims:
        claims = tokens.verify(token, purpose)
        if claims.data.get("visit_id") != visit_id:
            raise tokens.TokenRejected("This link is for a different visit.", code="wrong-subject")
        return claims

    # -- the waiting list and schedules ---------------------------------------------------------
    def fill(self, visit_id: str) -> int:
        """Give free places to the waiting list, longest-waiting first. Safe to run any number
        of times: with no free place or nobody waiting it changes nothing."""
        moved = 0
        skip: set[str] = set()
        for _ in range(_FILL_STEPS):
            now = utcnow()
            visit = self.visits.get(visit_id)
            if visit is None or visit.places_to_fill(now) <= 0:
                return moved
            queue = [s for s in self.visits.waiting(visit_id, limit=len(skip) + 1) if s.signup_id not in skip]
            if not queue:
                if visit.waiting > 0 and not skip:
                    raise WaitingListBehind(visit_id)
                return moved
            candidate = queue[0]
            try:
                if visit.waitlist_mode == WaitlistMode.AUTOMATIC:
                    promoted, promotion = domain.promote(visit, candidate, now)
                    self.visits.promote(visit, candidate, promoted, promotion)
                else:
                    offered, offer = domain.offer(visit, candidate, new_id("offer"), now)
                    self.visits.offer(visit, candidate, offered, offer)
            except SignupChanged:
                skip.add(candidate.signup_id)  # they left a moment ago: the next in line
                continue
            except VisitChanged:
                continue  # someone else filled it, or it closed: look again
            moved += 1
        raise WaitingListBehind(visit_id)

    def expire_offers(self) -> int:
        """End every offer that has run out (offers end at the latest when the visit starts; on a
        cancelled visit they end quietly, its cancellation having told everyone)."""
        now = utcnow()
        expired = 0
        for signup in self.visits.offers_expired_by(now):
            visit = self.visits.get(signup.visit_id)  # afresh each time: the counters move
            if visit is None:
                continue
            lapsed, event = domain.expire(visit, signup, now)
            try:
                self.visits.expire_offer(visit, signup, lapsed, event)
            except (SignupChanged, VisitChanged):
                continue  # accepted or declined at the last moment
            expired += 1
        return expired

    def mark_reminders(self) -> int:
        now = utcnow()
        low, high = domain.reminder_window(now)
        marked = 0
        for visit in self.visits.starting_between(low, high):
            if visit.reminded_at is None and self.visits.mark_reminded(
                visit.visit_id, now, VisitReminderTriggered(visit_id=visit.visit_id)
            ):
                marked += 1
        return marked

    def joining_link_for(self, visit: Visit, user: User | None, signup: Signup | None) -> str | None:
        """Only the team and confirmed attendees see how to join an online visit."""
        if not visit.joining_link or user is None:
            return None
        if user.is_staff:
            return visit.joining_link
        if visit.status == VisitStatus.PUBLISHED and signup is not None and signup.status == SignupStatus.CONFIRMED:
            return visit.joining_link
        return None


def _ensure_link_matches(signup: Signup | None, claims: tokens.Claims) -> None:
    if signup is None or signup.signup_id != claims.data.get("signup_id"):
        raise tokens.TokenRejected(
            "This link was sent for an earlier sign-up of yours, which has since ended.", code="superseded"
        )
    offer_id = claims.data.get("offer_id")
    if offer_id is not None and signup.offer_id != offer_id:
        raise tokens.TokenRejected("This offer link is for an earlier offer.", code="superseded")


def _busy() -> Conflict:
    return Conflict("Many people are doing this at the same moment and we could not settle it; please try again.")
