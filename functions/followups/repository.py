"""Follow-up items in the main table, all in the event's partition ``FOLLOWUP#<event id>``:

- ``PLAN``: the event's title and end, and who last changed its days;
- ``DAY#<day>`` (3 digits): one follow-up; gsi3 ``FOLLOWUPS#due`` / ``<due at>#<event id>#<day>``
  until it is started (a conditional update sets ``started_at`` and takes it off the index, so
  the hourly schedule reads only what is due, and starts each once);
- ``SENT#<day>#<member id>``: the attendee was emailed (the per-recipient idempotency marker,
  and the invitation that lets them answer from their own page); gsi2 ``FOLLOWUPMEMBER#<member>``;
- ``ANSWER#<day>#<member id>``: their answer (one per attendee per follow-up); gsi2
  ``FOLLOWUPMEMBER#<member id>`` / ``<event id>#<day>#ANSWER`` (their page, export, erasure);
- ``TAKEAWAY#<published at>#<answer id>``: a published takeaway (the event's page: one Query).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from functions.common.store import (
    AFTER_IDS,
    NOT_EXISTS,
    Condition,
    ConditionFailed,
    Delete,
    Operation,
    Put,
    Store,
    Update,
)
from functions.places.repository import ts
from schemas.events.base import DomainEvent

from .domain import Answer, FollowupDay, Plan, Replan, Takeaway

DUE = "FOLLOWUPS#due"


def pk(event_id: str) -> str:
    return f"FOLLOWUP#{event_id}"


def _day_sk(day: int) -> str:
    return f"DAY#{day:03d}"


def _answer_sk(day: int, member_id: str) -> str:
    return f"ANSWER#{day:03d}#{member_id}"


def _sent_sk(day: int, member_id: str) -> str:
    return f"SENT#{day:03d}#{member_id}"


def _member_pk(member_id: str) -> str:
    return f"FOLLOWUPMEMBER#{member_id}"


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _day_item(event_id: str, day: FollowupDay) -> dict[str, Any]:
    return {
        "pk": pk(event_id),
        "sk": _day_sk(day.day),
        "event_id": event_id,
        "day": day.day,
        "due_at": ts(day.due_at),
        "gsi3pk": DUE,
        "gsi3sk": f"{ts(day.due_at)}#{event_id}#{day.day:03d}",
    }


def _answer_item(a: Answer) -> dict[str, Any]:
    return {
        "pk": pk(a.event_id),
        "sk": _answer_sk(a.day, a.member_id),
        "event_id": a.event_id,
        "day": a.day,
        "member_id": a.member_id,
        "event_title": a.event_title,
        "text": a.text,
        "consent": a.consent,
        "name": a.name,
        "answered_at": ts(a.answered_at),
        "updated_at": ts(a.updated_at),
        "conversation_id": a.conversation_id,
        "conversation_title": a.conversation_title,
        "gsi2pk": _member_pk(a.member_id),
        "gsi2sk": f"{a.event_id}#{a.day:03d}#ANSWER",
    }


def _answer(item: dict[str, Any]) -> Answer:
    return Answer(
        event_id=item["event_id"],
        day=int(item["day"]),
        member_id=item["member_id"],
        event_title=item.get("event_title", ""),
        text=item["text"],
        consent=item["consent"],
        name=item.get("name", ""),
        answered_at=datetime.fromisoformat(item["answered_at"]),
        updated_at=datetime.fromisoformat(item["updated_at"]),
        conversation_id=item.get("conversation_id"),
        conversation_title=item.get("conversation_title"),
        used_at=_when(item.get("used_at")),
    )


def _takeaway_item(t: Takeaway) -> dict[str, Any]:
    return {
        "pk": pk(t.event_id),
        "sk": f"TAKEAWAY#{ts(t.published_at)}#{t.takeaway_id}",
        "event_id": t.event_id,
        "takeaway_id": t.takeaway_id,
        "answer_id": t.answer_id,
        "day": t.day,
        "text": t.text,
        "name": t.name,
        "published_at": ts(t.published_at),
        "conversation_id": t.conversation_id,
        "conversation_title": t.conversation_title,
        "named_member_id": t.named_member_id,
        **({"gsi2pk": _member_pk(t.named_member_id), "gsi2sk": f"{t.event_id}#TAKEAWAY"} if t.named_member_id else {}),
    }


def _takeaway(item: dict[str, Any]) -> Takeaway:
    return Takeaway(
        event_id=item["event_id"],
        takeaway_id=item["takeaway_id"],
        answer_id=item.get("answer_id", ""),
        day=int(item["day"]),
        text=item["text"],
        name=item.get("name"),
        published_at=datetime.fromisoformat(item["published_at"]),
        conversation_id=item.get("conversation_id"),
        conversation_title=item.get("conversation_title"),
        named_member_id=item.get("named_member_id"),
    )


class FollowupRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # -- the plan -----------------------------------------------------------------------------------
    def plan(self, event_id: str) -> Plan | None:
        """The plan and its days: one Query (``DAY#...`` up to ``PLAN``; answers sort before, markers after)."""
        items = self.store.query(pk(event_id), sk_from="DAY#", sk_to="PLAN", consistent=True)
        head = next((i for i in items if i["sk"] == "PLAN"), None)
        if head is None:
            return None
        days = tuple(
            FollowupDay(int(i["day"]), datetime.fromisoformat(i["due_at"]), _when(i.get("started_at")))
            for i in items
            if i["sk"].startswith("DAY#")
        )
        return Plan(event_id, head.get("title", ""), datetime.fromisoformat(head["ends_at"]), days)

    def save_plan(
        self, event_id: str, title: str, ends_at: datetime, change: Replan, *, by: str, now: datetime, new: bool
    ) -> None:
        """The plan and its changed days in one transaction; a day already started is never
        touched (its condition), so a change racing the schedule cannot undo a start."""
        not_started = Condition("attribute_not_exists(started_at)")
        operations: list[Put | Delete] = [
            Put(
                {
                    "pk": pk(event_id),
                    "sk": "PLAN",
                    "event_id": event_id,
                    "title": title,
                    "ends_at": ts(ends_at),
                    "changed_by": by,
                    "changed_at": ts(now),
                },
                NOT_EXISTS if new else None,
            ),
            *(Put(_day_item(event_id, d), not_started) for d in change.put),
            *(Delete({"pk": pk(event_id), "sk": _day_sk(day)}, not_started) for day in change.drop),
        ]
        self.store.write(operations)

    # -- the schedule ---------------------------------------------------------------------------
    def due(self, now: datetime) -> list[tuple[str, int]]:
        """Every follow-up due by ``now`` and not started: one Query on the sparse index."""
        items = self.store.query(DUE, index="gsi3", sk_to=ts(now) + AFTER_IDS)
        return [(i["event_id"], int(i["day"])) for i in items]

    def start(self, event_id: str, day: int, now: datetime, events: Sequence[DomainEvent]) -> bool:
        """Mark the follow-up started, once (False if it already was, or was dropped)."""
        try:
            self.store.write(
                [
                    Update(
                        key={"pk": pk(event_id), "sk": _day_sk(day)},
                        expression="SET #started = :now REMOVE gsi3pk, gsi3sk",
                        names={"#started": "started_at"},
                        values={":now": ts(now)},
                        condition="attribute_exists(pk) AND attribute_not_exists(#started)",
                    )
                ],
                events,
            )
        except ConditionFailed:
            return False
        return True

    # -- per-recipient markers ----------------------------------------------------------------------
    def sent_to(self, event_id: str, day: int) -> set[str]:
        """The members already emailed for this follow-up (one Query, however many)."""
        items = self.store.query(pk(event_id), sk_prefix=f"SENT#{day:03d}#", consistent=True)
        return {str(i["member_id"]) for i in items}

    def record_sent(self, event_id: str, day: int, member_id: str, now: datetime) -> None:
        self.store.write(
            [
                Put(
                    {
                        "pk": pk(event_id),
                        "sk": _sent_sk(day, member_id),
                        "event_id": event_id,
                        "day": day,
                        "member_id": member_id,
                        "sent_at": ts(now),
                        "gsi2pk": _member_pk(member_id),
                        "gsi2sk": f"{event_id}#{day:03d}#SENT",
                    }
                )
            ]
        )

    def was_sent(self, event_id: str, day: int, member_id: str) -> bool:
        return self.store.get(pk(event_id), _sent_sk(day, member_id)) is not None

    # -- answers --------------------------------------------------------------------------------------
    def answer(self, event_id: str, day: int, member_id: str) -> Answer | None:
        item = self.store.get(pk(event_id), _answer_sk(day, member_id))
        return _answer(item) if item else None

    def answers(self, event_id: str) -> list[Answer]:
        return [_answer(i) for i in self.store.query(pk(event_id), sk_prefix="ANSWER#")]

    def save_answer(self, answer: Answer, guards: Sequence[Operation] = ()) -> None:
        """Write the answer unless the team has used it meanwhile (the condition), with the
        caller's guards (the link's spending, the member's existence) in the same transaction."""
        condition = Condition("attribute_not_exists(used_at)")
        self.store.write([Put(_answer_item(answer), condition), *guards])

    def publish(self, answer: Answer, takeaway: Takeaway, by: str, events: Sequence[DomainEvent]) -> None:
        """Lock the answer and publish the takeaway, once (the answer must be unused and unchanged)."""
        self.store.write(
            [
                Update(
                    key={"pk": pk(answer.event_id), "sk": _answer_sk(answer.day, answer.member_id)},
                    expression="SET used_at = :now, used_by = :by",
                    values={":now": ts(takeaway.published_at), ":by": by, ":updated": ts(answer.updated_at)},
                    condition="attribute_exists(pk) AND attribute_not_exists(used_at) AND updated_at = :updated",
                ),
                Put(_takeaway_item(takeaway), NOT_EXISTS),
            ],
            events,
        )

    def takeaways(self, event_id: str) -> list[Takeaway]:
        return [_takeaway(i) for i in self.store.query(pk(event_id), sk_prefix="TAKEAWAY#")]

    # -- a member's own -------------------------------------------------------------------------------
    def of_member(self, member_id: str) -> list[dict[str, Any]]:
        """Everything of the member's (invitations, answers, named takeaways): one Query."""
        return self.store.query(_member_pk(member_id), index="gsi2")

    def answers_of(self, member_id: str) -> list[Answer]:
        return [_answer(i) for i in self.of_member(member_id) if i["sk"].startswith("ANSWER#")]

    def forget(self, member_id: str) -> None:
        """Erasure: their invitations and answers go; a published takeaway stays, without a name."""
        for item in self.of_member(member_id):
            key = {"pk": item["pk"], "sk": item["sk"]}
            if item["sk"].startswith("TAKEAWAY#"):
                self.store.write(
                    [
                        Update(
                            key=key,
                            expression="REMOVE #name, named_member_id, answer_id, gsi2pk, gsi2sk",
                            names={"#name": "name"},
                            condition="attribute_exists(pk)",
                        )
                    ]
                )
            else:
                self.store.write([Delete(key)])
