"""Settings of a deployment, read once from the function's environment.

Everything community-specific (name, branding, staff) is a setting; Q is only the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Settings:
    community_name: str
    newsletter_name: str
    site_url: str
    sender: str
    staff_emails: frozenset[str]
    event_bus_name: str
    timezone: str
    #: Local development only: allows ``convene token`` sessions and the mail viewer.
    local: bool
    #: Days after an event's end its attendees are asked what they took away (staff change them per event).
    followup_days: tuple[int, ...] = (14, 90)

    @property
    def secure_cookies(self) -> bool:
        return self.site_url.startswith("https://")

    def table(self, logical_name: str) -> str:
        return os.environ[f"{logical_name.upper()}_TABLE"]

    def bucket(self, logical_name: str) -> str:
        return os.environ[f"{logical_name.upper()}_BUCKET"]

    def is_staff(self, email: str) -> bool:
        return email.strip().lower() in self.staff_emails

    def url(self, path: str) -> str:
        return self.site_url.rstrip("/") + path


def _emails(raw: str) -> frozenset[str]:
    return frozenset(e.strip().lower() for e in raw.split(",") if e.strip())


def _days(raw: str) -> tuple[int, ...]:
    return tuple(sorted({int(d) for d in raw.split(",") if d.strip()}))


@cache
def settings() -> Settings:
    env = os.environ
    return Settings(
        community_name=env.get("COMMUNITY_NAME", "Q community"),
        newsletter_name=env.get("NEWSLETTER_NAME", "Q-municate"),
        site_url=env.get("SITE_URL", "http://127.0.0.1:3000"),
        sender=env.get("SENDER_EMAIL", "Q community <no-reply@q.example.org>"),
        staff_emails=_emails(env.get("STAFF_EMAILS", "")),
        event_bus_name=env.get("EVENT_BUS_NAME", "convene"),
        timezone=env.get("COMMUNITY_TIMEZONE", "Europe/London"),
        local=env.get("CONVENE_LOCAL") == "1",
        followup_days=_days(env.get("FOLLOWUP_DAYS", "14,90")),
    )
