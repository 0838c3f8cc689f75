"""Open Space use cases: one call, one thing a person (or the schedule) does."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from functions.common import tokens
from functions.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from functions.common.http import User
from functions.common.ids import new_id, utcnow
from functions.common.store import ConditionFailed, Store
from functions.events.attendance import confirmed_attendees, get_event, holds_place
from functions.events.domain import Event
from functions.members.model import display_name
from schemas.api.openspace import AddToHarvest, PinConversation, ProposeConversation, RecordHarvest
from schemas.text import one_line

from . import domain
from .domain import CoHost, Conversation, Layout
from .repository import OpenSpaceRepository

# The area's domain events (schemas.events.openspace) are imported by the changes that announce
# them: reads (the agenda, the marketplace, a cold start) build none of their models.

MARKETPLACE_CLOSED = "marketplace_closed"
STAFF = "staff"


@dataclass(frozen=True)
class Marketplace:
    event: Event
    layout: Layout
    conversations: list[Conversation]
    marked: set[str]
    open: bool
    agenda: dict[str, Any] | None


class AgendaNotBuilt(NotFound):
    """No agenda yet: there is nothing at its address until the team builds it."""


class OpenSpaceService:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.repo = OpenSpaceRepository(self.store)

    # -- reading ----------------------------------------------------------------------------------
    def event(self, event_id: str) -> tuple[Event, Layout]:
        event = get_event(event_id, self.store)
        if event is None:
            raise NotFound("There is no such event.")
        return event, domain.layout(event)

    def conversation(self, event_id: str, conversation_id: str) -> Conversation:
        valid = conversation_id.startswith("conv_") and len(conversation_id) < 64
        found = self.repo.get(event_id, conversation_id) if valid else None
        if found is None:
            raise NotFound("There is no such conversation.")
        return found

    def _claimed(self, claims: tokens.Claims) -> Conversation:
        return self.conversation(str(claims.data.get("event_id", "")), str(claims.data.get("conversation_id", "")))

    def marketplace(self, event_id: str, user: User | None) -> Marketplace:
        event, lay = self.event(event_id)
        conversations = sorted(self.repo.conversations(event_id), key=lambda c: (c.proposed_at, c.conversation_id))
        marked = self.repo.marked_by(event_id, user.email.lower()) if user else set()
        return Marketplace(
            event, lay, conversations, marked, domain.marketplace_open(event, utcnow()), self.repo.agenda(event_id)
        )

    def _ensure_attending(self, event_id: str, user: User) -> None:
        if not (user.is_staff or holds_place(event_id, user.member_id, self.store)):
            raise Forbidden("Only people with a confirmed place at this event can do this.")

    # -- marketplace ------------------------------------------------------------------------------
    def propose(self, event_id: str, body: ProposeConversation, user: User) -> Conversation:
        event, lay = self.event(event_id)
        self._ensure_attending(event_id, user)
        now = utcnow()
        domain.ensure_open(event, now)
        email = user.email.lower()
        co_hosts = tuple(CoHost(e) for e in body.co_host_emails if e != email)
        conversation = Conversation(
            event_id=event_id,
            conversation_id=new_id("conv"),
            title=body.title,
            question=body.question,
            themes=tuple(body.themes),
            host_email=email,
            host_name=display_name(user.name),
            host_member_id=user.member_id,
            proposed_at=now,
            co_hosts=co_hosts,
        )
        from schemas.events.openspace import ConversationProposed

        proposed = ConversationProposed(
            gathering_id=event_id,
            conversation_id=conversation.conversation_id,
            title=conversation.title,
            question=conversation.question,
            host_name=conversation.host_name,
            co_host_emails=[c.email for c in co_hosts],
            themes=list(conversation.themes),
            host_member_id=user.member_id,
        )
        self.repo.propose(conversation, lay.closes_at, [proposed])
        return conversation

    def co_host_claims(self, token: str) -> tuple[tokens.Claims, Conversation]:
        claims = tokens.verify(token, "openspace-cohost")
        conversation = self.conversation(
            str(claims.data.get("event_id", "")), str(claims.data.get("conversation_id", ""))
        )
        if conversation.co_host(claims.subject) is None:
            raise tokens.TokenRejected(
                "You are no longer named as a co-host of this conversation.", code="wrong-subject"
            )
        return claims, conversation

    def confirm_co_host(self, token: str, name: str) -> Conversation:
        claims, conversation = self.co_host_claims(token)
        email = claims.subject
        co_host = conversation.co_host(email)
        if co_host is not None and co_host.confirmed:
            return conversation
        cleaned = one_line(unicodedata.normalize("NFC", name))[:80]
        confirmed = conversation.confirming(email, display_name(cleaned))
        from schemas.events.openspace import CoHostConfirmed

        event = CoHostConfirmed(
            gathering_id=conversation.event_id,
            conversation_id=conversation.conversation_id,
            title=conversation.title,
            co_host_email=email,
        )
        try:
            self.repo.confirm_co_host(confirmed, email, (claims.jti, claims.expires_at), [event])
        except ConditionFailed as failure:
            if 1 in failure.failed:
                raise tokens.TokenRejected("This link has already been used.", code="used") from None
            raise NotFound("There is no such conversation.") from None
        return confirmed

    def mark(self, event_id: str, conversation_id: str, user: User, *, wanted: bool = True) -> Conversation:
        event, _ = self.event(event_id)
        self._ensure_attending(event_id, user)
        if utcnow() >= event.ends_at:
            raise domain.MarketplaceClosed("This event has ended.")
        self.conversation(event_id, conversation_id)
        email = user.email.lower()
        if wanted:
            self.repo.mark(event_id, conversation_id, email, user.member_id)
        else:
            self.repo.unmark(event_id, conversation_id, email, user.member_id)
        return self.conversation(event_id, conversation_id)

    # -- agenda -----------------------------------------------------------------------------------
    def pin(self, event_id: str, conversation_id: str, body: PinConversation, user: User) -> Conversation:
        if not user.is_staff:
            raise Forbidden("Only the community team can do this.")
        _, lay = self.event(event_id)
        self.conversation(event_id, conversation_id)
        if body.slot_id is not None and lay.slot(body.slot_id) is None:
            raise InvalidInput("There is no such time slot at this event.", field="slot_id")
        if body.space_id is not None and lay.space(body.space_id) is None:
            raise InvalidInput("There is no such space at this event.", field="space_id")
        # Refuse pins that cannot all hold now, not at the next build.
        conversations = [
            c if c.conversation_id != conversation_id else _pinned(c, body) for c in self.repo.conversations(event_id)
        ]
        try:
            domain.build(lay, conversations, {}, {})
        except _pin_conflict() as conflict:
            raise Conflict(str(conflict)) from None
        self.repo.pin(event_id, conversation_id, body.slot_id, body.space_id)
        return self.conversation(event_id, conversation_id)

    def build_agenda(self, event_id: str, trigger: str, user: User | None = None) -> dict[str, Any]:
        """Build and publish a new version of the agenda (staff, or the schedule at closing)."""
        if trigger == STAFF and (user is None or not user.is_staff):
            raise Forbidden("Only the community team can do this.")
        event, lay = self.event(event_id)
        if not lay.slots or not lay.spaces:
            raise Conflict("Give the event its time slots and spaces before building the agenda.")
        now = utcnow()
        current = self.repo.agenda(event_id)
        previous = {
            p["conversation_id"]: (p["slot_id"], p["space_id"])
            for p in (current or {}).get("body", {}).get("placements", [])
        }
        # A conversation whose slot has started stays where people went to it.
        started = {s.slot_id for s in lay.slots if s.starts_at <= now}
        conversations = [
            replace(c, pinned_slot=previous[c.conversation_id][0], pinned_space=previous[c.conversation_id][1])
            if previous.get(c.conversation_id, ("", ""))[0] in started
            else c
            for c in self.repo.conversations(event_id)
        ]
        try:
            built = domain.build(lay, conversations, self.repo.marks(event_id), previous)
        except _pin_conflict() as conflict:
            raise Conflict(str(conflict)) from None
        version = int(current["version"]) + 1 if current else 1
        body = _agenda_body(built.agenda)
        ends = {s.slot_id: s.ends_at for s in lay.slots}
        due = {
            p.conversation_id: ends[p.slot_id]
            for p in built.agenda.placements
            if next(c for c in conversations if c.conversation_id == p.conversation_id).harvested_at is None
        }
        from schemas.events.openspace import OpenSpaceAgendaPublished

        published = OpenSpaceAgendaPublished(
            gathering_id=event_id,
            title=event.title,
            version=version,
            first=current is None,
            changed=built.changed,
            trigger=trigger,
        )
        try:
            self.repo.publish_agenda(
                event_id, version=version, body=body, built_at=now, harvest_due=due, events=[published]
            )
        except ConditionFailed:
            raise Conflict("The agenda was rebuilt by someone else at the same moment. Try again.") from None
        return {"version": version, "built_at": now, **body}

    def agenda(self, event_id: str) -> tuple[Event, Layout, dict[str, Any], dict[str, Conversation]]:
        event, lay = self.event(event_id)
        stored = self.repo.agenda(event_id)
        if stored is None:
            raise AgendaNotBuilt("The agenda has not been built yet.")
        conversations = {c.conversation_id: c for c in self.repo.conversations(event_id)}
        body = {
            "version": int(stored["version"]),
            "built_at": datetime.fromisoformat(stored["built_at"]),
            **stored["body"],
        }
        return event, lay, body, conversations

    def close_marketplaces(self) -> list[str]:
        """The schedule: build the agenda of every event whose marketplace has closed."""
        built = []
        for event_id in self.repo.closing(utcnow()):
            try:
                self.build_agenda(event_id, MARKETPLACE_CLOSED)
            except (Conflict, NotFound):
                continue
            built.append(event_id)
        return built

    # -- harvest ----------------------------------------------------------------------------------
    def request_harvests(self) -> int:
        """The schedule: each conversation whose slot has ended gets its harvest link sent once."""
        now = utcnow()
        sent = 0
        for event_id, conversation_id in self.repo.harvests_due(now):
            conversation = self.repo.get(event_id, conversation_id)
            if conversation is None:
                continue
            from schemas.events.openspace import ConversationEnded

            ended = ConversationEnded(
                gathering_id=event_id,
                conversation_id=conversation_id,
                title=conversation.title,
                host_emails=[e for e in conversation.host_emails if e],
            )
            sent += self.repo.request_harvest(conversation, now, [ended])
        return sent

    def harvest_claims(self, token: str) -> tuple[tokens.Claims, Conversation]:
        claims = tokens.verify(token, "openspace-harvest")
        conversation = self.conversation(
            str(claims.data.get("event_id", "")), str(claims.data.get("conversation_id", ""))
        )
        if not conversation.is_host(claims.subject):
            raise tokens.TokenRejected("You are no longer a host of this conversation.", code="wrong-subject")
        return claims, conversation

    def harvest_by_link(self, token: str, body: RecordHarvest) -> Conversation:
        claims, conversation = self.harvest_claims(token)
        spend = self.store.use_token_op(claims.jti, claims.expires_at, claims.subject)
        try:
            return self._harvest(conversation, body, claims.subject, spend)
        except ConditionFailed as failure:
            if 1 in failure.failed:
                raise tokens.TokenRejected("This link has already been used.", code="used") from None
            raise

    def harvest_as_host(self, event_id: str, conversation_id: str, body: RecordHarvest, user: User) -> Conversation:
        conversation = self.conversation(event_id, conversation_id)
        domain.ensure_host(conversation, user.email, staff=user.is_staff)
        return self._harvest(conversation, body, user.email.lower(), None)

    def _harvest(self, conversation: Conversation, body: RecordHarvest, by: str, spend: Any) -> Conversation:
        names = {conversation.host_email: conversation.host_name}
        names.update((c.email, c.name) for c in conversation.co_hosts if c.confirmed)
        from schemas.events.openspace import ConversationHarvested

        event = ConversationHarvested(
            gathering_id=conversation.event_id,
            conversation_id=conversation.conversation_id,
            title=conversation.title,
            by_name=names.get(by, "The community team"),
        )
        self.repo.record_harvest(conversation, body.model_dump(), utcnow(), spend, [event])
        return self.conversation(conversation.event_id, conversation.conversation_id)

    def add_to_harvest(self, event_id: str, conversation_id: str, body: AddToHarvest, user: User) -> Conversation:
        self._ensure_attending(event_id, user)
        conversation = self.conversation(event_id, conversation_id)
        name = display_name(user.name)
        from schemas.events.openspace import ConversationHarvested

        event = ConversationHarvested(
            gathering_id=event_id,
            conversation_id=conversation_id,
            title=conversation.title,
            by_name=name,
            addition=True,
        )
        addition = domain.Addition(user.email.lower(), name, body.text)
        self.repo.add_to_harvest(conversation, addition, [event])
        return self.conversation(event_id, conversation_id)

    # -- proceedings ------------------------------------------------------------------------------
    def proceedings(self, event_id: str, user: User | None) -> tuple[Event, list[Conversation], datetime | None]:
        event, _ = self.event(event_id)
        published = self.repo.proceedings(event_id)
        if published is None and not (user and user.is_staff):
            raise NotFound("The proceedings of this event have not been published yet.")
        harvested = [c for c in self.repo.conversations(event_id) if c.harvested_at or c.additions]
        harvested.sort(key=lambda c: (c.proposed_at, c.conversation_id))
        return event, harvested, datetime.fromisoformat(published["published_at"]) if published else None

    def publish_proceedings(self, event_id: str, user: User) -> datetime:
        if not user.is_staff:
            raise Forbidden("Only the community team can do this.")
        event, harvested, published_at = self.proceedings(event_id, user)
        if published_at is not None:
            return published_at
        if not harvested:
            raise Conflict("No conversation has been harvested yet: there is nothing to publish.")
        now = utcnow()
        from schemas.events.openspace import OpenSpaceProceedingsPublished

        published = OpenSpaceProceedingsPublished(gathering_id=event_id, title=event.title, harvests=len(harvested))
        try:
            self.repo.publish_proceedings(event_id, now, user.email, [published])
        except ConditionFailed:
            stored = self.repo.proceedings(event_id)
            return datetime.fromisoformat(stored["published_at"]) if stored else now
        return now

    # -- who is told ------------------------------------------------------------------------------
    def attendees(self, event_id: str) -> list[tuple[str, str]]:
        return [(s.email, s.name) for s in confirmed_attendees(event_id, self.store) if s.email]


def _pinned(conversation: Conversation, body: PinConversation) -> Conversation:
    return replace(conversation, pinned_slot=body.slot_id, pinned_space=body.space_id)


def _agenda_body(agenda: Any) -> dict[str, Any]:
    return {
        "attendee_clashes": agenda.attendee_clashes,
        "seats_short": agenda.seats_short,
        "first_come_clashes": agenda.first_come_clashes,
        "summary": list(agenda.summary),
        "placements": [
            {**{k: v for k, v in asdict(p).items() if k != "clashes"}, "clashes": [asdict(c) for c in p.clashes]}
            for p in agenda.placements
        ],
        "unplaced": [asdict(u) for u in agenda.unplaced],
    }


def _pin_conflict() -> type[Exception]:
    from .agenda import PinConflict

    return PinConflict
