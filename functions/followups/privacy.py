"""A member's data in follow-ups: the follow-ups they were sent, their answers, and the
takeaways published with their name.

Erasure deletes their invitations and answers; a takeaway already published stays (the event's
page, the newsletter and the story rely on it) without their name, as an anonymous one.
"""

from __future__ import annotations

from typing import Any

from functions.common.store import Store
from functions.members.model import Member

from .repository import FollowupRepository


def export(member: Member, store: Store) -> dict[str, Any]:
    items = FollowupRepository(store).of_member(member.member_id)
    sent = [
        {"event_id": i["event_id"], "day": int(i["day"]), "sent_at": i.get("sent_at")}
        for i in items
        if i["sk"].startswith("SENT#")
    ]
    answers = [
        {
            "event_id": i["event_id"],
            "event_title": i.get("event_title", ""),
            "day": int(i["day"]),
            "text": i["text"],
            "consent": i["consent"],
            "name": i.get("name", ""),
            "conversation_title": i.get("conversation_title"),
            "answered_at": i.get("answered_at"),
            "updated_at": i.get("updated_at"),
            "used_at": i.get("used_at"),
        }
        for i in items
        if i["sk"].startswith("ANSWER#")
    ]
    published = [
        {"event_id": i["event_id"], "text": i["text"], "name": i.get("name"), "published_at": i.get("published_at")}
        for i in items
        if i["sk"].startswith("TAKEAWAY#")
    ]
    return {"followups_sent": sent, "followup_answers": answers, "takeaways_published_with_your_name": published}


def erase(member: Member, store: Store) -> None:
    FollowupRepository(store).forget(member.member_id)
