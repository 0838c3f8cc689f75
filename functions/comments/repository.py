"""Comments in the main table.

| item | pk | sk |
| --- | --- | --- |
| a comment | `COMMENT#<id>` | `COMMENT` |
| a report of it | `COMMENT#<id>` | `REPORT#<member id>` |
| an approved commenter | `COMMENTER#<member id>` | `COMMENTER` |
| an email sent (per event and recipient, 30 days) | `COMMENTMAIL#<event id>` | `<pseudonym>` |

A comment's indexes (`<when>#<id>` sorts each): gsi1 `COMMENTSBY#<member id>` (the member's, for
export and erasure); gsi2 `COMMENTS#<target>` (the thread: only while shown); gsi3
`COMMENTQUEUE#held` or `COMMENTQUEUE#reported` (the team's queues: only while waiting). A report's
gsi1 is `COMMENTREPORTSBY#<member id>`.

gsi2 and gsi3 are sparse: a comment is in its target's thread only while it is shown, and in a
queue only while it waits for the team, so every read returns all it reads (no filter).
"""

from __future__ import annotations

import time
from typing import Any

from functions.common.store import (
    NOT_EXISTS,
    ConditionFailed,
    Delete,
    Operation,
    Put,
    Store,
    Update,
)
from schemas.events.base import DomainEvent

from .domain import Comment, Status

HELD_QUEUE = "COMMENTQUEUE#held"
REPORTED_QUEUE = "COMMENTQUEUE#reported"
_MAIL_MARKER_SECONDS = 30 * 24 * 3600


def comment_key(comment_id: str) -> dict[str, str]:
    return {"pk": f"COMMENT#{comment_id}", "sk": "COMMENT"}


def thread_pk(target: str) -> str:
    return f"COMMENTS#{target}"


def _order(comment: Comment) -> str:
    return f"{comment.created_at}#{comment.comment_id}"


def _comment(item: dict[str, Any]) -> Comment:
    return Comment(
        comment_id=str(item["comment_id"]),
        target=str(item["target"]),
        target_title=str(item.get("target_title", "")),
        author_id=str(item.get("author_id", "")),
        author_name=str(item.get("author_name", "")),
        text=str(item.get("text", "")),
        status=Status(str(item["status"])),
        created_at=str(item["created_at"]),
        reports=int(item.get("reports", 0)),
        decided_at=str(item.get("decided_at", "")),
        decided_by=str(item.get("decided_by", "")),
        hidden_reason=str(item.get("hidden_reason", "")),
        reports_dismissed=bool(item.get("reports_dismissed", False)),
    )


class TokenAlreadyUsed(Exception):
    pass


class CommentRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # -- reads ------------------------------------------------------------------------------------
    def get(self, comment_id: str) -> Comment | None:
        if not comment_id.startswith("comment_") or len(comment_id) > 64:
            return None
        key = comment_key(comment_id)
        item = self.store.get(key["pk"], key["sk"])
        return _comment(item) if item else None

    def thread(self, target: str) -> list[Comment]:
        """The comments shown on a target, oldest first: one Query of its sparse thread index."""
        return [_comment(i) for i in self.store.query(thread_pk(target), index="gsi2")]

    def queue(self, name: str) -> list[Comment]:
        return [_comment(i) for i in self.store.query(name, index="gsi3")]

    def by_member(self, member_id: str) -> list[Comment]:
        return [_comment(i) for i in self.store.query(f"COMMENTSBY#{member_id}", index="gsi1")]

    def reports_by(self, member_id: str) -> list[dict[str, Any]]:
        return self.store.query(f"COMMENTREPORTSBY#{member_id}", index="gsi1")

    def is_approved(self, member_id: str) -> bool:
        return self.store.get(f"COMMENTER#{member_id}", "COMMENTER") is not None

    # -- writes -----------------------------------------------------------------------------------
    def add(self, comment: Comment, event: DomainEvent) -> None:
        item: dict[str, Any] = {
            **comment_key(comment.comment_id),
            "comment_id": comment.comment_id,
            "target": comment.target,
            "target_title": comment.target_title,
            "author_id": comment.author_id,
            "author_name": comment.author_name,
            "text": comment.text,
            "status": comment.status.value,
            "created_at": comment.created_at,
            "reports": 0,
            "gsi1pk": f"COMMENTSBY#{comment.author_id}",
            "gsi1sk": _order(comment),
        }
        if comment.status == Status.PUBLISHED:
            item.update(gsi2pk=thread_pk(comment.target), gsi2sk=_order(comment))
        else:
            item.update(gsi3pk=HELD_QUEUE, gsi3sk=_order(comment))
        self.store.write([Put(item, NOT_EXISTS)], [event])

    def decide(self, decided: Comment, event: DomainEvent, spend: Put | None) -> None:
        """Held -> published (the author is approved from now on) or rejected; once only. Raises
        ``ConditionFailed`` if it was decided meanwhile, ``TokenAlreadyUsed`` if the link was spent."""
        values: dict[str, Any] = {
            ":status": decided.status.value,
            ":held": Status.HELD.value,
            ":by": decided.decided_by,
            ":at": decided.decided_at,
        }
        expression = "SET #status = :status, decided_by = :by, decided_at = :at"
        if decided.status == Status.PUBLISHED:
            expression += ", gsi2pk = :thread, gsi2sk = :order"
            values.update({":thread": thread_pk(decided.target), ":order": _order(decided)})
        ops: list[Operation] = [
            Update(
                comment_key(decided.comment_id),
                expression + " REMOVE gsi3pk, gsi3sk",
                names={"#status": "status"},
                values=values,
                condition="#status = :held",
            )
        ]
        if decided.status == Status.PUBLISHED:
            approved = {"pk": f"COMMENTER#{decided.author_id}", "sk": "COMMENTER", "approved_at": decided.decided_at}
            ops.append(Put(approved))
        if spend is not None:
            ops.append(spend)
        try:
            self.store.write(ops, [event])
        except ConditionFailed as failed:
            if spend is not None and failed.failed == [len(ops) - 1]:
                raise TokenAlreadyUsed from None
            raise

    def report(self, comment: Comment, member_id: str, reason: str, at: str, event: DomainEvent) -> bool:
        """Record one person's report; False if they had reported it already."""
        report = {
            "pk": f"COMMENT#{comment.comment_id}",
            "sk": f"REPORT#{member_id}",
            "comment_id": comment.comment_id,
            "reason": reason,
            "reported_at": at,
            "gsi1pk": f"COMMENTREPORTSBY#{member_id}",
            "gsi1sk": f"{at}#{comment.comment_id}",
        }
        expression = "ADD reports :one"
        values: dict[str, Any] = {":one": 1, ":shown": Status.PUBLISHED.value}
        if not comment.reports_dismissed:  # kept once by the team: further reports do not queue it again
            expression = "SET gsi3pk = :queue, gsi3sk = :order ADD reports :one"
            values.update({":queue": REPORTED_QUEUE, ":order": _order(comment)})
        try:
            self.store.write(
                [
                    Put(report, NOT_EXISTS),
                    Update(
                        comment_key(comment.comment_id),
                        expression,
                        names={"#status": "status"},
                        values=values,
                        condition="#status = :shown",
                    ),
                ],
                [event],
            )
        except ConditionFailed as failed:
            if failed.failed == [0]:
                return False
            raise
        return True

    def hide(self, hidden: Comment, event: DomainEvent) -> None:
        self.store.write(
            [
                Update(
                    comment_key(hidden.comment_id),
                    "SET #status = :hidden, hidden_reason = :reason, decided_by = :by, decided_at = :at "
                    "REMOVE gsi2pk, gsi2sk, gsi3pk, gsi3sk",
                    names={"#status": "status"},
                    values={
                        ":hidden": Status.HIDDEN.value,
                        ":shown": Status.PUBLISHED.value,
                        ":reason": hidden.hidden_reason,
                        ":by": hidden.decided_by,
                        ":at": hidden.decided_at,
                    },
                    condition="#status = :shown",
                )
            ],
            [event],
        )

    def dismiss_reports(self, comment_id: str, event: DomainEvent) -> None:
        self.store.write(
            [
                Update(
                    comment_key(comment_id),
                    "SET reports_dismissed = :yes REMOVE gsi3pk, gsi3sk",
                    names={"#status": "status"},
                    values={":yes": True, ":shown": Status.PUBLISHED.value},
                    condition="#status = :shown AND attribute_exists(gsi3pk)",
                )
            ],
            [event],
        )

    def erase_member(self, member_id: str, event_of: Any) -> list[str]:
        """Delete the member's comments (with the reports about them), their reports of others'
        comments (the counts stay) and their approval. Returns the ids of the comments removed."""
        removed: list[str] = []
        for comment in self.by_member(member_id):
            items = self.store.query(f"COMMENT#{comment.comment_id}", consistent=True)
            ops: list[Operation] = [Delete({"pk": i["pk"], "sk": i["sk"]}) for i in items]
            for start in range(0, len(ops), 90):
                self.store.write(ops[start : start + 90])
            removed.append(comment.comment_id)
        for report in self.reports_by(member_id):
            self.store.write([Delete({"pk": report["pk"], "sk": report["sk"]})])
        ops = [Delete({"pk": f"COMMENTER#{member_id}", "sk": "COMMENTER"})]
        self.store.write(ops, [event_of(removed)] if removed else [])
        return removed

    # -- one email per recipient per event ----------------------------------------------------------
    def mail_sent(self, event_id: str, recipient: str) -> bool:
        return self.store.get(f"COMMENTMAIL#{event_id}", recipient) is not None

    def record_mail(self, event_id: str, recipient: str) -> None:
        expires_at = int(time.time()) + _MAIL_MARKER_SECONDS
        self.store.write([Put({"pk": f"COMMENTMAIL#{event_id}", "sk": recipient, "expires_at": expires_at})])


__all__ = ["HELD_QUEUE", "REPORTED_QUEUE", "CommentRepository", "TokenAlreadyUsed", "thread_pk"]
