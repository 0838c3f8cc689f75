"""Demo events from the Q community's own words (shared/notes/domain.md): a community event in
Bristol and one in Leeds, both run as Open Space (with time slots and spaces the Open Space area
uses), the Liberating Structures workshop in May, and a three-session series on building
resilience in the workforce. Loaded silently: no event, so no newsletter item and no email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from .runtime import LocalRuntime

LONDON = ZoneInfo("Europe/London")


def _open_space(day: datetime, spaces: list[tuple[str, int, bool]]) -> Any:
    from functions.events.domain import OpenSpace, Slot, Space

    def at(hour: int, minute: int = 0) -> datetime:
        return day.replace(hour=hour, minute=minute).astimezone(UTC)

    return OpenSpace(
        slots=(Slot(at(10, 30), at(11, 30)), Slot(at(11, 45), at(12, 45)), Slot(at(14, 0), at(15, 0))),
        spaces=tuple(Space(name, capacity, online) for name, capacity, online in spaces),
        marketplace_closes_at=at(10, 15),
    )


def seed(runtime: LocalRuntime) -> None:
    from functions.events.domain import Event, EventKind, Series, SignupMode
    from functions.events.repository import EventRepository
    from functions.places.domain import Format, ListingStatus, WaitlistMode

    staff = runtime.staff_emails.split(",")[0].strip()
    created = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    repository = EventRepository()

    def event(event_id: str, start: datetime, hours: float, **fields: Any) -> Event:
        defaults: dict[str, Any] = {
            "location": "",
            "joining_link": "",
            "waitlist_mode": WaitlistMode.AUTOMATIC,
            "offer_hours": 24,
            "access_questions": ("Do you need step-free access, a hearing loop or a quiet space?",),
        }
        return Event(
            listing_id=event_id,
            starts_at=start.astimezone(UTC),
            ends_at=(start + timedelta(hours=hours)).astimezone(UTC),
            signup_closes_at=(start - timedelta(days=3)).astimezone(UTC),
            status=ListingStatus.PUBLISHED,
            created_at=created,
            created_by=staff,
            **{**defaults, **fields},
        )

    bristol = datetime(2027, 2, 11, 9, 30, tzinfo=LONDON)
    leeds = datetime(2027, 3, 4, 9, 30, tzinfo=LONDON)
    workshop = datetime(2027, 5, 13, 13, 30, tzinfo=LONDON)
    community = (
        "A day of conversations run as Open Space: anyone with a topic they care about proposes it, "
        "hosts the conversation and records what came of it. Past topics include how we relate across "
        "difference, effective collaboration with people with different accessibility needs, and "
        "responding to failure honestly, openly and safely."
    )
    events = [
        event(
            "event_demobristol",
            bristol,
            7,
            kind=EventKind.COMMUNITY_EVENT,
            title="Q community event: Bristol",
            description=community,
            format=Format.IN_PERSON,
            location="Harbourside Conference Centre, Bristol",
            places=120,
            open_space=_open_space(
                bristol,
                [
                    ("Main hall", 60, False),
                    ("Harbour room", 20, False),
                    ("Library", 12, False),
                    ("Garden room", 10, False),
                ],
            ),
        ),
        event(
            "event_demoleeds",
            leeds,
            7,
            kind=EventKind.COMMUNITY_EVENT,
            title="Q community event: Leeds",
            description=community,
            format=Format.HYBRID,
            location="Aire Street Workshops, Leeds",
            joining_link="https://meet.example.org/q-leeds",
            places=100,
            waitlist_mode=WaitlistMode.OFFER,
            offer_hours=48,
            open_space=_open_space(
                leeds,
                [
                    ("Studio", 40, False),
                    ("Corner room", 12, False),
                    ("Online breakout 1", 15, True),
                    ("Online breakout 2", 15, True),
                ],
            ),
        ),
        event(
            "event_demoliberating",
            workshop,
            3,
            kind=EventKind.WORKSHOP,
            title="An introduction to Liberating Structures",
            description=(
                "A hands-on online workshop introducing Liberating Structures: simple ways to make "
                "meetings and collaboration fully inclusive, so that everyone can shape the conversation. "
                "Run with the Liberating Structures in Healthcare SIG."
            ),
            format=Format.ONLINE,
            joining_link="https://meet.example.org/q-liberating-structures",
            places=30,
        ),
    ]
    series = Series(
        series_id="series_demoresilience",
        title="Building resilience in the workforce",
        description=(
            "Three online sessions on building resilience in health and care teams: what wears people "
            "down, what keeps them going, and how kindness and coaching help. Come to all three, or to "
            "the sessions that suit you."
        ),
        signup_mode=SignupMode.EITHER,
        created_at=created,
        created_by=staff,
    )
    repository.publish_series(series, [])
    topics = ("What wears us down", "What keeps us going", "Kindness and coaching in teams")
    for number, topic in enumerate(topics, start=1):
        start = datetime(2027, 6, 2 + 7 * (number - 1), 12, 30, tzinfo=LONDON)
        events.append(
            event(
                f"event_demoresilience{number}",
                start,
                1.25,
                kind=EventKind.SERIES_SESSION,
                series_id=series.series_id,
                title=f"Building resilience, session {number}: {topic}",
                description=f"Session {number} of 3 on building resilience in the workforce: {topic.lower()}.",
                format=Format.ONLINE,
                joining_link="https://meet.example.org/q-resilience",
                places=40,
            )
        )
    for item in events:
        repository.import_event(item)
