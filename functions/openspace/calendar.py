"""A conversation on the published agenda as a calendar entry (.ics), built with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from functions.common.settings import settings
from functions.events.domain import Event

from .domain import Conversation, Layout


def conversation_ics(
    event: Event, lay: Layout, conversation: Conversation, placed: dict[str, Any], now: datetime
) -> str:
    slot = lay.slot(placed["slot_id"])
    space = lay.space(placed["space_id"])
    calendar = Calendar()
    calendar.add("prodid", "-//Convene//Open Space//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    host = settings().url("/").split("//", 1)[-1].split("/", 1)[0] or "localhost"
    entry.add("uid", f"{conversation.conversation_id}@{host}")
    entry.add("dtstamp", now.astimezone(UTC))
    if slot is not None:
        entry.add("dtstart", slot.starts_at.astimezone(UTC))
        entry.add("dtend", slot.ends_at.astimezone(UTC))
    entry.add("summary", f"{conversation.title} ({event.title})")
    entry.add("location", f"{space.name}{' (online)' if space.online else ''}" if space else "")
    page = settings().url(f"/open-space/{event.event_id}/agenda")
    entry.add("description", f"{conversation.question}\n\nHosted by {', '.join(conversation.host_names)}.\n{page}")
    entry.add("url", page)
    calendar.add_component(entry)
    return str(calendar.to_ical().decode())
