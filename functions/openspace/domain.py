"""Open Space at an event: the rules of the marketplace, the agenda and the harvest (plain Python).

- **Marketplace.** Anyone with a confirmed place on an event that runs as Open Space proposes a
  conversation (title, question, themes) until the marketplace closes (``marketplace_closes_at``,
  or the end of the event when none is set). Co-hosts named by email are co-hosts only once they
  confirm from the link emailed to them. Attendees mark the conversations they want to join.
- **Agenda.** Built by :mod:`functions.openspace.agenda` from the event's slots and spaces, the
  conversations, their confirmed hosts and the marks; each build is a new published version.
- **Harvest.** When its slot ends, a conversation's hosts are emailed a link to record what was
  discussed, the next steps and who wants to keep going; anyone with a place can add to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from functions.common.errors import Conflict, Forbidden, NotFound
from functions.events.domain import Event
from functions.events.domain import OpenSpace as Settings
from functions.members.model import display_name

if TYPE_CHECKING:
    from . import agenda as builder


LONDON = ZoneInfo("Europe/London")


class MarketplaceClosed(Conflict):
    """No more conversations (or marks) after the marketplace has closed."""


@dataclass(frozen=True)
class CoHost:
    email: str
    name: str = ""
    confirmed: bool = False


@dataclass(frozen=True)
class Addition:
    """What a participant added to a harvest; ``by`` (their address) only for export and erasure."""

    by: str
    name: str
    text: str

    def __str__(self) -> str:
        return f"{self.name}: {self.text}"


@dataclass(frozen=True)
class Conversation:
    event_id: str
    conversation_id: str
    title: str
    question: str
    themes: tuple[str, ...]
    host_email: str
    host_name: str
    host_member_id: str
    proposed_at: datetime
    co_hosts: tuple[CoHost, ...] = ()
    interested: int = 0
    pinned_slot: str | None = None
    pinned_space: str | None = None
    discussed: str = ""
    next_steps: str = ""
    keep_going: str = ""
    additions: tuple[Addition, ...] = ()
    harvested_at: datetime | None = None

    @property
    def host_emails(self) -> list[str]:
        """The host and the co-hosts who have confirmed: only they are treated as hosts (an
        erased host has no address left, and is no one's clash)."""
        return [e for e in (self.host_email, *(c.email for c in self.co_hosts if c.confirmed)) if e]

    @property
    def host_names(self) -> list[str]:
        return [display_name(self.host_name), *(display_name(c.name) for c in self.co_hosts if c.confirmed)]

    def is_host(self, email: str) -> bool:
        return email.lower() in self.host_emails

    def co_host(self, email: str) -> CoHost | None:
        return next((c for c in self.co_hosts if c.email == email.lower()), None)

    def confirming(self, email: str, name: str) -> Conversation:
        co_hosts = tuple(replace(c, confirmed=True, name=name) if c.email == email else c for c in self.co_hosts)
        return replace(self, co_hosts=co_hosts)


@dataclass(frozen=True)
class AgendaSlot:
    slot_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class AgendaSpace:
    space_id: str
    name: str
    capacity: int
    online: bool


@dataclass(frozen=True)
class Layout:
    """An event's slots and spaces with stable ids (pins and placements refer to them)."""

    slots: tuple[AgendaSlot, ...] = ()
    spaces: tuple[AgendaSpace, ...] = ()
    closes_at: datetime | None = None

    def slot(self, slot_id: str) -> AgendaSlot | None:
        return next((s for s in self.slots if s.slot_id == slot_id), None)

    def space(self, space_id: str) -> AgendaSpace | None:
        return next((s for s in self.spaces if s.space_id == space_id), None)


def slot_id(starts_at: datetime) -> str:
    return f"{starts_at:%Y%m%dT%H%M}"


def space_id(name: str) -> str:
    return "-".join(name.casefold().split())[:120]


def layout(event: Event) -> Layout:
    settings: Settings | None = event.open_space
    if settings is None:
        raise NotFound("This event does not run as Open Space.")
    ordered = sorted(settings.slots, key=lambda s: s.starts_at)
    slots = tuple(AgendaSlot(slot_id(s.starts_at), s.starts_at, s.ends_at) for s in ordered)
    spaces = tuple(AgendaSpace(space_id(s.name), s.name, s.capacity, s.online) for s in settings.spaces)
    return Layout(slots, spaces, settings.marketplace_closes_at or event.ends_at)


def marketplace_open(event: Event, now: datetime) -> bool:
    closes = layout(event).closes_at
    return event.status.value == "published" and (closes is None or now < closes) and now < event.ends_at


def ensure_open(event: Event, now: datetime) -> None:
    if not marketplace_open(event, now):
        raise MarketplaceClosed("The marketplace for this event has closed.")


def ensure_host(conversation: Conversation, email: str, *, staff: bool = False) -> None:
    if not (staff or conversation.is_host(email)):
        raise Forbidden("Only the conversation's hosts can do this.")


@dataclass(frozen=True)
class Built:
    agenda: builder.Agenda
    changed: list[str] = field(default_factory=list)


def build(
    lay: Layout, conversations: list[Conversation], marks: dict[str, set[str]], previous: dict[str, tuple[str, str]]
) -> Built:
    """The agenda for these conversations; ``marks`` are the emails that marked each
    conversation, ``previous`` the (slot, space) of each in the last published version."""
    from . import agenda as builder  # the search is needed only when building: not at cold start

    inputs = [
        builder.Conversation(
            id=c.conversation_id,
            title=c.title,
            hosts=frozenset(c.host_emails),
            interested=frozenset(marks.get(c.conversation_id, set())),
            proposed=c.proposed_at.isoformat(),
            pinned_slot=c.pinned_slot if c.pinned_slot and lay.slot(c.pinned_slot) else None,
            pinned_space=c.pinned_space if c.pinned_space and lay.space(c.pinned_space) else None,
        )
        for c in conversations
    ]
    slots = [builder.Slot(s.slot_id, f"{s.starts_at.astimezone(LONDON):%H:%M}") for s in lay.slots]
    spaces = [builder.Space(s.space_id, s.name, s.capacity, s.online) for s in lay.spaces]
    result = builder.build_agenda(inputs, slots, spaces)
    now = {p.conversation_id: (p.slot_id, p.space_id) for p in result.placements}
    changed = sorted(cid for cid in {*now, *previous} if now.get(cid) != previous.get(cid))
    return Built(result, changed)
