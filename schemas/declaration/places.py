"""The functions of an area with places and a waiting list (visits, events): its pages and API,
its waiting list (events and two schedules) and its emails. Every name follows from the noun."""

from __future__ import annotations

from .model import ApiTrigger, EventTrigger, Function, ScheduleTrigger


def place_functions(noun: str, *, prefixes: tuple[str, ...], description: str) -> tuple[Function, ...]:
    name = noun.capitalize()
    return (
        Function(
            name=f"{noun}s",
            handler=f"functions.{noun}s.handler:handler",
            description=description,
            triggers=(ApiTrigger(prefixes=prefixes),),
            tables={"main": "read_write", "outbox": "read_write"},
            reads_signing_keys=True,
        ),
        Function(
            name=f"{noun}-waitlist",
            handler=f"functions.{noun}s.waitlist:handler",
            description=f"Fills freed {noun} places from the waiting list, expires offers and marks reminders due.",
            triggers=(
                EventTrigger(
                    name=f"{noun}-waitlist",
                    detail_types=(f"{name}SignupCancelled", f"{name}PlacesChanged", f"{name}OfferExpired"),
                ),
                # Offers last hours, so they are expired within a quarter of an hour of running out.
                ScheduleTrigger(
                    name=f"{noun}-offer-expiry",
                    expression="rate(15 minutes)",
                    description=f"Expires unanswered {noun} waiting-list offers and passes the place on",
                ),
                ScheduleTrigger(
                    name=f"{noun}-reminders",
                    expression="cron(0 9 * * ? *)",
                    description=f"Marks {noun}s starting soon as due a reminder (emailed by {noun}-notifications)",
                ),
            ),
            tables={"main": "read_write", "outbox": "read_write", "idempotency": "read_write"},
        ),
        Function(
            name=f"{noun}-notifications",
            handler=f"functions.{noun}s.notifications:handler",
            description=f"Emails {noun} sign-up confirmations with invitations, offers, changes and reminders.",
            triggers=(
                EventTrigger(
                    name=f"{noun}-notifications",
                    detail_types=tuple(
                        f"{name}{suffix}"
                        for suffix in (
                            "SignedUp",
                            "SignupPromoted",
                            "PlaceOffered",
                            "OfferExpired",
                            "SignupCancelled",
                            "Cancelled",
                            "ReminderTriggered",
                            "DetailsChanged",
                            "AttendeesMessaged",
                        )
                    ),
                ),
            ),
            # read_write: a marker per (event, recipient) so a retried batch does not email twice.
            tables={"main": "read_write", "idempotency": "read_write"},
            sends_email=True,
            reads_signing_keys=True,
            # A cancellation, a change or a reminder emails every attendee in one invocation.
            timeout_seconds=120,
        ),
    )
