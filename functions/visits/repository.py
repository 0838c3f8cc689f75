"""Visit records in the main table (layout and capacity design: ``docs/visits.md``).

- ``VISIT#<id> / VISIT``: the visit with its counters; ``gsi1`` = (``VISITS#<status>``,
  ``<starts_at UTC>#<id>``) lists visits by start time.
- ``VISIT#<id> / SIGNUP#<member id>``: one member's sign-up, one item per (visit, member) so a
  member signs up once (a conditional put decides). ``gsi1`` follows the status:
  ``VISITGOING#<visit>`` (confirmed), ``VISITWAIT#<visit>`` by waiting-list number (waitlisted),
  ``VISITOFFER#<visit>`` by expiry (offered); none once cancelled or expired.
  ``gsi2`` = (``VISITSIGNUPS#<member id>``, ``<starts_at UTC>#<visit id>``) lists a member's sign-ups.
  ``gsi3`` = (``VISITOFFERS``, ``<offer expires UTC>#<visit id>#<member id>``) only while offered:
  every open offer in the community by expiry, so the expiry schedule reads only those due.
- ``VISITMAIL#<event id> / <member id>``: an email of a many-recipient event already sent (kept a week).

Every decision (a place, a waiting-list number, a promotion, an offer) is one conditional write or
transaction on the visit's counters and the sign-up, with the event it causes in the outbox.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

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

from .domain import Signup, SignupStatus, Visit, VisitFormat, VisitStatus, WaitlistMode

_OPEN_OFFERS = "VISITOFFERS"
_MAIL_MARKER_SECONDS = 7 * 24 * 3600


class AlreadySignedUp(Exception):
    """The member holds a sign-up for this visit (or one was written a moment ago)."""


class NoRoom(Exception):
    """The visit is full, someone is waiting, or it stopped taking sign-ups: not a direct place."""


class HasRoom(Exception):
    """A place is free and nobody waits, or the visit stopped taking sign-ups: no waiting list."""


class VisitChanged(Exception):
    """The visit's condition no longer held (cancelled, started, or its counters moved)."""


class SignupChanged(Exception):
    """The sign-up is no longer in the state the decision was made on."""


class TokenAlreadyUsed(Exception):
    pass


def ts(moment: datetime) -> str:
    """One format for every stored time, so that string order is time order in keys and conditions."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


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


def _visit_key(visit_id: str) -> dict[str, str]:
    return {"pk": f"VISIT#{visit_id}", "sk": "VISIT"}


def _signup_key(visit_id: str, member_id: str) -> dict[str, str]:
    return {"pk": f"VISIT#{visit_id}", "sk": f"SIGNUP#{member_id}"}


def _visit_item(visit: Visit) -> dict[str, Any]:
    return {
        **_visit_key(visit.visit_id),
        "gsi1pk": f"VISITS#{visit.status.value}",
        "gsi1sk": f"{ts(visit.starts_at)}#{visit.visit_id}",
        "visit_id": visit.visit_id,
        "title": visit.title,
        "host_organisation": visit.host_organisation,
        "description": visit.description,
        "format": visit.format.value,
        "location": visit.location,
        "joining_link": visit.joining_link,
        "starts_at": ts(visit.starts_at),
        "ends_at": ts(visit.ends_at),
        "signup_closes_at": ts(visit.signup_closes_at),
        "places": visit.places,
        "waitlist_mode": visit.waitlist_mode.value,
        "offer_hours": visit.offer_hours,
        "status": visit.status.value,
        "created_at": ts(visit.created_at),
        "created_by": visit.created_by,
        "taken": visit.taken,
        "confirmed": visit.confirmed,
        "waiting": visit.waiting,
        "tickets": visit.tickets,
        "tickets_done": visit.tickets_done,
        "revision": visit.revision,
        "cancel_reason": visit.cancel_reason,
    }


def _visit(item: dict[str, Any]) -> Visit:
    return Visit(
        visit_id=item["visit_id"],
        title=item["title"],
        host_organisation=item["host_organisation"],
        description=item["description"],
        format=VisitFormat(item["format"]),
        location=item.get("location", ""),
        joining_link=item.get("joining_link", ""),
        starts_at=datetime.fromisoformat(item["starts_at"]),
        ends_at=datetime.fromisoformat(item["ends_at"]),
        signup_closes_at=datetime.fromisoformat(item["signup_closes_at"]),
        places=int(item["places"]),
        waitlist_mode=WaitlistMode(item["waitlist_mode"]),
        offer_hours=int(item.get("offer_hours", 24)),
        status=VisitStatus(item["status"]),
        created_at=datetime.fromisoformat(item["created_at"]),
        created_by=item.get("created_by", ""),
        taken=int(item.get("taken", 0)),
        confirmed=int(item.get("confirmed", 0)),
        waiting=int(item.get("waiting", 0)),
        tickets=int(item.get("tickets", 0)),
        tickets_done=int(item.get("tickets_done", 0)),
        revision=int(item.get("revision", 0)),
        reminded_at=_time(item.get("reminded_at")),
        cancelled_at=_time(item.get("cancelled_at")),
        cancelled_by=item.get("cancelled_by"),
        cancel_reason=item.get("cancel_reason", ""),
    )


def _status_index(visit_id: str, signup: Signup) -> tuple[str, str] | None:
    """Where the sign-up is listed in gsi1: one partition per (visit, status) that is acted on."""
    if signup.status == SignupStatus.CONFIRMED:
        return f"VISITGOING#{visit_id}", f"{ts(signup.updated_at or signup.signed_up_at)}#{signup.member_id}"
    if signup.status == SignupStatus.WAITLISTED and signup.ticket is not None:
        return f"VISITWAIT#{visit_id}", _waiting_number(signup.ticket)
    if signup.status == SignupStatus.OFFERED and signup.offer_expires_at is not None:
        return f"VISITOFFER#{visit_id}", offer_expiry_attributes(visit_id, signup.member_id, signup.offer_expires_at)[
            "gsi1sk"
        ]
    return None


def _waiting_number(ticket: int) -> str:
    """A waiting-list number as a sort key: zero-padded, so string order is number order."""
    return f"{ticket:010d}"


def _due_index(visit_id: str, signup: Signup) -> tuple[str, str] | None:
    """Where an open offer is listed in gsi3, by the time it expires."""
    if signup.status == SignupStatus.OFFERED and signup.offer_expires_at is not None:
        return _OPEN_OFFERS, offer_expiry_attributes(visit_id, signup.member_id, signup.offer_expires_at)["gsi3sk"]
    return None


def offer_expiry_attributes(visit_id: str, member_id: str, expires_at: datetime) -> dict[str, str]:
    """Every stored attribute that says when an offer expires: the sign-up's own and its keys in
    gsi1 (the visit's offers) and gsi3 (every open offer)."""
    at = ts(expires_at)
    return {"offer_expires_at": at, "gsi1sk": f"{at}#{member_id}", "gsi3sk": f"{at}#{visit_id}#{member_id}"}


def _signup_item(visit: Visit, signup: Signup) -> dict[str, Any]:
    index = _status_index(visit.visit_id, signup)
    due = _due_index(visit.visit_id, signup)
    return {
        **_signup_key(visit.visit_id, signup.member_id),
        "gsi1pk": index[0] if index else None,
        "gsi1sk": index[1] if index else None,
        "gsi3pk": due[0] if due else None,
        "gsi3sk": due[1] if due else None,
        "gsi2pk": f"VISITSIGNUPS#{signup.member_id}",
        "gsi2sk": f"{ts(visit.starts_at)}#{visit.visit_id}",
        "visit_id": visit.visit_id,
        "member_id": signup.member_id,
        "signup_id": signup.signup_id,
        "name": signup.name,
        "email": signup.email,
        "status": signup.status.value,
        "signed_up_at": ts(signup.signed_up_at),
        "access_needs": signup.access_needs,
        "dietary_needs": signup.dietary_needs,
        "note": signup.note,
        "ticket": signup.ticket,
        "offer_id": signup.offer_id,
        "offer_expires_at": ts(signup.offer_expires_at) if signup.offer_expires_at else None,
        "revision": signup.revision,
        "updated_at": ts(signup.updated_at or signup.signed_up_at),
    }


def _signup(item: dict[str, Any]) -> Signup:
    return Signup(
        visit_id=item["visit_id"],
        member_id=item["member_id"],
        signup_id=item["signup_id"],
        name=item.get("name", ""),
        email=item.get("email", ""),
        status=SignupStatus(item["status"]),
        signed_up_at=datetime.fromisoformat(item["signed_up_at"]),
        access_needs=item.get("access_needs", ""),
        dietary_needs=item.get("dietary_needs", ""),
        note=item.get("note", ""),
        ticket=int(item["ticket"]) if item.get("ticket") is not None else None,
        offer_id=item.get("offer_id"),
        offer_expires_at=_time(item.get("offer_expires_at")),
        revision=int(item.get("revision", 0)),
        updated_at=_time(item.get("updated_at")),
    )


_OPEN = "#status = :published AND #signup_closes_at > :now"
#: Complementary conditions: exactly one of a direct place or the waiting list is possible.
_ROOM = "#taken < #places AND #waiting = :zero"
_NO_ROOM = "(#taken >= #places OR #waiting > :zero)"
#: A place may go to the waiting list until the visit starts.
_FILLABLE = "#status = :published AND #starts_at > :now AND #taken < #places"


class VisitRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # -- reads --------------------------------------------------------------------------------
    def get(self, visit_id: str) -> Visit | None:
        item = self.store.get(f"VISIT#{visit_id}", "VISIT")
        return _visit(item) if item else None

    def get_many(self, visit_ids: list[str]) -> list[Visit]:
        return [_visit(i) for i in self.store.get_many((f"VISIT#{v}", "VISIT") for v in visit_ids)]

    def upcoming(self, now: datetime) -> list[Visit]:
        """Published visits that have not started, soonest first."""
        return [_visit(i) for i in self._range("gsi1", "VISITS#published", low=ts(now))]

    def starting_between(self, low: datetime, high: datetime) -> list[Visit]:
        items = self._range("gsi1", "VISITS#published", low=ts(low), high=ts(high) + AFTER_IDS)
        return [_visit(i) for i in items]

    def signup(self, visit_id: str, member_id: str) -> Signup | None:
        item = self.store.get(f"VISIT#{visit_id}", f"SIGNUP#{member_id}")
        return _signup(item) if item else None

    def signups(self, visit_id: str) -> list[Signup]:
        """Every sign-up of a visit, whatever its status (the team's attendee list shows all)."""
        return [_signup(i) for i in self.store.query(f"VISIT#{visit_id}", sk_prefix="SIGNUP#", consistent=True)]

    def going(self, visit_id: str) -> list[Signup]:
        return [_signup(i) for i in self.store.query(f"VISITGOING#{visit_id}", index="gsi1")]

    def waiting(self, visit_id: str, limit: int | None = None) -> list[Signup]:
        """The waiting list in order, longest-waiting first."""
        return [_signup(i) for i in self.store.query(f"VISITWAIT#{visit_id}", index="gsi1", limit=limit)]

    def offered(self, visit_id: str) -> list[Signup]:
        return [_signup(i) for i in self.store.query(f"VISITOFFER#{visit_id}", index="gsi1")]

    def offers_expired_by(self, now: datetime) -> list[Signup]:
        """Every open offer in the community that has expired by ``now``, soonest first."""
        return [_signup(i) for i in self._range("gsi3", _OPEN_OFFERS, high=ts(now) + AFTER_IDS)]

    def of_member(self, member_id: str) -> list[Signup]:
        return [_signup(i) for i in self.store.query(f"VISITSIGNUPS#{member_id}", index="gsi2")]

    def position(self, visit_id: str, ticket: int) -> int:
        """1 + how many are still waiting with a lower number."""
        return 1 + self.store.count(f"VISITWAIT#{visit_id}", index="gsi1", sk_to=_waiting_number(ticket - 1))

    def _range(self, index: str, pk: str, *, low: str | None = None, high: str | None = None) -> list[dict[str, Any]]:
        return self.store.query(pk, index=index, sk_from=low, sk_to=high)

    # -- publishing and the team's changes -------------------------------------------------------
    def publish(self, visit: Visit, event: DomainEvent) -> None:
        self.store.write([Put(_visit_item(visit), NOT_EXISTS)], [event])

    def import_visit(self, visit: Visit) -> None:
        """Load a visit without announcing it (demo content, migrations): no event, no email."""
        self.store.write([Put(_visit_item(visit), NOT_EXISTS)])

    def change_places(self, visit: Visit, places: int, now: datetime, event: DomainEvent) -> None:
        self._write_visit(
            _update(
                _visit_key(visit.visit_id),
                "SET #places = :places",
                "#status = :published AND #starts_at > :now AND #places = :previous AND #taken <= :places",
                {":places": places, ":previous": visit.places, ":published": "published", ":now": ts(now)},
            ),
            event,
        )

    def cancel_visit(self, visit: Visit, by: str, reason: str, now: datetime, event: DomainEvent) -> None:
        self._write_visit(
            _update(
                _visit_key(visit.visit_id),
                "SET #status = :cancelled, #gsi1pk = :listed, #revision = #revision + :one, "
                "#cancelled_at = :now, #cancelled_by = :by, #cancel_reason = :reason",
                "#status = :published",
                {
                    ":cancelled": "cancelled",
                    ":listed": "VISITS#cancelled",
                    ":one": 1,
                    ":now": ts(now),
                    ":by": by,
                    ":reason": reason,
                    ":published": "published",
                },
            ),
            event,
        )

    def mark_reminded(self, visit_id: str, now: datetime, event: DomainEvent) -> bool:
        """Once per visit, whoever runs the schedule: False when it was already marked."""
        try:
            self._write_visit(
                _update(
                    _visit_key(visit_id),
                    "SET #reminded_at = :now",
                    "#status = :published AND attribute_not_exists(#reminded_at)",
                    {":now": ts(now), ":published": "published"},
                ),
                event,
            )
        except VisitChanged:
            return False
        return True

    def _write_visit(self, update: Update, event: DomainEvent) -> None:
        try:
            self.store.write([update], [event])
        except ConditionFailed as failure:
            if 0 in failure.failed:
                raise VisitChanged from None
            raise

    # -- signing up ------------------------------------------------------------------------------
    def confirm(self, visit: Visit, signup: Signup, event: DomainEvent, *, previous: Signup | None) -> None:
        """A direct place: only while places are left and nobody is waiting for one."""
        visit_update = _update(
            _visit_key(visit.visit_id),
            "SET #taken = #taken + :one, #confirmed = #confirmed + :one",
            f"{_OPEN} AND {_ROOM}",
            {":one": 1, ":zero": 0, ":published": "published", ":now": ts(signup.signed_up_at)},
        )
        self._sign_up(visit_update, visit, signup, event, previous=previous, visit_failed=NoRoom)

    def take_ticket(self, visit_id: str, now: datetime) -> tuple[int, int]:
        """The next waiting-list number, and how many numbers are done with (both as of now).

        Its own write, so the number can be read back (a transaction returns no values): a number
        whose sign-up then fails is released with ``release_ticket``, leaving a harmless gap."""
        update = _update(
            _visit_key(visit_id),
            "SET #tickets = #tickets + :one",
            f"{_OPEN} AND {_NO_ROOM}",
            {":one": 1, ":zero": 0, ":published": "published", ":now": ts(now)},
        )
        try:
            attributes = self.store.update_returning(update)
        except ConditionFailed:
            raise HasRoom from None
        return int(attributes["tickets"]), int(attributes.get("tickets_done", 0))

    def release_ticket(self, visit_id: str) -> None:
        done = "SET #tickets_done = #tickets_done + :one"
        self.store.write([_update(_visit_key(visit_id), done, "attribute_exists(pk)", {":one": 1})])

    def waitlist(self, visit: Visit, signup: Signup, event: DomainEvent, *, previous: Signup | None) -> None:
        visit_update = _update(
            _visit_key(visit.visit_id),
            "SET #waiting = #waiting + :one",
            f"{_OPEN} AND {_NO_ROOM}",
            {":one": 1, ":zero": 0, ":published": "published", ":now": ts(signup.signed_up_at)},
        )
        self._sign_up(visit_update, visit, signup, event, previous=previous, visit_failed=HasRoom)

    def _sign_up(
        self,
        visit_update: Update,
        visit: Visit,
        signup: Signup,
        event: DomainEvent,
        *,
        previous: Signup | None,
        visit_failed: type[Exception],
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
            self.store.write([visit_update, Put(_signup_item(visit, signup), condition)], [event])
        except ConditionFailed as failure:
            if 1 in failure.failed:
                raise AlreadySignedUp from None
            if 0 in failure.failed:
                raise visit_failed from None
            raise

    # -- changes of a sign-up: ``before`` as read, ``after`` as the domain made it ----------------
    def promote(self, visit: Visit, before: Signup, after: Signup, event: DomainEvent) -> None:
        """Automatic mode: the longest-waiting member takes a free place."""
        counters = (
            "SET #taken = #taken + :one, #confirmed = #confirmed + :one, "
            "#waiting = #waiting - :one, #tickets_done = #tickets_done + :one"
        )
        self._from_waiting_list(visit, before, after, event, counters=counters)

    def offer(self, visit: Visit, before: Signup, after: Signup, event: DomainEvent) -> None:
        """Offer mode: the place is held for the member until they accept or the offer expires."""
        counters = "SET #taken = #taken + :one, #waiting = #waiting - :one, #tickets_done = #tickets_done + :one"
        self._from_waiting_list(visit, before, after, event, counters=counters)

    def _from_waiting_list(
        self, visit: Visit, before: Signup, after: Signup, event: DomainEvent, *, counters: str
    ) -> None:
        values = {":one": 1, ":published": "published", ":now": ts(_when(after))}
        self._move(_update(_visit_key(visit.visit_id), counters, _FILLABLE, values), visit, before, after, event)

    def accept_offer(
        self, visit: Visit, before: Signup, after: Signup, event: DomainEvent, *, spend: Put | None
    ) -> None:
        visit_update = _update(
            _visit_key(visit.visit_id),
            "SET #confirmed = #confirmed + :one",
            "#status = :published AND #starts_at > :now",
            {":one": 1, ":published": "published", ":now": ts(_when(after))},
        )
        self._move(visit_update, visit, before, after, event, spend=spend, also="#offer_expires_at > :now")

    def expire_offer(self, visit: Visit, before: Signup, after: Signup, event: DomainEvent) -> None:
        visit_update = _update(
            _visit_key(visit.visit_id), "SET #taken = #taken - :one", "attribute_exists(pk)", {":one": 1}
        )
        self._move(visit_update, visit, before, after, event, also="#offer_expires_at <= :now")

    def give_up(self, visit: Visit, before: Signup, after: Signup, event: DomainEvent, *, spend: Put | None) -> None:
        """The member cancels their place, declines their offer or leaves the waiting list."""
        counters = {
            SignupStatus.CONFIRMED: "SET #taken = #taken - :one, #confirmed = #confirmed - :one",
            SignupStatus.OFFERED: "SET #taken = #taken - :one",
            SignupStatus.WAITLISTED: "SET #waiting = #waiting - :one, #tickets_done = #tickets_done + :one",
        }[before.status]
        visit_update = _update(
            _visit_key(visit.visit_id), counters, "#status = :published", {":one": 1, ":published": "published"}
        )
        self._move(visit_update, visit, before, after, event, spend=spend)

    def _move(
        self,
        visit_update: Update,
        visit: Visit,
        before: Signup,
        after: Signup,
        event: DomainEvent,
        *,
        spend: Put | None = None,
        also: str = "",
    ) -> None:
        """Change a sign-up exactly as it was read (status, sign-up id and revision) together with
        the visit's counters, in one transaction; raises saying which part no longer held."""
        index = _status_index(visit.visit_id, after)
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
        due = _due_index(visit.visit_id, after)
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
            visit_update,
            _update(_signup_key(visit.visit_id, before.member_id), expression, condition, values),
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
                raise VisitChanged from None
            raise

    # -- erasure ------------------------------------------------------------------------------------
    def forget(self, visit: Visit, signup: Signup) -> None:
        """Delete a member's sign-up (their account is being erased), taking a place or queue
        number it still holds off the counters, so they keep matching the sign-ups."""
        counters = {
            SignupStatus.CONFIRMED: "SET #taken = #taken - :one, #confirmed = #confirmed - :one",
            SignupStatus.OFFERED: "SET #taken = #taken - :one",
            SignupStatus.WAITLISTED: "SET #waiting = #waiting - :one, #tickets_done = #tickets_done + :one",
        }.get(signup.status)
        same = Condition("#signup_id = :signup_id", {"#signup_id": "signup_id"}, {":signup_id": signup.signup_id})
        operations: list[Update | Delete] = [Delete(_signup_key(visit.visit_id, signup.member_id), same)]
        if counters:
            operations.append(_update(_visit_key(visit.visit_id), counters, "attribute_exists(pk)", {":one": 1}))
        try:
            self.store.write(operations)
        except ConditionFailed:
            raise SignupChanged from None

    # -- emails to many ---------------------------------------------------------------------------
    def mail_sent(self, event_id: str, member_id: str) -> bool:
        return self.store.get(f"VISITMAIL#{event_id}", member_id) is not None

    def record_mail(self, event_id: str, member_id: str) -> None:
        self.store.write(
            [
                Put(
                    {
                        "pk": f"VISITMAIL#{event_id}",
                        "sk": member_id,
                        "expires_at": int(time.time()) + _MAIL_MARKER_SECONDS,
                    }
                )
            ]
        )
