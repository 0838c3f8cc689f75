"""Demo Open Space conversations on every upcoming demo event that runs as Open Space (the
Bristol and Leeds community events, when the events demo seeds them): the topics members hosted
at Q's 2022 events (shared/notes/domain.md), hosted by the demo members, with a few interest
marks. Loaded silently: no event, so no email; the agenda is the team's to build."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runtime import LocalRuntime

TOPICS = (
    ("How we relate across difference", "How do we relate to each other across difference, in teams and communities?"),
    (
        "Effective collaboration with different accessibility needs",
        "How do we collaborate well with people whose accessibility needs differ from ours?",
    ),
    (
        "How different organisations can work together",
        "How can different organisations work together to effect improvement across the wider patch?",
    ),
    ("Making collaboration fully inclusive", "What would make our collaboration fully inclusive?"),
    (
        "Involving patients and populations in the wider patch",
        "How do we meaningfully involve patients and populations in the wider patch?",
    ),
    ("Responding to failure", "How do we respond to failure honestly, openly and safely?"),
    ("Cultivating kindness", "How do we cultivate kindness in teams under pressure?"),
)


def seed(runtime: LocalRuntime) -> None:
    from functions.events.repository import EventRepository
    from functions.members.repository import MemberRepository
    from functions.openspace.domain import Conversation
    from functions.openspace.repository import OpenSpaceRepository

    from .demo import DEMO_MEMBERS

    members = MemberRepository()
    hosts = [(email, name, members.by_email(email)) for email, name in DEMO_MEMBERS]
    hosts = [(email, name, member) for email, name, member in hosts if member is not None]
    if not hosts:
        return
    repo = OpenSpaceRepository()
    now = datetime.now(UTC)
    for event in EventRepository().upcoming(now):
        if event.open_space is None or repo.conversations(event.event_id):
            continue
        for i, (title, question) in enumerate(TOPICS):
            email, name, member = hosts[i % len(hosts)]
            conversation = Conversation(
                event_id=event.event_id,
                conversation_id=f"conv_demo{i + 1}_{event.event_id[-6:]}",
                title=title,
                question=question,
                themes=(),
                host_email=email,
                host_name=name,
                host_member_id=member.member_id,  # type: ignore[union-attr]
                proposed_at=now - timedelta(hours=len(TOPICS) - i),
            )
            closes = event.open_space.marketplace_closes_at or event.ends_at
            repo.propose(conversation, closes, [])
            for j, (marker, _, marker_member) in enumerate(hosts):
                if (i + j) % 3 == 0 and marker != email:
                    repo.mark(event.event_id, conversation.conversation_id, marker, marker_member.member_id)  # type: ignore[union-attr]
