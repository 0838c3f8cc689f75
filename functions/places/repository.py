"""Listings (visits, events) and their sign-ups in the main table; the layout and the capacity
design are in ``docs/visits.md``. ``P`` is the kind's key prefix (``VISIT``, ``EVENT``).

- ``P#<id> / P``: the listing with its counters; ``gsi1`` = (``PS#<status>``,
  ``<starts_at UTC>#<id>``) lists them by start time.
- ``P#<id> / SIGNUP#<member id>``: one member's sign-up, one item per (listing, member) so a
  member signs up once (a conditional put decides). ``gsi1`` follows the status:
  ``PGOING#<id>`` (confirmed), ``PWAIT#<id>`` by waiting-list number (waitlisted),
  ``POFFER#<id>`` by expiry (offered); none once cancelled or expired.
  ``gsi2`` = (``PSIGNUPS#<member id>``, ``<starts_at UTC>#<id>``) lists a member's sign-ups.
  ``gsi3`` = (``POFFERS``, ``<offer expires UTC>#<id>#<member id>``) only while offered:
  every open offer of the kind by expiry, so the expiry schedule reads only those due.
- ``PMAIL#<event id> / <member id>``: an email of a many-recipient event already sent (kept a week).

Every decision (a place, a waiting-list number, a promotion, an offer) is one conditional write or
transaction on the listing's counters and the sign-up, with the event it causes in the outbox.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from functions.common.store import (
    AFTER_IDS,
    NOT_EXISTS,
    Condition,
    ConditionFailed,
    Delete,
    Put,
    Store,
    Update,
)
from schemas.events.base import DomainEvent
from schemas.events.origins import Origin

from . import keys
from .domain import Format, Kind, Listing, ListingStatus, Signup, SignupStatus, WaitlistMode
from .keys import ts

_MAIL_MARKER_SECONDS = 7 * 24 * 3600

L = TypeVar("L", bound=Listing)


class AlreadySignedUp(Exception):
    """The member holds a sign-up for this listing (or one was written a moment ago)."""


class NoRoom(Exception):
    """The listing is full, someone is waiting, or it stopped taking sign-ups: not a direct place."""


class HasRoom(Exception):
    """A place is free and nobody waits, or the listing stopped taking sign-ups: no waiting list."""


class ListingChanged(Exception):
    """The listing's condition no longer held (cancelled, started, or its counters moved)."""


class SignupChanged(Exception):
    """The sign-up is no longer in the state the decision was made on."""


class TokenAlreadyUsed(Exception):
    pass


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _when(signup: Signup) -> datetime:
    """The moment of a change: the domain stamps the changed sign-up with it."""
    return signup.updated_at or signup.signed_up_at


def _names(*expressions: str) -> dict[str, str]:
    """Every attribute is named through ExpressionAttributeNames: many plain words (status,
    places ...) are DynamoDB reserved words, and unused names are an error."""
    return {f"#{n}": n for n in sorted(set(re.findall(r"#(\w+)", " ".join(expressions))))}


def _update(key: dict[str, str], expression: str, condition: str, values: dict[str, Any]) -> Update:
    return Update(
        key=key, expression=expression, names=_names(expression, condition), values=values, condition=condition
    )


def _waiting_number(ticket: int) -> str:
    """A waiting-list number as a sort key: zero-padded, so string order is number order."""
    return f"{ticket:010d}"


def offer_expiry_attributes(listing_id: str, member_id: str, expires_at: datetime) -> dict[str, str]:
    """Every stored attribute that says when an offer expires: the sign-up's own and its keys in
    gsi1 (the listing's offers) and gsi3 (every open offer)."""
    at = ts(expires_at)
    return {"offer_expires_at": at, "gsi1sk": f"{at}#{member_id}", "gsi3sk": f"{at}#{listing_id}#{member_id}"}


#: The fields every listing stores under the same names (times as ``ts`` strings).
_TIMES = ("starts_at", "ends_at", "signup_closes_at", "created_at")
_PLAIN = ("title", "description", "location", "joining_link", "offer_hours", "created_by", "cancel_reason")
_COUNTERS = ("places", "taken", "confirmed", "waiting", "tickets", "tickets_done", "revision")


def listing_attributes(listing: Listing) -> dict[str, Any]:
    """The stored attributes every kind of listing shares (the area adds its own)."""
    kind = listing.KIND
    return {
        "pk": f"{kind.prefix}#{listing.listing_id}",
        "sk": kind.prefix,
        "gsi1pk": keys.by_status(kind.prefix, listing.status),
        "gsi1sk": f"{ts(listing.starts_at)}#{listing.listing_id}",
        kind.id_attribute: listing.listing_id,
        **{name: getattr(listing, name) for name in _PLAIN},
        **{name: ts(getattr(listing, name)) for name in _TIMES},
        **{name: getattr(listing, name) for name in _COUNTERS},
        "format": listing.format.value,
        "waitlist_mode": listing.waitlist_mode.value,
        "status": listing.status.value,
        "origins": [o.model_dump() for o in listing.origins] or None,
    }


def listing_fields(item: dict[str, Any], kind: Kind) -> dict[str, Any]:
    """The shared fields of a stored listing, as keyword arguments of its class."""
    return {
        "listing_id": item[kind.id_attribute],
        "title": item["title"],
        "description": item["description"],
        "format": Format(item["format"]),
        "location": item.get("location", ""),
        "joining_link": item.get("joining_link", ""),
        **{name: datetime.fromisoformat(item[name]) for name in _TIMES},
        "waitlist_mode": WaitlistMode(item["waitlist_mode"]),
        "offer_hours": int(item.get("offer_hours", 24)),
        "status": ListingStatus(item["status"]),
        "created_by": item.get("created_by", ""),
        **{name: int(item.get(name, 0)) for name in _COUNTERS},
        "reminded_at": _time(item.get("reminded_at")),
        "cancelled_at": _time(item.get("cancelled_at")),
        "cancelled_by": item.get("cancelled_by"),
        "cancel_reason": item.get("cancel_reason", ""),
        "origins": tuple(Origin.model_validate(o) for o in item.get("origins") or ()),
    }


_OPEN = "#status = :published AND #signup_closes_at > :now"
#: Complementary conditions: exactly one of a direct place or the waiting list is possible.
_ROOM = "#taken < #places AND #waiting = :zero"
_NO_ROOM = "(#taken >= #places OR #waiting > :zero)"
#: A place may go to the waiting list until the listing starts.
_FILLABLE = "#status = :published AND #starts_at > :now AND #taken < #places"
_GIVE_BACK = {
    SignupStatus.CONFIRMED: "SET #taken = #taken - :one, #confirmed = #confirmed - :one",
    SignupStatus.OFFERED: "SET #taken = #taken - :one",
    SignupStatus.WAITLISTED: "SET #waiting = #waiting - :one, #tickets_done = #tickets_done + :one",
}


class PlacesRepository(Generic[L]):
    """The listings of one kind and their sign-ups. ``load`` makes the area's listing from its
    stored item (``listing_fields`` gives the shared part)."""

    def __init__(self, kind: Kind, load: Callable[[dict[str, Any]], L], store: Store | None = None) -> None:
        self.kind = kind
        self.load = load
        self.store = store or Store()
        self.prefix = kind.prefix

    # -- keys and items -------------------------------------------------------------------------
    def listing_key(self, listing_id: str) -> dict[str, str]:
        return {"pk": f"{self.prefix}#{listing_id}", "sk": self.prefix}

    def signup_key(self, listing_id: str, member_id: str) -> dict[str, str]:
        return {"pk": f"{self.prefix}#{listing_id}", "sk": f"SIGNUP#{member_id}"}

    def _status_index(self, listing_id: str, signup: Signup) -> tuple[str, str] | None:
        """Where the sign-up is listed in gsi1: one partition per (listing, status) that is acted on."""
        if signup.status == SignupStatus.CONFIRMED:
            return f"{self.prefix}GOING#{listing_id}", f"{ts(_when(signup))}#{signup.member_id}"
        if signup.status == SignupStatus.WAITLISTED and signup.ticket is not None:
            return f"{self.prefix}WAIT#{listing_id}", _waiting_number(signup.ticket)
        if signup.status == SignupStatus.OFFERED and signup.offer_expires_at is not None:
            sk = offer_expiry_attributes(listing_id, signup.member_id, signup.offer_expires_at)["gsi1sk"]
            return f"{self.prefix}OFFER#{listing_id}", sk
        return None

    def _due_index(self, listing_id: str, signup: Signup) -> tuple[str, str] | None:
        """Where an open offer is listed in gsi3, by the time it expires."""
        if signup.status == SignupStatus.OFFERED and signup.offer_expires_at is not None:
            sk = offer_expiry_attributes(listing_id, signup.member_id, signup.offer_expires_at)["gsi3sk"]
            return f"{self.prefix}OFFERS", sk
        return None

    def _signup_item(self, listing: Listing, signup: Signup) -> dict[str, Any]:
        index = self._status_index(listing.listing_id, signup)
        due = self._due_index(listing.listing_id, signup)
        return {
            **self.signup_key(listing.listing_id, signup.member_id),
            "gsi1pk": index[0] if index else None,
            "gsi1sk": index[1] if index else None,
            "gsi3pk": due[0] if due else None,
            "gsi3sk": due[1] if due else None,
            "gsi2pk": f"{self.prefix}SIGNUPS#{signup.member_id}",
            "gsi2sk": f"{ts(listing.starts_at)}#{listing.listing_id}",
            self.kind.id_attribute: listing.listing_id,
            "member_id": signup.member_id,
            "signup_id": signup.signup_id,
            "name": signup.name,
            "email": signup.email,
            "status": signup.status.value,
            "signed_up_at": ts(signup.signed_up_at),
            "access_needs": signup.access_needs,
            "dietary_needs": signup.dietary_needs,
            "note": signup.note,
            "answers": [list(pair) for pair in signup.answers] or None,
            "ticket": signup.ticket,
            "offer_id": signup.offer_id,
            "offer_expires_at": ts(signup.offer_expires_at) if signup.offer_expires_at else None,
            "revision": signup.revision,
            "updated_at": ts(_when(signup)),
        }

    def _signup(self, item: dict[str, Any]) -> Signup:
        return Signup(
            listing_id=item[self.kind.id_attribute],
            member_id=item["member_id"],
            signup_id=item["signup_id"],
            name=item.get("name", ""),
            email=item.get("email", ""),
            status=SignupStatus(item["status"]),
            signed_up_at=datetime.fromisoformat(item["signed_up_at"]),
            access_needs=item.get("access_needs", ""),
            dietary_needs=item.get("dietary_needs", ""),
            note=item.get("note", ""),
            answers=tuple((str(q), str(a)) for q, a in item.get("answers") or ()),
            ticket=int(item["ticket"]) if item.get("ticket") is not None else None,
            offer_id=item.get("offer_id"),
            offer_expires_at=_time(item.get("offer_expires_at")),
            revision=int(item.get("revision", 0)),
            updated_at=_time(item.get("updated_at")),
            attended=item.get("attended"),
        )

    # -- reads --------------------------------------------------------------------------------
    def get(self, listing_id: str) -> L | None:
        item = self.store.get(f"{self.prefix}#{listing_id}", self.prefix)
        return self.load(item) if item else None

    def get_many(self, listing_ids: list[str]) -> list[L]:
        return [self.load(i) for i in self.store.get_many((f"{self.prefix}#{v}", self.prefix) for v in listing_ids)]

    def upcoming(self, now: datetime, limit: int | None = None) -> list[L]:
        """Published listings that have not started, soonest first."""
        items = self.store.query(
            keys.by_status(self.prefix, ListingStatus.PUBLISHED),
            index="gsi1",
            sk_from=ts(now),
            sk_to=keys.LISTINGS_END,
            limit=limit,
        )
        return [self.load(i) for i in items]

    def starting_between(self, low: datetime, high: datetime) -> list[L]:
        items = self.store.query(
            keys.by_status(self.prefix, ListingStatus.PUBLISHED),
            index="gsi1",
            sk_from=ts(low),
            sk_to=ts(high) + AFTER_IDS,
        )
        return [self.load(i) for i in items]

    def with_signup(self, listing_id: str, member_id: str) -> tuple[L | None, Signup | None]:
        """The listing and this member's sign-up in one strongly consistent BatchGetItem: a
        sign-up decides on both, and one call instead of two matters most in a rush."""
        listing: L | None = None
        signup: Signup | None = None
        pk = f"{self.prefix}#{listing_id}"
        for item in self.store.get_many([(pk, self.prefix), (pk, f"SIGNUP#{member_id}")], consistent=True):
            if item["sk"] == self.prefix:
                listing = self.load(item)
            else:
                signup = self._signup(item)
        return listing, signup

    def signup(self, listing_id: str, member_id: str) -> Signup | None:
        item = self.store.get(f"{self.prefix}#{listing_id}", f"SIGNUP#{member_id}")
        return self._signup(item) if item else None

    def signups(self, listing_id: str) -> list[Signup]:
        """Every sign-up of a listing, whatever its status (the team's attendee list shows all)."""
        items = self.store.query(f"{self.prefix}#{listing_id}", sk_prefix="SIGNUP#", consistent=True)
        return [self._signup(i) for i in items]

    def going(self, listing_id: str) -> list[Signup]:
        return [self._signup(i) for i in self.store.query(f"{self.prefix}GOING#{listing_id}", index="gsi1")]

    def waiting(self, listing_id: str, limit: int | None = None) -> list[Signup]:
        """The waiting list in order, longest-waiting first."""
        items = self.store.query(f"{self.prefix}WAIT#{listing_id}", index="gsi1", limit=limit)
        return [self._signup(i) for i in items]

    def offered(self, listing_id: str) -> list[Signup]:
        return [self._signup(i) for i in self.store.query(f"{self.prefix}OFFER#{listing_id}", index="gsi1")]

    def offers_expired_by(self, now: datetime) -> list[Signup]:
        """Every open offer of this kind that has expired by ``now``, soonest first."""
        items = self.store.query(f"{self.prefix}OFFERS", index="gsi3", sk_to=ts(now) + AFTER_IDS)
        return [self._signup(i) for i in items]

    def of_member(self, member_id: str) -> list[Signup]:
        return [self._signup(i) for i in self.store.query(f"{self.prefix}SIGNUPS#{member_id}", index="gsi2")]

    def position(self, listing_id: str, ticket: int) -> int:
        """1 + how many are still waiting with a lower number."""
        waiting = f"{self.prefix}WAIT#{listing_id}"
        return 1 + self.store.count(waiting, index="gsi1", sk_to=_waiting_number(ticket - 1))

    # -- publishing and the team's changes -------------------------------------------------------
    def publish(self, item: dict[str, Any], events: list[DomainEvent]) -> None:
        """Write a new listing (``listing_attributes`` plus the area's own) with its events;
        no events for content loaded without announcing it (demo content, migrations)."""
        self.store.write([Put(item, NOT_EXISTS)], events)

    def change_places(self, listing: Listing, places: int, now: datetime, event: DomainEvent) -> None:
        self._write_listing(
            _update(
                self.listing_key(listing.listing_id),
                "SET #places = :places",
                "#status = :published AND #starts_at > :now AND #places = :previous AND #taken <= :places",
                {":places": places, ":previous": listing.places, ":published": "published", ":now": ts(now)},
            ),
            event,
        )

    def change_details(self, listing: Listing, changes: dict[str, Any], now: datetime, event: DomainEvent) -> None:
        """Change the listing's own fields (times as datetimes) and bump its revision, so the
        updated invitations outrank the earlier; only as read (same revision), before it starts."""
        values: dict[str, Any] = {}
        sets = ["#revision = #revision + :one"]
        for name, value in changes.items():
            sets.append(f"#{name} = :{name}")
            values[f":{name}"] = ts(value) if isinstance(value, datetime) else value
        if "starts_at" in changes:
            sets.append("#gsi1sk = :gsi1sk")
            values[":gsi1sk"] = f"{ts(changes['starts_at'])}#{listing.listing_id}"
        values.update({":one": 1, ":published": "published", ":now": ts(now), ":revision": listing.revision})
        condition = "#status = :published AND #starts_at > :now AND #revision = :revision"
        self._write_listing(
            _update(self.listing_key(listing.listing_id), "SET " + ", ".join(sets), condition, values), event
        )

    def move_signup_times(self, listing: Listing, signups: list[Signup]) -> None:
        """After a new start time: each sign-up's place in its member's list (``gsi2sk``)."""
        for signup in signups:
            self.store.write(
                [
                    _update(
                        self.signup_key(listing.listing_id, signup.member_id),
                        "SET #gsi2sk = :sk",
                        "attribute_exists(pk)",
                        {":sk": f"{ts(listing.starts_at)}#{listing.listing_id}"},
                    )
                ]
            )

    def cancel(self, listing: Listing, by: str, reason: str, now: datetime, event: DomainEvent) -> None:
        self._write_listing(
            _update(
                self.listing_key(listing.listing_id),
                "SET #status = :cancelled, #gsi1pk = :listed, #revision = #revision + :one, "
                "#cancelled_at = :now, #cancelled_by = :by, #cancel_reason = :reason",
                "#status = :published",
                {
                    ":cancelled": "cancelled",
                    ":listed": keys.by_status(self.prefix, ListingStatus.CANCELLED),
                    ":one": 1,
                    ":now": ts(now),
                    ":by": by,
                    ":reason": reason,
                    ":published": "published",
                },
            ),
            event,
        )

    def mark_reminded(self, listing_id: str, now: datetime, event: DomainEvent) -> bool:
        """Once per listing, whoever runs the schedule: False when it was already marked."""
        try:
            self._write_listing(
                _update(
                    self.listing_key(listing_id),
                    "SET #reminded_at = :now",
                    "#status = :published AND attribute_not_exists(#reminded_at)",
                    {":now": ts(now), ":published": "published"},
                ),
                event,
            )
        except ListingChanged:
            return False
        return True

    def mark_attendance(self, listing_id: str, marks: dict[str, bool | None], by: str, now: datetime) -> None:
        """The team's record of who came, per confirmed sign-up (one write each: independent)."""
        for member_id, attended in marks.items():
            key = self.signup_key(listing_id, member_id)
            if attended is None:
                update = _update(
                    key, "REMOVE #attended, #attendance_by", "#status = :confirmed", {":confirmed": "confirmed"}
                )
            else:
                update = _update(
                    key,
                    "SET #attended = :attended, #attendance_by = :by, #attendance_at = :now",
                    "#status = :confirmed",
                    {":attended": attended, ":by": by, ":now": ts(now), ":confirmed": "confirmed"},
                )
            try:
                self.store.write([update])
            except ConditionFailed:
                raise SignupChanged from None

    def _write_listing(self, update: Update, event: DomainEvent) -> None:
        try:
            self.store.write([update], [event])
        except ConditionFailed as failure:
            if 0 in failure.failed:
                raise ListingChanged from None
            raise

    # -- signing up ------------------------------------------------------------------------------
    def confirm(self, listing: Listing, signup: Signup, event: DomainEvent, *, previous: Signup | None) -> None:
        """A direct place: only while places are left and nobody is waiting for one."""
        listing_update = _update(
            self.listing_key(listing.listing_id),
            "SET #taken = #taken + :one, #confirmed = #confirmed + :one",
            f"{_OPEN} AND {_ROOM}",
            {":one": 1, ":zero": 0, ":published": "published", ":now": ts(signup.signed_up_at)},
        )
        self._sign_up(listing_update, listing, signup, event, previous=previous, listing_failed=NoRoom)

    def take_ticket(self, listing_id: str, now: datetime) -> tuple[int, int]:
        """The next waiting-list number, and how many numbers are done with (both as of now).

        Its own write, so the number can be read back (a transaction returns no values): a number
        whose sign-up then fails is released with ``release_ticket``, leaving a harmless gap."""
        update = _update(
            self.listing_key(listing_id),
            "SET #tickets = #tickets + :one",
            f"{_OPEN} AND {_NO_ROOM}",
            {":one": 1, ":zero": 0, ":published": "published", ":now": ts(now)},
        )
        try:
            attributes = self.store.update_returning(update)
        except ConditionFailed:
            raise HasRoom from None
        return int(attributes["tickets"]), int(attributes.get("tickets_done", 0))

    def release_ticket(self, listing_id: str) -> None:
        done = "SET #tickets_done = #tickets_done + :one"
        self.store.write([_update(self.listing_key(listing_id), done, "attribute_exists(pk)", {":one": 1})])

    def waitlist(self, listing: Listing, signup: Signup, event: DomainEvent, *, previous: Signup | None) -> None:
        listing_update = _update(
            self.listing_key(listing.listing_id),
            "SET #waiting = #waiting + :one",
            f"{_OPEN} AND {_NO_ROOM}",
            {":one": 1, ":zero": 0, ":published": "published", ":now": ts(signup.signed_up_at)},
        )
        self._sign_up(listing_update, listing, signup, event, previous=previous, listing_failed=HasRoom)

    def _sign_up(
        self,
        listing_update: Update,
        listing: Listing,
        signup: Signup,
        event: DomainEvent,
        *,
        previous: Signup | None,
        listing_failed: type[Exception],
    ) -> None:
        if previous is None:
            condition = NOT_EXISTS
        else:
            # Replaces an ended sign-up only as it was read: two attempts cannot both replace it.
            condition = Condition(
                "#status IN (:cancelled, :expired) AND #revision = :revision",
                {"#status": "status", "#revision": "revision"},
                {":cancelled": "cancelled", ":expired": "offer_expired", ":revision": previous.revision},
            )
        try:
            self.store.write([listing_update, Put(self._signup_item(listing, signup), condition)], [event])
        except ConditionFailed as failure:
            if 1 in failure.failed:
                raise AlreadySignedUp from None
            if 0 in failure.failed:
                raise listing_failed from None
            raise

    # -- changes of a sign-up: ``before`` as read, ``after`` as the domain made it ----------------
    def promote(self, listing: Listing, before: Signup, after: Signup, event: DomainEvent) -> None:
        """Automatic mode: the longest-waiting member takes a free place."""
        counters = (
            "SET #taken = #taken + :one, #confirmed = #confirmed + :one, "
            "#waiting = #waiting - :one, #tickets_done = #tickets_done + :one"
        )
        self._from_waiting_list(listing, before, after, event, counters=counters)

    def offer(self, listing: Listing, before: Signup, after: Signup, event: DomainEvent) -> None:
        """Offer mode: the place is held for the member until they accept or the offer expires."""
        counters = "SET #taken = #taken + :one, #waiting = #waiting - :one, #tickets_done = #tickets_done + :one"
        self._from_waiting_list(listing, before, after, event, counters=counters)

    def _from_waiting_list(
        self, listing: Listing, before: Signup, after: Signup, event: DomainEvent, *, counters: str
    ) -> None:
        values = {":one": 1, ":published": "published", ":now": ts(_when(after))}
        update = _update(self.listing_key(listing.listing_id), counters, _FILLABLE, values)
        self._move(update, listing, before, after, event)

    def accept_offer(
        self, listing: Listing, before: Signup, after: Signup, event: DomainEvent, *, spend: Put | None
    ) -> None:
        listing_update = _update(
            self.listing_key(listing.listing_id),
            "SET #confirmed = #confirmed + :one",
            "#status = :published AND #starts_at > :now",
            {":one": 1, ":published": "published", ":now": ts(_when(after))},
        )
        self._move(listing_update, listing, before, after, event, spend=spend, also="#offer_expires_at > :now")

    def expire_offer(self, listing: Listing, before: Signup, after: Signup, event: DomainEvent) -> None:
        listing_update = _update(
            self.listing_key(listing.listing_id), "SET #taken = #taken - :one", "attribute_exists(pk)", {":one": 1}
        )
        self._move(listing_update, listing, before, after, event, also="#offer_expires_at <= :now")

    def give_up(
        self, listing: Listing, before: Signup, after: Signup, event: DomainEvent, *, spend: Put | None
    ) -> None:
        """The member cancels their place, declines their offer or leaves the waiting list."""
        listing_update = _update(
            self.listing_key(listing.listing_id),
            _GIVE_BACK[before.status],
            "#status = :published",
            {":one": 1, ":published": "published"},
        )
        self._move(listing_update, listing, before, after, event, spend=spend)

    def _move(
        self,
        listing_update: Update,
        listing: Listing,
        before: Signup,
        after: Signup,
        event: DomainEvent,
        *,
        spend: Put | None = None,
        also: str = "",
    ) -> None:
        """Change a sign-up exactly as it was read (status, sign-up id and revision) together with
        the listing's counters, in one transaction; raises saying which part no longer held."""
        index = self._status_index(listing.listing_id, after)
        sets = ["#status = :to", "#revision = :next", "#updated_at = :updated"]
        values: dict[str, Any] = {
            ":to": after.status.value,
            ":next": after.revision,
            ":updated": ts(_when(after)),
            ":before": before.status.value,
            ":signup_id": before.signup_id,
            ":revision": before.revision,
        }
        removes = []
        if index:
            sets += ["#gsi1pk = :gsi1pk", "#gsi1sk = :gsi1sk"]
            values.update({":gsi1pk": index[0], ":gsi1sk": index[1]})
        else:
            removes += ["#gsi1pk", "#gsi1sk"]
        due = self._due_index(listing.listing_id, after)
        if due:
            sets += ["#gsi3pk = :gsi3pk", "#gsi3sk = :gsi3sk"]
            values.update({":gsi3pk": due[0], ":gsi3sk": due[1]})
        else:
            removes += ["#gsi3pk", "#gsi3sk"]
        if after.offer_id and after.offer_expires_at and after.offer_id != before.offer_id:
            sets += ["#offer_id = :offer_id", "#offer_expires_at = :offer_expires_at"]
            values.update({":offer_id": after.offer_id, ":offer_expires_at": ts(after.offer_expires_at)})
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        condition = "#status = :before AND #signup_id = :signup_id AND #revision = :revision"
        if also:
            condition += f" AND {also}"
            values[":now"] = ts(_when(after))
        operations: list[Update | Put] = [
            listing_update,
            _update(self.signup_key(listing.listing_id, before.member_id), expression, condition, values),
        ]
        if spend is not None:
            operations.append(spend)
        try:
            self.store.write(operations, [event])
        except ConditionFailed as failure:
            if 1 in failure.failed:
                raise SignupChanged from None
            if 2 in failure.failed:
                raise TokenAlreadyUsed from None
            if 0 in failure.failed:
                raise ListingChanged from None
            raise

    # -- erasure ------------------------------------------------------------------------------------
    def forget(self, listing: Listing, signup: Signup) -> None:
        """Delete a member's sign-up (their account is being erased), taking a place or queue
        number it still holds off the counters, so they keep matching the sign-ups."""
        counters = _GIVE_BACK.get(signup.status)
        same = Condition("#signup_id = :signup_id", {"#signup_id": "signup_id"}, {":signup_id": signup.signup_id})
        operations: list[Update | Delete] = [Delete(self.signup_key(listing.listing_id, signup.member_id), same)]
        if counters:
            listing_key = self.listing_key(listing.listing_id)
            operations.append(_update(listing_key, counters, "attribute_exists(pk)", {":one": 1}))
        try:
            self.store.write(operations)
        except ConditionFailed:
            raise SignupChanged from None

    # -- emails to many ---------------------------------------------------------------------------
    def mail_sent(self, event_id: str, member_id: str) -> bool:
        return self.store.get(f"{self.prefix}MAIL#{event_id}", member_id) is not None

    def record_mail(self, event_id: str, member_id: str) -> None:
        expires_at = int(time.time()) + _MAIL_MARKER_SECONDS
        self.store.write([Put({"pk": f"{self.prefix}MAIL#{event_id}", "sk": member_id, "expires_at": expires_at})])
