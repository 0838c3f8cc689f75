"""Demo visits from the Q community's own words (shared/notes/domain.md): an online visit on
harnessing the power of community organising, and a visit on 26 April about building peer
groups to galvanise and sustain change. Loaded silently: no event, so no newsletter item and
no email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from .runtime import LocalRuntime

LONDON = ZoneInfo("Europe/London")


def seed(runtime: LocalRuntime) -> None:
    from functions.visits.domain import Visit, VisitFormat, VisitStatus, WaitlistMode
    from functions.visits.repository import VisitRepository

    staff = runtime.staff_emails.split(",")[0].strip()
    created = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    organising_start = datetime(2027, 3, 10, 14, 0, tzinfo=LONDON)
    peer_groups_start = datetime(2027, 4, 26, 10, 0, tzinfo=LONDON)
    visits = (
        Visit(
            listing_id="visit_demo1",
            title="Harnessing the power of community organising",
            host_organisation="Northfield Community Organising Network",
            description=(
                "An online visit to a community organising network. Hear how local people build "
                "relationships and collective power to change what matters to them, and explore how "
                "organising approaches can help health and care improvement work with communities "
                "across the wider patch."
            ),
            format=VisitFormat.ONLINE,
            location="",
            joining_link="https://meet.example.org/q-visits/community-organising",
            starts_at=organising_start.astimezone(UTC),
            ends_at=(organising_start + timedelta(hours=1, minutes=30)).astimezone(UTC),
            signup_closes_at=(organising_start - timedelta(days=2)).astimezone(UTC),
            places=30,
            waitlist_mode=WaitlistMode.AUTOMATIC,
            offer_hours=24,
            status=VisitStatus.PUBLISHED,
            created_at=created,
            created_by=staff,
        ),
        Visit(
            listing_id="visit_demo2",
            title="Building peer groups to galvanise and sustain change",
            host_organisation="Riverside Peer Support Collective",
            description=(
                "A day with a collective whose peer groups help people galvanise and sustain change. "
                "See how the groups started, how they stay member-led, and how they involve patients "
                "and carers meaningfully. Lunch is provided: tell us about any dietary or access needs "
                "when you sign up."
            ),
            format=VisitFormat.IN_PERSON,
            location="Riverside Community Hall, Leeds",
            joining_link="",
            starts_at=peer_groups_start.astimezone(UTC),
            ends_at=(peer_groups_start + timedelta(hours=5, minutes=30)).astimezone(UTC),
            signup_closes_at=(peer_groups_start - timedelta(days=7)).astimezone(UTC),
            places=12,
            # Travel needs planning: a freed place is offered, with two days to accept.
            waitlist_mode=WaitlistMode.OFFER,
            offer_hours=48,
            status=VisitStatus.PUBLISHED,
            created_at=created,
            created_by=staff,
        ),
    )
    repository = VisitRepository()
    for visit in visits:
        repository.import_visit(visit)
