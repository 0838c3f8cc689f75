"""Events of members' comments (issue 11 §4). They carry ids, the target and display names,
never a comment's text or anyone's address: the text stays in its item, where erasure reaches it."""

from __future__ import annotations

from pydantic import Field

from .base import DomainEvent

_COMMENT = Field(examples=["comment_0195f3a2b4c1_7f3a9c2e1d"])
_TARGET = Field(
    description="What the comment is on: `proceedings:<event id>`, `taken-forward:<event id>` or "
    "`newsletter:<issue id>`.",
    examples=["taken-forward:event_demobristolheld"],
)


class CommentHeld(DomainEvent):
    """A member's first comment (or one before their first was approved) waits for the team."""

    comment_id: str = _COMMENT
    target: str = _TARGET
    target_title: str
    author_id: str


class CommentPublished(DomainEvent):
    """A comment of an approved member, shown at once."""

    comment_id: str = _COMMENT
    target: str = _TARGET
    author_id: str


class CommentApproved(DomainEvent):
    """The team approved a held comment: it is shown, and its author's later comments are too."""

    comment_id: str = _COMMENT
    target: str = _TARGET
    target_title: str
    author_id: str
    decided_by: str = Field(description="The address of the team member who decided.")


class CommentRejected(DomainEvent):
    comment_id: str = _COMMENT
    target: str = _TARGET
    target_title: str
    author_id: str
    decided_by: str = Field(description="The address of the team member who decided.")


class CommentReported(DomainEvent):
    """Someone reported a shown comment (one report per person per comment)."""

    comment_id: str = _COMMENT
    target: str = _TARGET
    target_title: str
    reports: int


class CommentHidden(DomainEvent):
    comment_id: str = _COMMENT
    target: str = _TARGET


class CommentReportsDismissed(DomainEvent):
    """The team looked at a reported comment and kept it."""

    comment_id: str = _COMMENT
    target: str = _TARGET


class CommentsErased(DomainEvent):
    """A member erased their account: their comments are gone (the team's lists drop them)."""

    comment_ids: list[str]
