"""Bodies of the comments API (issue 11 §4): members comment on proceedings, "taken forward"
pages and newsletter issues; the team approves first comments and hides reported ones."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from schemas.api.base import ApiModel
from schemas.text import Text

_ID = r"[A-Za-z0-9_-]{1,60}"
#: What a comment is on: an event's Open Space proceedings, an event's "taken forward" page,
#: or a sent newsletter issue.
TARGET_PATTERN = rf"^(proceedings:event_{_ID}|taken-forward:event_{_ID}|newsletter:nl_{_ID})$"
MAX_TEXT = 2000
MAX_REASON = 500

TargetRef = Annotated[
    str,
    StringConstraints(max_length=140, pattern=TARGET_PATTERN),
    Field(
        description="What the comment is on: `proceedings:<event id>`, `taken-forward:<event id>` or "
        "`newsletter:<issue id>`.",
        examples=["taken-forward:event_demobristolheld"],
    ),
]

Status = Literal["held", "published", "rejected", "hidden"]


class NewComment(ApiModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    target: TargetRef
    text: Annotated[str, Text(1, MAX_TEXT, multiline=True)] = Field(
        description=f"The comment (at most {MAX_TEXT} characters). Read the comments policy first."
    )


class NewReport(ApiModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    reason: Annotated[str, Text(0, MAX_REASON, multiline=True)] = Field(
        "", description="Why it breaks the comments policy (optional)."
    )


class HideComment(ApiModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    reason: Annotated[str, Text(1, MAX_REASON, multiline=True)] = Field(
        description="Why the team hides it (kept with the comment, for the team)."
    )


class Decision(ApiModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    decision: Literal["approve", "reject"]


class CommentView(ApiModel):
    comment_id: str
    target: str
    target_title: str
    target_url: str
    author: str = Field(description="The author's display name (never their address).")
    text: str
    status: Status
    created_at: str
    reports: int = Field(0, description="How many people reported it (the team only; 0 for others).")


class CommentPosted(ApiModel):
    comment_id: str
    status: Status
    message: str


class ThreadView(ApiModel):
    target: str
    comments: list[CommentView]


class ModerationView(ApiModel):
    held: list[CommentView]
    reported: list[CommentView]


class ReportAccepted(ApiModel):
    comment_id: str
    message: str
