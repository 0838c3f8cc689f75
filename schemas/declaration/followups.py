"""Follow-ups after an event (issue 11 §2): a set number of days after an event each attendee is
asked what they took away; staff publish the answers members agreed to share as takeaways."""

from __future__ import annotations

from .model import ApiTrigger, EventTrigger, Function, ScheduleTrigger

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="followups",
        handler="functions.followups.handler:handler",
        description="Follow-up answers from the emailed link and a member's own page; the team's page of an "
        "event's follow-ups (days, answers, publishing takeaways).",
        triggers=(ApiTrigger(prefixes=("/api/followups", "/followups")),),
        tables={"main": "read_write", "outbox": "read_write"},
        reads_signing_keys=True,
    ),
    # One function for the clock and the emails: both are small, and a function costs the stack
    # 5-11 resources (the waiting lists' functions do the same).
    Function(
        name="followups-worker",
        handler="functions.followups.worker:handler",
        description="Schedules an event's follow-ups when it is published or moved, starts those that fell "
        "due (once each) and emails each attendee once.",
        triggers=(
            EventTrigger(
                name="followups-worker",
                detail_types=("EventPublished", "EventDetailsChanged", "FollowupStarted"),
            ),
            ScheduleTrigger(
                name="followups-due",
                expression="rate(1 hour)",
                description="Starts every event follow-up that has fallen due (days after the event's end)",
            ),
        ),
        # read_write: a marker per (event, day, attendee) so a redelivered event emails nobody twice.
        tables={"main": "read_write", "outbox": "read_write", "idempotency": "read_write"},
        sends_email=True,
        reads_signing_keys=True,
        # A follow-up emails every attendee of an event in one invocation (800 in bench/followups.py).
        timeout_seconds=300,
    ),
)
