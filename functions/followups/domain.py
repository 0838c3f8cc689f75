"""Follow-ups after an event, in plain Python (issue 11 §2).

A set number of days after an event ends (per event; the default from the settings, 14 and 90),
each attendee is asked "What did you take away? How have you taken ideas back into your
workplace?". One answer per attendee per follow-up, with their consent to publish it with their
name, without it, or not at all; they may change it until the community team uses it. The team
publishes an answer members agreed to share as a **takeaway** of the event: it is then locked,
shown on the event's page, added to the next Q-municate and to the event's story (the chain).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.common.errors import Conflict, NotFound
from functions.places.domain import Signup
from schemas.events.origins import Origin

CONSENT_LABELS = {
    "named": "Publish it with my name",
    "anonymous": "Publish it without my name",
    "private": "Don't publish it",
}
QUESTION = "What did you take away? How have you taken ideas back into your workplace?"


def due_at(ends_at: datetime, day: int) -> datetime:
    return ends_at + timedelta(days=day)


@dataclass(frozen=True)
class FollowupDay:
    day: int
    due_at: datetime
    started_at: datetime | None = None


@dataclass(frozen=True)
class Plan:
    """An event's follow-ups: when it ended and the days after it attendees are asked."""

    event_id: str
    title: str
    ends_at: datetime
    days: tuple[FollowupDay, ...]

    @property
    def started(self) -> dict[int, FollowupDay]:
        return {d.day: d for d in self.days if d.started_at is not None}


@dataclass(frozen=True)
class Replan:
    """What changing an event's days (or its end) does: days to add or move, days to drop.
    A follow-up already started stays as it was (its emails went out)."""

    put: tuple[FollowupDay, ...]
    drop: tuple[int, ...]


def replan(plan: Plan | None, ends_at: datetime, days: Iterable[int]) -> Replan:
    current = {d.day: d for d in plan.days} if plan else {}
    wanted = sorted(set(days))
    put = tuple(
        FollowupDay(day, due_at(ends_at, day))
        for day in wanted
        if day not in current or (current[day].started_at is None and current[day].due_at != due_at(ends_at, day))
    )
    drop = tuple(day for day, d in current.items() if day not in wanted and d.started_at is None)
    return Replan(put, drop)


def answer_id(day: int, member_id: str) -> str:
    return f"{day}-{member_id}"


def parse_answer_id(value: str) -> tuple[int, str]:
    day, _, member_id = value.partition("-")
    if not day.isdigit() or not member_id:
        raise NotFound("There is no such answer.")
    return int(day), member_id


@dataclass(frozen=True)
class Answer:
    event_id: str
    day: int
    member_id: str
    event_title: str
    text: str
    consent: str
    #: The member's display name when they answered (shown only if ``consent`` is ``named``).
    name: str
    answered_at: datetime
    updated_at: datetime
    conversation_id: str | None = None
    conversation_title: str | None = None
    used_at: datetime | None = None

    @property
    def answer_id(self) -> str:
        return answer_id(self.day, self.member_id)

    @property
    def publishable(self) -> bool:
        return self.consent in ("named", "anonymous")

    @property
    def editable(self) -> bool:
        return self.used_at is None

    @property
    def shown_name(self) -> str | None:
        return self.name if self.consent == "named" else None


@dataclass(frozen=True)
class Takeaway:
    event_id: str
    #: Its own id (public): the answer's id names the member, so it is never shown.
    takeaway_id: str
    answer_id: str
    day: int
    text: str
    name: str | None
    published_at: datetime
    conversation_id: str | None = None
    conversation_title: str | None = None
    #: The member named (never shown): erasure takes the name off.
    named_member_id: str | None = None


class AnswerLocked(Conflict):
    """The community team has used the answer: it can no longer be changed."""

    def __init__(self) -> None:
        super().__init__("The community team has already used this answer, so it can no longer be changed.")


def ensure_editable(answer: Answer | None) -> None:
    if answer is not None and not answer.editable:
        raise AnswerLocked


def ensure_publishable(answer: Answer | None) -> Answer:
    if answer is None:
        raise NotFound("There is no such answer.")
    if not answer.publishable:
        raise Conflict("The member asked for this answer not to be published.")
    if answer.used_at is not None:
        raise Conflict("This answer is already published as a takeaway.")
    return answer


def takeaway_of(answer: Answer, takeaway_id: str, now: datetime) -> Takeaway:
    named = answer.consent == "named"
    return Takeaway(
        event_id=answer.event_id,
        takeaway_id=takeaway_id,
        answer_id=answer.answer_id,
        day=answer.day,
        text=answer.text,
        name=answer.name if named else None,
        published_at=now,
        conversation_id=answer.conversation_id,
        conversation_title=answer.conversation_title,
        named_member_id=answer.member_id if named else None,
    )


def origins_of(answer: Answer) -> list[Origin]:
    """The event, and the conversation the answer names (both the community's, so visible)."""
    origins = [Origin(kind="event", id=answer.event_id, title=answer.event_title)]
    if answer.conversation_id:
        origins.append(
            Origin(
                kind="conversation",
                id=answer.conversation_id,
                title=answer.conversation_title or "",
                event_id=answer.event_id,
            )
        )
    return origins


def recipients(signups: Sequence[Signup]) -> list[Signup]:
    """Everyone with a confirmed place, except those the team marked as not having come.
    (Erased members' sign-ups are gone already: erasure deletes them.)"""
    return [s for s in signups if s.attended is not False]


def newsletter_title(event_title: str) -> str:
    return f"Taken back to work: a takeaway from {event_title}"[:150]


def newsletter_body(takeaway: Takeaway) -> str:
    by = takeaway.name or "A member"
    where = f" (from the conversation “{takeaway.conversation_title}”)" if takeaway.conversation_title else ""
    return f"{by}{where}:\n\n{takeaway.text}"[:5000]
