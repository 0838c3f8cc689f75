"""Comments from members (issue 11 §4): on an event's proceedings, its "taken forward" page and
sent newsletter issues. A member's first comment waits for the team; anyone signed in can report
a comment; the team hides it."""

from __future__ import annotations

from .model import ApiTrigger, EventTrigger, Function

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="comments",
        handler="functions.comments.handler:handler",
        description="Comments: post, report, the team's moderation (page and emailed link), the comments policy.",
        triggers=(ApiTrigger(prefixes=("/api/comments", "/comments")),),
        tables={"main": "read_write", "outbox": "read_write"},
        reads_signing_keys=True,
    ),
    Function(
        name="comments-notifications",
        handler="functions.comments.notifications:handler",
        description="Emails the team a scanner-safe link to decide a held first comment, tells its author "
        "the outcome, and keeps the team home's comment tiles.",
        triggers=(
            EventTrigger(
                name="comments-notifications",
                detail_types=(
                    "CommentHeld",
                    "CommentApproved",
                    "CommentRejected",
                    "CommentReported",
                    "CommentHidden",
                    "CommentReportsDismissed",
                    "CommentsErased",
                ),
            ),
        ),
        # read_write: a marker per (event, recipient) so a retried fan-out emails nobody twice.
        tables={"main": "read_write", "idempotency": "read_write"},
        sends_email=True,
        reads_signing_keys=True,
    ),
)
