"""The rules of comments: what can be commented on, who sees what, and the one-way life of a
comment (held -> published or rejected; published -> hidden). Plain Python, no AWS.

- A member's **first** comment is held for the team. Once the team approves one, the member is
  *approved*: their later comments are published at once. A rejection leaves them unapproved.
- A shown comment can be **reported** by anyone signed in (once each), and **hidden** by the team
  (with a reason). Hidden, held and rejected comments are in no thread.
- People are shown by display name only: a comment carries its author's name, never an address.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from functions.common.errors import Conflict, Forbidden, NotFound


class Status(StrEnum):
    HELD = "held"
    PUBLISHED = "published"
    REJECTED = "rejected"
    HIDDEN = "hidden"


#: What can be commented on, and the page each is read on.
KINDS = {
    "proceedings": ("Proceedings", "/open-space/{id}/proceedings"),
    "taken-forward": ("How ideas are being taken forward", "/chain/events/{id}"),
    "newsletter": ("Newsletter issue", "/newsletter/issues/{id}"),
}


@dataclass(frozen=True)
class Target:
    """Something a comment is on, named ``<kind>:<id>``."""

    kind: str
    id: str

    @classmethod
    def parse(cls, ref: str) -> Target:
        kind, _, ident = ref.partition(":")
        if kind not in KINDS or not ident:
            raise NotFound("There is nothing to comment on there.", field="target")
        return cls(kind, ident)

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def url(self) -> str:
        return KINDS[self.kind][1].format(id=self.id)

    def title_of(self, name: str) -> str:
        """The page's title as a thread names it ("Proceedings: Q community event: Bristol")."""
        if self.kind == "taken-forward":
            return f"How ideas from {name} are being taken forward"
        if self.kind == "proceedings":
            return f"Proceedings: {name}"
        return name


@dataclass(frozen=True)
class Comment:
    comment_id: str
    target: str
    target_title: str
    author_id: str
    author_name: str
    text: str
    status: Status
    created_at: str
    reports: int = 0
    decided_at: str = ""
    decided_by: str = ""
    hidden_reason: str = ""
    reports_dismissed: bool = False

    @property
    def target_url(self) -> str:
        return Target.parse(self.target).url

    @property
    def shown(self) -> bool:
        return self.status == Status.PUBLISHED


def visible_to(comment: Comment, member_id: str | None, is_staff: bool) -> bool:
    """Everyone sees a published comment; its author and the team see it whatever its state."""
    return comment.shown or is_staff or (bool(member_id) and comment.author_id == member_id)


def first_status(approved_member: bool) -> Status:
    """A new comment is published at once only for a member the team has approved before."""
    return Status.PUBLISHED if approved_member else Status.HELD


def decide(comment: Comment, *, approve: bool, by: str, at: str) -> Comment:
    if comment.status != Status.HELD:
        raise AlreadyDecided(comment)
    return replace(comment, status=Status.PUBLISHED if approve else Status.REJECTED, decided_by=by, decided_at=at)


def ensure_reportable(comment: Comment, member_id: str) -> None:
    if not comment.shown:
        raise NotFound("There is no such comment.")
    if comment.author_id == member_id:
        raise Conflict("This is your own comment: you cannot report it.")


def hide(comment: Comment, *, reason: str, by: str, at: str, is_staff: bool) -> Comment:
    if not is_staff:
        raise Forbidden("Only the community team can hide a comment.")
    if comment.status == Status.HIDDEN:
        raise Conflict("This comment is already hidden.")
    if not comment.shown:
        raise Conflict("Only a shown comment can be hidden: decide a held comment instead.")
    return replace(comment, status=Status.HIDDEN, hidden_reason=reason, decided_by=by, decided_at=at)


class AlreadyDecided(Conflict):
    """A held comment was decided before (by the emailed link or the team's page)."""

    def __init__(self, comment: Comment) -> None:
        super().__init__(f"This comment was already {comment.status.value}.")
        self.comment = comment
