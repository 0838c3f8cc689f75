"""A member's data in comments: the comments they wrote (with their state), the comments they
reported (with their reason) and whether the team has approved them as a commenter.

Erasure deletes their comments outright, whatever their state (the text is theirs; nothing of
others hangs on it), with the reports about them; deletes their reports of others' comments
(the comment keeps its count, without who reported it) and their approval. ``CommentsErased``
lets the team's lists drop the deleted comments.
"""

from __future__ import annotations

from typing import Any

from functions.common.store import Store
from functions.members.model import Member
from schemas.events.comments import CommentsErased

from .repository import CommentRepository


def export(member: Member, store: Store) -> dict[str, Any]:
    repo = CommentRepository(store)
    return {
        "comments": [
            {
                "comment_id": c.comment_id,
                "on": c.target_title,
                "page": c.target_url,
                "text": c.text,
                "name_shown": c.author_name,
                "status": c.status.value,
                "posted_at": c.created_at,
            }
            for c in repo.by_member(member.member_id)
        ],
        "comments_reported": [
            {"comment_id": r.get("comment_id", ""), "reason": r.get("reason", ""), "reported_at": r.get("reported_at")}
            for r in repo.reports_by(member.member_id)
        ],
        "approved_commenter": repo.is_approved(member.member_id),
    }


def erase(member: Member, store: Store) -> None:
    CommentRepository(store).erase_member(member.member_id, lambda ids: CommentsErased(comment_ids=ids))
