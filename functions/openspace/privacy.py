"""A member's data in Open Space: the conversations they host or co-host and the ones they marked.

Erasure removes their marks (the counts move with them), takes their name and address off the
conversations they host (the conversation and its harvest stay, as "Former member"'s, because
other attendees rely on them) and drops them as a co-host.
"""

from __future__ import annotations

from typing import Any

from functions.common.store import Store
from functions.members.model import Member

from .repository import OpenSpaceRepository


def export(member: Member, store: Store) -> dict[str, Any]:
    repo = OpenSpaceRepository(store)
    email = member.email.lower()
    hosted: list[dict[str, Any]] = []
    marked: list[dict[str, Any]] = []
    added: list[dict[str, Any]] = []
    for event_id in repo.events_of(email):
        mine = repo.marked_by(event_id, email)
        for c in repo.conversations(event_id):
            if c.host_email == email or c.co_host(email):
                hosted.append(
                    {
                        "event_id": event_id,
                        "conversation_id": c.conversation_id,
                        "title": c.title,
                        "question": c.question,
                        "role": "host" if c.host_email == email else "co-host",
                        "proposed_at": c.proposed_at.isoformat(),
                    }
                )
            added.extend(
                {"event_id": event_id, "conversation_id": c.conversation_id, "title": c.title, "text": a.text}
                for a in c.additions
                if a.by == email
            )
            if c.conversation_id in mine:
                marked.append({"event_id": event_id, "conversation_id": c.conversation_id, "title": c.title})
    return {"conversations_hosted": hosted, "conversations_marked": marked, "added_to_harvests": added}


def erase(member: Member, store: Store) -> None:
    repo = OpenSpaceRepository(store)
    email = member.email.lower()
    for event_id in repo.events_of(email):
        repo.forget(event_id, email)
