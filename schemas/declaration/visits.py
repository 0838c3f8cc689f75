"""Visits programme: listings, sign-ups with limited places, waiting list, reminders."""

from __future__ import annotations

from .model import ApiTrigger, Bucket, EventTrigger, Function, ScheduleTrigger

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="visits",
        handler="functions.visits.handler:handler",
        description="Visit listings and pages, staff publishing, sign-ups, cancelling and offer links.",
        triggers=(ApiTrigger(prefixes=("/api/visits", "/visits")),),
        tables={"main": "read_write", "outbox": "read_write"},
        reads_signing_keys=True,
    ),
    Function(
        name="visit-waitlist",
        handler="functions.visits.waitlist:handler",
        description="Fills freed places from the waiting list, expires offers and marks reminders due.",
        triggers=(
            EventTrigger(
                name="visit-waitlist",
                detail_types=("VisitSignupCancelled", "VisitPlacesChanged", "VisitOfferExpired"),
            ),
            # Offers last hours, so they are expired within a quarter of an hour of running out.
            ScheduleTrigger(
                name="visit-offer-expiry",
                expression="rate(15 minutes)",
                description="Expires unanswered waiting-list offers and passes the place on",
            ),
            ScheduleTrigger(
                name="visit-reminders",
                expression="cron(0 9 * * ? *)",
                description="Marks visits starting soon as due a reminder (emailed by visit-notifications)",
            ),
        ),
        tables={"main": "read_write", "outbox": "read_write", "idempotency": "read_write"},
    ),
    Function(
        name="visit-notifications",
        handler="functions.visits.notifications:handler",
        description="Emails sign-up confirmations with calendar invitations, offers, reminders and cancellations.",
        triggers=(
            EventTrigger(
                name="visit-notifications",
                detail_types=(
                    "VisitSignedUp",
                    "VisitSignupPromoted",
                    "VisitPlaceOffered",
                    "VisitOfferExpired",
                    "VisitSignupCancelled",
                    "VisitCancelled",
                    "VisitReminderTriggered",
                    "VisitDetailsChanged",
                    "VisitAttendeesMessaged",
                ),
            ),
        ),
        # read_write: a marker per (event, recipient) so a retried batch does not email twice.
        tables={"main": "read_write", "idempotency": "read_write"},
        sends_email=True,
        reads_signing_keys=True,
        # A cancelled visit or a reminder emails every attendee in one invocation.
        timeout_seconds=120,
    ),
)
BUCKETS: tuple[Bucket, ...] = ()
