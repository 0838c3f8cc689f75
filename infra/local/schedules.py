"""EventBridge Scheduler expressions, evaluated locally (moto stores schedules but never
fires them). Supports ``rate(...)`` and ``cron(...)`` with the fields AWS documents; the
``L``, ``W`` and ``#`` forms are refused at start rather than silently mis-fired."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .patterns import UnsupportedTrigger

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_MONTHS = {
    m: i for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)
}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Schedule:
    expression: str
    timezone: str
    every_seconds: int | None = None
    minutes: frozenset[int] = frozenset()
    hours: frozenset[int] = frozenset()
    days_of_month: frozenset[int] | None = None
    months: frozenset[int] = frozenset()
    days_of_week: frozenset[int] | None = None
    years: frozenset[int] | None = None

    def next_after(self, moment: datetime) -> datetime:
        if self.every_seconds is not None:
            return moment + timedelta(seconds=self.every_seconds)
        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone).replace(second=0, microsecond=0)
        day = local.replace(hour=0, minute=0)
        for _ in range(366 * 8):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute).astimezone(zone)
                        if candidate > moment:
                            return candidate
            day = (day + timedelta(days=1)).replace(hour=0, minute=0)
        raise ValueError(f"{self.expression} never fires")

    def _day_matches(self, day: datetime) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        if self.days_of_month is not None:
            return day.day in self.days_of_month
        aws_weekday = (day.isoweekday() % 7) + 1  # AWS: 1 = Sunday ... 7 = Saturday
        return self.days_of_week is None or aws_weekday in self.days_of_week


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int] | None:
    if text == "?":
        return None
    if any(mark in text for mark in ("L", "W", "#")) and not (names and text.upper() in names):
        raise UnsupportedTrigger(f"cron field {text!r}: L, W and # cannot be emulated locally")
    values: set[int] = set()
    for item in text.split(","):
        part, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high) or step < 1:
            raise UnsupportedTrigger(f"cron field {text!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise UnsupportedTrigger(f"cron value {text!r} is not understood")
    return int(text)


def parse_expression(expression: str, timezone: str = "UTC") -> Schedule:
    try:
        ZoneInfo(timezone)
    except Exception:
        raise UnsupportedTrigger(f"unknown time zone {timezone!r}") from None
    if match := _RATE.match(expression):
        amount, unit = int(match.group(1)), match.group(2).rstrip("s")
        if amount < 1:
            raise UnsupportedTrigger(f"{expression}: a rate must be at least 1")
        return Schedule(expression, timezone, every_seconds=amount * _UNIT[unit])
    if match := _CRON.match(expression):
        fields = match.group(1).split()
        if len(fields) != 6:
            raise UnsupportedTrigger(f"{expression}: cron needs 6 fields (minute hour day month weekday year)")
        minute, hour, dom, month, dow, year = fields
        days_of_month = _field(dom, 1, 31)
        days_of_week = _field(dow, 1, 7, _DAYS)
        if (days_of_month is None) == (days_of_week is None):
            raise UnsupportedTrigger(f"{expression}: exactly one of day-of-month and day-of-week must be '?'")
        return Schedule(
            expression,
            timezone,
            minutes=_field(minute, 0, 59) or frozenset(),
            hours=_field(hour, 0, 23) or frozenset(),
            days_of_month=days_of_month,
            months=_field(month, 1, 12, _MONTHS) or frozenset(),
            days_of_week=days_of_week,
            years=_field(year, 1970, 2199),
        )
    raise UnsupportedTrigger(f"schedule expression {expression!r} is neither rate(...) nor cron(...)")
