"""Emails of Open Space: co-host confirmation links, the agenda (everyone the first time, then
only the people a change affects), the harvest link when a conversation's slot ends, and the
proceedings."""

from __future__ import annotations

import logging
from collections.abc import Callable

from functions.common import mail, tokens
from functions.common.consumer import consumer
from functions.common.settings import settings
from schemas.events.openspace import (
    CoHostConfirmed,
    ConversationEnded,
    ConversationProposed,
    OpenSpaceAgendaPublished,
    OpenSpaceProceedingsPublished,
)

logger = logging.getLogger("convene")

_send = mail.send_template


def _service():  # type: ignore[no-untyped-def]
    from .service import OpenSpaceService

    return OpenSpaceService()


def _each_once(event_id: str, emails: list[str], send: Callable[[str], object]) -> int:
    """Email each person at most once per event, even when the event is handled again after a
    failure part-way (the shared places markers, keyed by a pseudonym of the address)."""
    from functions.common.store import pseudonym
    from functions.events.repository import EventRepository

    markers = EventRepository(_service().store)
    sent = 0
    for email in emails:
        key = pseudonym(email)
        if markers.mail_sent(event_id, key):
            continue
        send(email)
        markers.record_mail(event_id, key)
        sent += 1
    return sent


def on_proposed(event: ConversationProposed) -> None:
    for email in event.co_host_emails:
        token = tokens.issue(
            "openspace-cohost", email, event_id=event.gathering_id, conversation_id=event.conversation_id
        )
        link = settings().url(f"/open-space/co-host?token={token}")
        _send(email, f"Will you co-host “{event.title}”?", "openspace_cohost", event=event, link=link)


def on_co_host_confirmed(event: CoHostConfirmed) -> None:
    conversation = _service().repo.get(event.gathering_id, event.conversation_id)
    if conversation is None or not conversation.host_email:
        return
    link = settings().url(f"/open-space/{event.gathering_id}#{event.conversation_id}")
    _send(
        conversation.host_email,
        f"{event.co_host_email} will co-host “{event.title}”",
        "openspace_cohost_confirmed",
        event=event,
        link=link,
    )


def on_agenda_published(event: OpenSpaceAgendaPublished) -> None:
    service = _service()
    link = settings().url(f"/open-space/{event.gathering_id}/agenda")
    if event.first:
        names = dict(service.attendees(event.gathering_id))
        subject = f"The Open Space agenda for {event.title}"
        _each_once(
            event.event_id,
            sorted(names),
            lambda email: _send(email, subject, "openspace_agenda", event=event, name=names[email], link=link),
        )
        return
    if not event.changed:
        return
    # Only the people a change affects: the hosts and the people who marked a moved conversation.
    marks = service.repo.marks(event.gathering_id)
    changed = {c.conversation_id: c for c in service.repo.conversations(event.gathering_id)}
    affected: dict[str, list[str]] = {}
    for conversation_id in event.changed:
        conversation = changed.get(conversation_id)
        if conversation is None:
            continue
        for email in {*conversation.host_emails, *marks.get(conversation_id, set())} - {""}:
            affected.setdefault(email, []).append(conversation.title)
    subject = f"The Open Space agenda for {event.title} has changed"
    _each_once(
        event.event_id,
        sorted(affected),
        lambda email: _send(
            email, subject, "openspace_agenda_changed", event=event, titles=sorted(affected[email]), link=link
        ),
    )


def on_conversation_ended(event: ConversationEnded) -> None:
    for email in event.host_emails:
        token = tokens.issue(
            "openspace-harvest", email, event_id=event.gathering_id, conversation_id=event.conversation_id
        )
        link = settings().url(f"/open-space/harvest?token={token}")
        _send(email, f"What came out of “{event.title}”?", "openspace_harvest", event=event, link=link)


def on_proceedings_published(event: OpenSpaceProceedingsPublished) -> None:
    link = settings().url(f"/open-space/{event.gathering_id}/proceedings")
    names = dict(_service().attendees(event.gathering_id))
    subject = f"Proceedings of {event.title}"
    _each_once(
        event.event_id,
        sorted(names),
        lambda email: _send(email, subject, "openspace_proceedings", event=event, name=names[email], link=link),
    )


handler = consumer(
    "openspace-notifications",
    {
        ConversationProposed: on_proposed,
        CoHostConfirmed: on_co_host_confirmed,
        OpenSpaceAgendaPublished: on_agenda_published,
        ConversationEnded: on_conversation_ended,
        OpenSpaceProceedingsPublished: on_proceedings_published,
    },
)
