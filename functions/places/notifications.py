"""Emails about places, for any kind of listing: confirmations with a calendar invitation,
waiting-list news, offers, reminders, changed details, messages from the team, cancellations.

Each email is about the sign-up as it is now: an event that arrives after the member has moved on
(cancelled before their confirmation went out) sends nothing. Events with many recipients (a
cancelled listing, a reminder, changed details, a message) record each email sent, so a retried
event emails only those left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from functions.common import mail, tokens
from functions.common.consumer import consumer
from functions.common.ids import utcnow
from functions.common.settings import settings
from schemas.events.base import DomainEvent

from . import calendar, domain
from .domain import Kind, Listing, ListingStatus, Signup, SignupStatus
from .repository import PlacesRepository

logger = logging.getLogger("convene")


class Mailer:
    """The emails of one kind of listing (``repository`` made on first use, not at import)."""

    def __init__(self, kind: Kind, repository: Callable[[], PlacesRepository[Any]]) -> None:
        self.kind = kind
        self._repository = repository

    @property
    def listings(self) -> PlacesRepository[Any]:
        return self._repository()

    # -- pieces --------------------------------------------------------------------------------
    def send(self, signup: Signup, subject: str, template: str, listing: Listing, **context: Any) -> None:
        mail.send_template(
            signup.email,
            subject,
            f"places_{template}",
            listing=listing,
            signup=signup,
            noun=self.kind.noun,
            page=self.page(listing),
            **context,
        )

    def current(self, event: Any) -> tuple[Listing, Signup] | None:
        """The listing and this very sign-up, or None when it has been replaced by a newer one."""
        listing_id = self.kind.listing_id_of(event)
        listing = self.listings.get(listing_id)
        signup = self.listings.signup(listing_id, event.member_id)
        if listing is None or signup is None or signup.signup_id != event.signup_id:
            logger.info(
                "%s %s: sign-up %s has been replaced; nothing to send", self.kind.noun, listing_id, event.signup_id
            )
            return None
        return listing, signup

    def page(self, listing: Listing) -> str:
        return settings().url(listing.page_path)

    def cancel_link(self, listing: Listing, signup: Signup) -> str:
        token = tokens.issue(
            self.kind.cancel_purpose,
            signup.member_id,
            **{self.kind.event_field: listing.listing_id},
            signup_id=signup.signup_id,
        )
        return settings().url(f"{listing.page_path}/cancel-place?token={token}")

    def ics(self, listing: Listing, signup: Signup, method: calendar.Method, sequence: int) -> mail.Attachment:
        return calendar.invitation(
            listing,
            signup,
            method=method,
            sequence=sequence,
            sender=settings().sender,
            organiser_name=settings().community_name,
            page_url=self.page(listing),
            now=utcnow(),
        )

    def confirm(self, listing: Listing, signup: Signup, sequence: int, *, promoted: str = "") -> None:
        self.send(
            signup,
            f"Your place is confirmed: {listing.title}",
            "confirmed",
            listing,
            attachments=[self.ics(listing, signup, "REQUEST", sequence)],
            promoted=promoted,
            cancel_link=self.cancel_link(listing, signup),
        )

    def each_once(self, event_id: str, people: Iterable[Signup], send: Callable[[Signup], None]) -> int:
        """Send to each person at most once per event, even when the event is handled again after
        a failure part-way (SES throttling, a timeout)."""
        sent = 0
        for signup in people:
            if self.listings.mail_sent(event_id, signup.member_id):
                continue
            send(signup)
            self.listings.record_mail(event_id, signup.member_id)
            sent += 1
        return sent

    def everyone(self, listing_id: str) -> list[Signup]:
        return [
            *self.listings.going(listing_id),
            *self.listings.offered(listing_id),
            *self.listings.waiting(listing_id),
        ]

    # -- one handler per event --------------------------------------------------------------------
    def on_signed_up(self, event: Any) -> None:
        found = self.current(event)
        if found is None:
            return
        listing, signup = found
        if event.status == "confirmed":
            if signup.status == SignupStatus.CONFIRMED:
                self.confirm(listing, signup, event.ics_sequence)
            return
        if signup.status != SignupStatus.WAITLISTED:
            return  # already promoted or gone: that later event has its own email
        self.send(
            signup,
            f"You are on the waiting list: {listing.title}",
            "waitlisted",
            listing,
            position=event.position,
            cancel_link=self.cancel_link(listing, signup),
        )

    def on_promoted(self, event: Any) -> None:
        found = self.current(event)
        if found is None or found[1].status != SignupStatus.CONFIRMED:
            return
        self.confirm(*found, event.ics_sequence, promoted=event.via)

    def on_offered(self, event: Any) -> None:
        found = self.current(event)
        if found is None:
            return
        listing, signup = found
        if signup.status != SignupStatus.OFFERED or signup.offer_id != event.offer_id:
            return
        token = tokens.issue(
            self.kind.offer_purpose,
            signup.member_id,
            **{self.kind.event_field: listing.listing_id},
            signup_id=signup.signup_id,
            offer_id=event.offer_id,
        )
        self.send(
            signup,
            f"A place is free for you: {listing.title}",
            "offer",
            listing,
            expires_at=event.offer_expires_at,
            link=settings().url(f"{listing.page_path}/offer?token={token}"),
        )

    def on_offer_expired(self, event: Any) -> None:
        found = self.current(event)
        if found is None or found[1].status != SignupStatus.OFFER_EXPIRED:
            return
        listing, signup = found
        if listing.status != ListingStatus.PUBLISHED:
            return  # the cancellation already told them
        self.send(signup, f"Your offered place has passed on: {listing.title}", "offer_expired", listing)

    def on_signup_cancelled(self, event: Any) -> None:
        found = self.current(event)
        if found is None:
            return
        listing, signup = found
        # Only a confirmed place had a calendar entry to remove.
        confirmed = event.previous_status == "confirmed"
        self.send(
            signup,
            f"Cancelled: your place on {listing.title}"
            if event.previous_status != "waitlisted"
            else f"You have left the waiting list: {listing.title}",
            "signup_cancelled",
            listing,
            attachments=[self.ics(listing, signup, "CANCEL", event.ics_sequence)] if confirmed else [],
            previous=event.previous_status,
        )

    def on_cancelled(self, event: Any) -> None:
        listing = self.listings.get(self.kind.listing_id_of(event))
        if listing is None:
            return

        def tell(signup: Signup) -> None:
            confirmed = signup.status == SignupStatus.CONFIRMED
            sequence = domain.calendar_sequence(listing, signup)
            self.send(
                signup,
                f"Cancelled: {listing.title}",
                "cancelled",
                listing,
                attachments=[self.ics(listing, signup, "CANCEL", sequence)] if confirmed else [],
                reason=event.reason,
                confirmed=confirmed,
                listings_page=settings().url(self.kind.path),
            )

        told = self.each_once(event.event_id, self.everyone(listing.listing_id), tell)
        logger.info("%s %s cancelled: told %d people", self.kind.noun, listing.listing_id, told)

    def on_details_changed(self, event: Any) -> None:
        listing = self.listings.get(self.kind.listing_id_of(event))
        if listing is None or listing.status != ListingStatus.PUBLISHED:
            return
        labels = [CHANGE_LABELS.get(name, name.replace("_", " ")) for name in event.changed]

        def tell(signup: Signup) -> None:
            confirmed = signup.status == SignupStatus.CONFIRMED
            sequence = domain.calendar_sequence(listing, signup)
            self.send(
                signup,
                f"Changed: {listing.title}",
                "details_changed",
                listing,
                attachments=[self.ics(listing, signup, "REQUEST", sequence)] if confirmed else [],
                changed=labels,
                confirmed=confirmed,
                cancel_link=self.cancel_link(listing, signup),
            )

        told = self.each_once(event.event_id, self.everyone(listing.listing_id), tell)
        logger.info("%s %s changed: told %d people", self.kind.noun, listing.listing_id, told)

    def on_attendees_messaged(self, event: Any) -> None:
        listing = self.listings.get(self.kind.listing_id_of(event))
        if listing is None:
            return

        def write(signup: Signup) -> None:
            self.send(signup, f"{event.subject}: {listing.title}", "message", listing, message=event.message)

        sent = self.each_once(event.event_id, self.listings.going(listing.listing_id), write)
        logger.info("%s %s: message sent to %d", self.kind.noun, listing.listing_id, sent)

    def on_reminder_due(self, event: Any) -> None:
        listing = self.listings.get(self.kind.listing_id_of(event))
        if listing is None or listing.status != ListingStatus.PUBLISHED or listing.has_started(utcnow()):
            return

        def remind(signup: Signup) -> None:
            self.send(
                signup,
                f"Reminder: {listing.title} on {domain.london(listing.starts_at, settings().timezone)}",
                "reminder",
                listing,
                cancel_link=self.cancel_link(listing, signup),
            )

        reminded = self.each_once(event.event_id, self.listings.going(listing.listing_id), remind)
        logger.info("%s %s: reminded %d", self.kind.noun, listing.listing_id, reminded)

    def handlers(self) -> dict[type[DomainEvent], Callable[[Any], None]]:
        kind = self.kind
        handlers: dict[type[DomainEvent], Callable[[Any], None]] = {
            kind.signed_up: self.on_signed_up,
            kind.promoted: self.on_promoted,
            kind.offered: self.on_offered,
            kind.offer_expired: self.on_offer_expired,
            kind.signup_cancelled: self.on_signup_cancelled,
            kind.cancelled: self.on_cancelled,
            kind.reminder_due: self.on_reminder_due,
        }
        if kind.details_changed is not None:
            handlers[kind.details_changed] = self.on_details_changed
        if kind.attendees_messaged is not None:
            handlers[kind.attendees_messaged] = self.on_attendees_messaged
        return handlers


#: How a changed field is named in the email to attendees.
CHANGE_LABELS = {
    "title": "title",
    "description": "description",
    "format": "format",
    "location": "where",
    "joining_link": "joining link",
    "starts_at": "start time",
    "ends_at": "end time",
    "signup_closes_at": "sign-up closing time",
    "host_organisation": "host",
}


def notifications_handler(
    name: str, kind: Kind, repository: Callable[[], PlacesRepository[Any]]
) -> Callable[[dict[str, Any], Any], Any]:
    return consumer(name, Mailer(kind, repository).handlers())
