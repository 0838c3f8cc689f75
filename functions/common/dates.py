"""Dates typed into the GOV.UK date input: day, month and year in separate fields, and a time
where one is needed, read as the community's local time (Europe/London by default).

The form fields of a date called ``starts_at`` are ``starts_at-day``, ``starts_at-month``,
``starts_at-year`` and ``starts_at-time``; the ``date_input`` macro in ``macros.html`` draws them.
Error messages follow the GOV.UK pattern and name the date by its label.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

PARTS = ("day", "month", "year")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


class DateProblem(ValueError):
    """What is wrong with a typed date, said for the person who typed it."""


def parts(moment: datetime | None, tz: str) -> dict[str, str]:
    """A stored time as the fields of the date input (to fill in a form for changing it)."""
    if moment is None:
        return {}
    local = moment.astimezone(ZoneInfo(tz))
    clock = local.strftime("%H:%M")
    return {"day": str(local.day), "month": str(local.month), "year": str(local.year), "time": clock}


def form_values(name: str, moment: datetime | None, tz: str) -> dict[str, str]:
    """``parts`` under the form's field names (``starts_at-day`` ...)."""
    return {f"{name}-{part}": value for part, value in parts(moment, tz).items()}


def _clock(text: str, label: str) -> time:
    match = _TIME.match(text.strip().replace(" ", ""))
    if not match:
        raise DateProblem(f"Enter the time {label.lower()}, like 10:00 or 2:30pm")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise DateProblem(f"Enter a real time {label.lower()}, like 10:00 or 2:30pm")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise DateProblem(f"Enter a real time {label.lower()}, like 10:00 or 2:30pm")
    return time(hour, minute)


def read(form: dict[str, str], name: str, label: str, tz: str, *, with_time: bool = True) -> datetime:
    """The date (and time) typed under ``name``, as an aware datetime in UTC.

    ``label`` completes "Enter the date ...", e.g. "the visit starts" gives "Enter the date the
    visit starts". A time the clocks skip in spring does not exist and is refused."""
    values = {part: form.get(f"{name}-{part}", "").strip() for part in (*PARTS, "time")}
    missing = [part for part in PARTS if not values[part]]
    if len(missing) == len(PARTS):
        raise DateProblem(f"Enter the date {label.lower()}")
    if missing:
        raise DateProblem(f"The date {label.lower()} must include a {' and '.join(missing)}")
    if not all(values[part].isdigit() for part in PARTS):
        raise DateProblem(f"The date {label.lower()} must be a real date, in numbers, like 26 4 2027")
    day, month, year = (int(values[part]) for part in PARTS)
    if year < 1000:
        raise DateProblem(f"The year {label.lower()} must include 4 numbers")
    try:
        typed = date(year, month, day)
    except ValueError:
        raise DateProblem(f"The date {label.lower()} must be a real date") from None
    clock = time(0, 0)
    if with_time:
        if not values["time"]:
            raise DateProblem(f"Enter the time {label.lower()}, like 10:00 or 2:30pm")
        clock = _clock(values["time"], label)
    zone = ZoneInfo(tz)
    naive = datetime.combine(typed, clock)
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise DateProblem(f"The time {label.lower()} does not exist in UK time: the clocks go forward then")
    return aware.astimezone(UTC)


def read_field(form: dict[str, str], name: str, label: str, tz: str, *, with_time: bool = True) -> datetime:
    """A date from the date input, or from one field ``name`` holding ``2027-04-26T10:00`` (as
    scripts and older clients post it; a time without an offset is the community's local time)."""
    single = form.get(name, "").strip()
    if not single:
        return read(form, name, label, tz, with_time=with_time)
    try:
        value = datetime.fromisoformat(single)
    except ValueError:
        raise DateProblem(f"Enter the date {label.lower()} as day, month and year, like 26 4 2027") from None
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    typed = {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}
    typed[f"{name}-time"] = value.strftime("%H:%M")
    return read(typed, name, label, tz, with_time=with_time)


def read_all(
    form: dict[str, str], labels: dict[str, str], tz: str, *, with_time: bool = True
) -> tuple[dict[str, datetime], dict[str, str]]:
    """Every date of a form (``labels``: field name -> what it completes, "the visit starts"),
    and an error message for each one that cannot be read."""
    values: dict[str, datetime] = {}
    errors: dict[str, str] = {}
    for name, label in labels.items():
        try:
            values[name] = read_field(form, name, label, tz, with_time=with_time)
        except DateProblem as problem:
            errors[name] = str(problem)
    return values, errors
