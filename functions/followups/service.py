"""Follow-up use cases: plan an event's follow-ups, start those due, email the attendees, take
answers from the emailed link or the member's own page, and publish takeaways."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from functions.common import tokens
from functions.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from functions.common.identity import User
from functions.common.ids import new_id, utcnow
from functions.common.settings import settings
from functions.common.store import ConditionFailed, Store
from functions.members.model import display_name
from functions.places.domain import ListingStatus, Signup
from schemas.api.followups import AnswerBody
from schemas.events.followups import FollowupStarted, TakeawayPublished

from . import domain
from .domain import Answer, Plan, Takeaway
from .repository import FollowupRepository

if TYPE_CHECKING:  # the events area is loaded only where an event is read
    from functions.events.domain import Event

logger = logging.getLogger("convene")

PURPOSE = "followup-answer"


@dataclass(frozen=True)
class Invitation:
    """What an emailed link (or the member's own page) lets them answer."""

    event_id: str
    event_title: str
    day: int
    member_id: str
    conversations: tuple[tuple[str, str], ...]
    answer: Answer | None


class FollowupService:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.repo = FollowupRepository(self.store)

    # -- planning -------------------------------------------------------------------------------------
    def _event(self, event_id: str) -> Event:
        from functions.events.attendance import get_event

        event = get_event(event_id, self.store)
        if event is None:
            raise NotFound("There is no such event.")
        return event

    def plan_event(self, event_id: str, title: str, ends_at: datetime) -> None:
        """A newly published event gets the default follow-ups (once: a redelivery changes nothing)."""
        if self.repo.plan(event_id) is not None:
            return
        change = domain.replan(None, ends_at, settings().followup_days)
        with suppress(ConditionFailed):  # planned by a concurrent delivery or by the team a moment ago
            self.repo.save_plan(event_id, title, ends_at, change, by="default", now=utcnow(), new=True)

    def event_moved(self, event_id: str) -> None:
        """The event's times changed: unstarted follow-ups move with its end."""
        from functions.events.attendance import get_event

        plan = self.repo.plan(event_id)
        event = get_event(event_id, self.store)
        if plan is None or event is None or plan.ends_at == event.ends_at:
            return
        change = domain.replan(plan, event.ends_at, [d.day for d in plan.days])
        self.repo.save_plan(event_id, event.title, event.ends_at, change, by="moved", now=utcnow(), new=False)

    def plan(self, event_id: str, user: User) -> Plan:
        """The event's follow-ups as the team sees them (the defaults, if never planned)."""
        user.require_staff()
        plan = self.repo.plan(event_id)
        if plan is not None:
            return plan
        event = self._event(event_id)
        days = tuple(domain.FollowupDay(d, domain.due_at(event.ends_at, d)) for d in settings().followup_days)
        return Plan(event_id, event.title, event.ends_at, days)

    def set_days(self, event_id: str, days: Iterable[int], user: User) -> Plan:
        user.require_staff()
        event = self._event(event_id)
        plan = self.repo.plan(event_id)
        wanted = sorted(set(days))
        started = sorted(set(plan.started) - set(wanted)) if plan else []
        if started:
            raise InvalidInput(
                f"The follow-up {started[0]} days after has already been sent, so it stays.", field="days"
            )
        change = domain.replan(plan, event.ends_at, wanted)
        try:
            self.repo.save_plan(
                event_id, event.title, event.ends_at, change, by=user.email, now=utcnow(), new=plan is None
            )
        except ConditionFailed:
            raise Conflict("The follow-ups changed meanwhile (one may have just been sent): look again.") from None
        return self.plan(event_id, user)

    # -- the schedule and the emails ------------------------------------------------------------------
    def start_due(self, now: datetime | None = None) -> int:
        """Start every follow-up due by now, each once (a conditional write): its event goes out."""
        now = now or utcnow()
        started = 0
        for event_id, day in self.repo.due(now):
            plan = self.repo.plan(event_id)
            title = plan.title if plan else ""
            if self.repo.start(event_id, day, now, [FollowupStarted(gathering_id=event_id, day=day, title=title)]):
                started += 1
        return started

    def send(self, started: FollowupStarted, send_one: Callable[[Signup, Event, str], None]) -> int:
        """Email each attendee once: a marker per (event, day, attendee), read in one Query, so a
        redelivery (or a retry after a failure part-way) emails only those not yet emailed."""
        from functions.events.attendance import confirmed_attendees, get_event

        event = get_event(started.gathering_id, self.store)
        if event is None or event.status == ListingStatus.CANCELLED:
            logger.info("follow-up %s/%s: the event is gone or cancelled", started.gathering_id, started.day)
            return 0
        done = self.repo.sent_to(started.gathering_id, started.day)
        sent = 0
        for signup in domain.recipients(confirmed_attendees(started.gathering_id, self.store)):
            if signup.member_id in done or not signup.email:
                continue
            token = tokens.issue(PURPOSE, signup.member_id, event_id=started.gathering_id, day=started.day)
            send_one(signup, event, token)
            self.repo.record_sent(started.gathering_id, started.day, signup.member_id, utcnow())
            sent += 1
        return sent

    # -- answering ------------------------------------------------------------------------------------
    def _conversations(self, event_id: str) -> tuple[tuple[str, str], ...]:
        from functions.openspace.repository import OpenSpaceRepository

        found = OpenSpaceRepository(self.store).conversations(event_id)
        return tuple(sorted(((c.conversation_id, c.title) for c in found), key=lambda c: c[1].lower()))

    def _invitation(self, event_id: str, day: int, member_id: str) -> Invitation:
        event = self._event(event_id)
        answer = self.repo.answer(event_id, day, member_id)
        return Invitation(event_id, event.title, day, member_id, self._conversations(event_id), answer)

    def claims(self, token: str) -> tuple[tokens.Claims, Invitation]:
        claims = tokens.verify(token, PURPOSE)
        event_id, day = str(claims.data.get("event_id", "")), claims.data.get("day")
        if not isinstance(day, int):
            raise tokens.TokenRejected("This link is not valid.", code="invalid")
        try:
            return claims, self._invitation(event_id, day, claims.subject)
        except NotFound:
            raise tokens.TokenRejected("The event this link is about no longer exists.", code="gone") from None

    def answer_by_link(self, token: str, body: AnswerBody) -> Answer:
        claims, invitation = self.claims(token)
        spend = self.store.use_token_op(claims.jti, claims.expires_at, claims.subject)
        try:
            return self._save(invitation, body, [spend])
        except ConditionFailed as failure:
            if 1 in failure.failed:
                raise tokens.TokenRejected("This link has already been used.", code="used") from None
            raise

    def invitation(self, event_id: str, day: int, user: User) -> Invitation:
        """A member's own follow-up: only one they were sent (or answered)."""
        if not self.repo.was_sent(event_id, day, user.member_id) and not self.repo.answer(
            event_id, day, user.member_id
        ):
            raise NotFound("You have no follow-up for this event.")
        return self._invitation(event_id, day, user.member_id)

    def answer_as_member(self, event_id: str, day: int, body: AnswerBody, user: User) -> Answer:
        return self._save(self.invitation(event_id, day, user), body, [])

    def _save(self, invitation: Invitation, body: AnswerBody, guards: list) -> Answer:  # type: ignore[type-arg]
        from functions.members.repository import MemberRepository

        domain.ensure_editable(invitation.answer)
        members = MemberRepository(self.store)
        member = members.by_id(invitation.member_id)
        if member is None:
            raise Forbidden("This account no longer exists.")
        conversation_title = None
        if body.conversation_id:
            conversation_title = dict(invitation.conversations).get(body.conversation_id)
            if conversation_title is None:
                raise InvalidInput("Choose one of the event's conversations, or none.", field="conversation_id")
        now = utcnow()
        before = invitation.answer
        answer = Answer(
            event_id=invitation.event_id,
            day=invitation.day,
            member_id=invitation.member_id,
            event_title=invitation.event_title,
            text=body.text,
            consent=body.consent,
            name=display_name(member.name),
            answered_at=before.answered_at if before else now,
            updated_at=now,
            conversation_id=body.conversation_id,
            conversation_title=conversation_title,
        )
        # Guards after the answer (index 0): the link spent (1), the member still there.
        try:
            self.repo.save_answer(answer, [*guards, members.exists_check(invitation.member_id)])
        except ConditionFailed as failure:
            if 0 in failure.failed:
                raise domain.AnswerLocked from None
            if len(guards) + 1 in failure.failed:
                raise Forbidden("This account no longer exists.") from None
            raise
        return answer

    def my_answers(self, user: User) -> list[Answer]:
        return sorted(self.repo.answers_of(user.member_id), key=lambda a: a.answered_at, reverse=True)

    def my_invitations(self, user: User) -> list[tuple[str, int]]:
        """Follow-ups the member was sent and has not answered (event id, day)."""
        items = self.repo.of_member(user.member_id)
        answered = {(i["event_id"], int(i["day"])) for i in items if i["sk"].startswith("ANSWER#")}
        sent = [(i["event_id"], int(i["day"])) for i in items if i["sk"].startswith("SENT#")]
        return [s for s in sent if s not in answered]

    # -- the team ---------------------------------------------------------------------------------------
    def answers(self, event_id: str, user: User) -> tuple[list[Answer], int]:
        """Answers whose authors agreed to publication, and how many others (not shown)."""
        user.require_staff()
        everything = self.repo.answers(event_id)
        shown = sorted((a for a in everything if a.publishable), key=lambda a: a.answered_at)
        return shown, len(everything) - len(shown)

    def publish(self, event_id: str, answer_id: str, user: User) -> Takeaway:
        user.require_staff()
        day, member_id = domain.parse_answer_id(answer_id)
        answer = domain.ensure_publishable(self.repo.answer(event_id, day, member_id))
        takeaway = domain.takeaway_of(answer, new_id("tk"), utcnow())
        event = TakeawayPublished(
            gathering_id=event_id,
            day=day,
            answer_id=answer.answer_id,
            takeaway_id=takeaway.takeaway_id,
            event_title=answer.event_title,
            text=answer.text,
            name=takeaway.name,
            named_member_id=takeaway.named_member_id,
            published_by=user.email,
            origins=domain.origins_of(answer),
        )
        try:
            self.repo.publish(answer, takeaway, user.email, [event])
        except ConditionFailed:
            raise Conflict("The answer changed or was published meanwhile: look again.") from None
        return takeaway

    def takeaways(self, event_id: str) -> list[Takeaway]:
        """Published takeaways, oldest first: one Query (the event's page shows them)."""
        return self.repo.takeaways(event_id)


def takeaways_of(event_id: str, store: Store | None = None) -> list[Takeaway]:
    """For the events area's event page: the event's published takeaways (one Query)."""
    return FollowupRepository(store).takeaways(event_id)


__all__ = ["FollowupService", "Invitation", "takeaways_of"]
