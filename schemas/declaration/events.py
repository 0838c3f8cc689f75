"""Community events, workshops and series: pages and API, sign-ups on the shared places and
waiting lists (``functions.places``), the waiting list's events and schedules, and emails."""

from __future__ import annotations

from .model import ApiTrigger, Bucket, EventTrigger, Function, ScheduleTrigger

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="events",
        handler="functions.events.handler:handler",
        description="Events and series: listings and pages, staff publishing and changes, sign-ups and email links.",
        triggers=(ApiTrigger(prefixes=("/api/events", "/events", "/api/series", "/series")),),
        tables={"main": "read_write", "outbox": "read_write"},
        reads_signing_keys=True,
    ),
    Function(
        name="event-waitlist",
        handler="functions.events.waitlist:handler",
        description="Fills freed event places from the waiting list, expires offers and marks reminders due.",
        triggers=(
            EventTrigger(
                name="event-waitlist",
                detail_types=("EventSignupCancelled", "EventPlacesChanged", "EventOfferExpired"),
            ),
            ScheduleTrigger(
                name="event-offer-expiry",
                expression="rate(15 minutes)",
                description="Expires unanswered event waiting-list offers and passes the place on",
            ),
            ScheduleTrigger(
                name="event-reminders",
                expression="cron(0 9 * * ? *)",
                description="Marks events starting soon as due a reminder (emailed by event-notifications)",
            ),
        ),
        tables={"main": "read_write", "outbox": "read_write", "idempotency": "read_write"},
    ),
    Function(
        name="event-notifications",
        handler="functions.events.notifications:handler",
        description="Emails event sign-up confirmations with calendar invitations, offers, changes and reminders.",
        triggers=(
            EventTrigger(
                name="event-notifications",
                detail_types=(
                    "EventSignedUp",
                    "EventSignupPromoted",
                    "EventPlaceOffered",
                    "EventOfferExpired",
                    "EventSignupCancelled",
                    "EventCancelled",
                    "EventReminderTriggered",
                    "EventDetailsChanged",
                    "EventAttendeesMessaged",
                ),
            ),
        ),
        tables={"main": "read_write", "idempotency": "read_write"},
        sends_email=True,
        reads_signing_keys=True,
        timeout_seconds=120,
    ),
)
BUCKETS: tuple[Bucket, ...] = ()
