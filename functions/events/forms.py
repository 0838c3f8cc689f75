"""The event publishing form: the shared listing fields plus the kind, the series, the questions
asked at sign-up and, for an Open Space event, its spaces and time slots (read on the event's day,
in UK time)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from functions.common.forms import validate
from functions.common.settings import settings
from functions.places.forms import LISTING_LABELS, read_listing_form
from schemas.api.events import PublishEvent

LABELS = {
    "kind": "What it is",
    "series_id": "Series",
    "title": "Title",
    **LISTING_LABELS,
    "access_questions": "Questions at sign-up",
    "open_space": "Open Space",
    "spaces": "Spaces",
    "slots": "Time slots",
    "marketplace_closes": "Proposals close",
}

_SPACE = re.compile(r"^(?P<name>.+?)\s*,\s*(?P<capacity>\d{1,4})\s*(?:,\s*(?P<online>online))?$", re.IGNORECASE)
_SLOT = re.compile(r"^(\d{1,2})[:.](\d{2})\s*(?:-|to|–)\s*(\d{1,2})[:.](\d{2})$")
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def _lines(value: str) -> list[str]:
    """One entry a line (a space's line holds commas)."""
    return [line.strip() for line in value.splitlines() if line.strip()]


def _on_day(day: datetime, hour: int, minute: int) -> datetime:
    return datetime.combine(day.date(), time(hour % 24, minute), tzinfo=day.tzinfo)


def _open_space(form: dict[str, str], starts_at: datetime | None) -> tuple[dict[str, Any] | None, dict[str, str]]:
    if form.get("open_space") != "yes":
        return None, {}
    errors: dict[str, str] = {}
    spaces = []
    for number, line in enumerate(_lines(form.get("spaces", "")), start=1):
        match = _SPACE.match(line)
        if not match:
            errors["spaces"] = f"Space {number}: write its name and capacity, like Room 2, 12"
            break
        spaces.append({"name": match["name"], "capacity": int(match["capacity"]), "online": bool(match["online"])})
    if starts_at is None:
        return None, errors
    day = starts_at.astimezone(ZoneInfo(settings().timezone))
    slots = []
    for number, line in enumerate(_lines(form.get("slots", "")), start=1):
        found = _SLOT.match(line.replace(" ", ""))
        if not found or int(found[1]) > 23 or int(found[3]) > 23 or int(found[2]) > 59 or int(found[4]) > 59:
            errors["slots"] = f"Time slot {number}: write its start and end, like 10:30-11:30"
            break
        start, end = _on_day(day, int(found[1]), int(found[2])), _on_day(day, int(found[3]), int(found[4]))
        slots.append({"starts_at": start, "ends_at": end if end > start else end + timedelta(days=1)})
    closes = form.get("marketplace_closes", "").strip()
    marketplace = None
    if closes:
        clock = _CLOCK.match(closes)
        if not clock or int(clock[1]) > 23 or int(clock[2]) > 59:
            errors["marketplace_closes"] = "Enter the time proposals close on the day, like 10:15"
        else:
            marketplace = _on_day(day, int(clock[1]), int(clock[2]))
    return {"slots": slots, "spaces": spaces, "marketplace_closes_at": marketplace}, errors


def read_event_form(form: dict[str, str]) -> tuple[PublishEvent | None, dict[str, str]]:
    body, errors = read_listing_form(
        PublishEvent,
        form,
        LABELS,
        kind=form.get("kind", ""),
        series_id=form.get("series_id") or None,
        access_questions=_lines(form.get("access_questions", "")),
        open_space=None,  # read below, on the event's day
    )
    if body is None:
        return None, errors
    open_space, problems = _open_space(form, body.starts_at)
    if problems:
        return None, problems
    if open_space is None:
        return body, {}
    return validate(PublishEvent, {**body.model_dump(), "open_space": open_space})
