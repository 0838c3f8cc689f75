"""The follow-ups' clock and emails (one function: SQS batches from the bus, or
``{"schedule": name}`` from EventBridge Scheduler).

- ``EventPublished``: the event gets its follow-ups (the default days), each an index entry due
  at the event's end plus its days; ``EventDetailsChanged``: unstarted ones move with its end.
- ``followups-due`` (hourly): every follow-up that fell due is started once (a conditional
  update takes it off the index) and ``FollowupStarted`` goes out through the outbox.
- ``FollowupStarted``: each attendee is emailed once (a marker per event, day and attendee).
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from functions.common import mail
from functions.common.consumer import consumer
from functions.common.settings import settings
from schemas.events.events import EventDetailsChanged, EventPublished
from schemas.events.followups import FollowupStarted

from . import domain
from .service import FollowupService

logger = logging.getLogger("convene")

DUE = "followups-due"


@cache
def service() -> FollowupService:
    return FollowupService()


def on_event_published(event: EventPublished) -> None:
    service().plan_event(event.gathering_id, event.title, event.ends_at)


def on_details_changed(event: EventDetailsChanged) -> None:
    service().event_moved(event.gathering_id)


def email_one(signup: Any, event: Any, token: str) -> None:
    link = settings().url(f"/followups/answer?token={token}")
    mail.send_template(
        signup.email,
        f"What did you take away from {event.title}?",
        "followups_ask",
        name=signup.name,
        event=event,
        question=domain.QUESTION,
        link=link,
    )


def on_started(event: FollowupStarted) -> None:
    sent = service().send(event, email_one)
    logger.info("follow-up %s day %s: %d emails", event.gathering_id, event.day, sent)


_consume = consumer(
    "followups-worker",
    {EventPublished: on_event_published, EventDetailsChanged: on_details_changed, FollowupStarted: on_started},
)


def handler(event: dict[str, Any], context: Any) -> Any:
    if "schedule" in event:
        if event["schedule"] != DUE:
            raise ValueError(f"unknown schedule {event['schedule']!r}")
        started = service().start_due()
        logger.info("%s: %d follow-ups started", DUE, started)
        return {"schedule": DUE, "started": started}
    return _consume(event, context)


handler.consumer_name = _consume.consumer_name  # type: ignore[attr-defined]
handler.handlers = _consume.handlers  # type: ignore[attr-defined]
