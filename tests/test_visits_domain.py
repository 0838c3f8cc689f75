"""The Visits rules in plain Python, without AWS: publishing, sign-up windows, the waiting list's
positions, offers, calendar sequences and invitations, UK times, and the CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from pydantic import ValidationError

from functions.common.errors import NotFound
from functions.visits import calendar, domain
from functions.visits.domain import (
    InvalidVisit,
    OfferNotOpen,
    Signup,
    SignupStatus,
    Visit,
    VisitClosed,
    VisitStatus,
)
from functions.visits.export import attendees_csv, safe_cell
from schemas.api.visits import PublishVisit, SignUp

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
TZ = "Europe/London"


def body(**overrides: object) -> PublishVisit:
    start = NOW + timedelta(days=30)
    data: dict[str, object] = {
        "title": "Harnessing the power of community organising",
        "host_organisation": "Northfield Community Organising Network",
        "description": "An online visit about community organising.",
        "format": "online",
        "joining_link": "https://meet.example.org/x",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "places": 2,
        "signup_closes_at": start - timedelta(days=1),
    }
    data.update(overrides)
    return PublishVisit.model_validate(data)


def visit(**overrides: object) -> Visit:
    published, _ = domain.publish("visit_t1", body(), "team@example.org", NOW)
    return replace(published, **overrides)  # type: ignore[arg-type]


def signup(
    status: SignupStatus = SignupStatus.WAITLISTED, previous: Signup | None = None, **overrides: object
) -> Signup:
    made = domain.new_signup(
        visit(),
        SignUp(),
        signup_id="signup_2" if previous else "signup_1",
        member_id="mem_1",
        name="Amara Okafor",
        email="amara@example.org",
        now=NOW,
        previous=previous,
    )
    return replace(made, status=status, ticket=1, **overrides)  # type: ignore[arg-type]


def test_publishing_makes_the_visit_and_its_event() -> None:
    made, event = domain.publish("visit_t1", body(places=12), "team@example.org", NOW)
    assert made.status == VisitStatus.PUBLISHED and made.places_left == 12
    assert event.places == event.places_left == 12 and event.visit_id == "visit_t1"
    assert made.starts_at.tzinfo is not None and made.starts_at.utcoffset() == timedelta(0)
    assert not hasattr(event, "joining_link")  # the newsletter must never print it


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"starts_at": NOW - timedelta(hours=1), "ends_at": NOW, "signup_closes_at": NOW - timedelta(days=1)},
            "starts_at",
        ),
        (
            {
                "starts_at": NOW + timedelta(days=4 * 365),
                "ends_at": NOW + timedelta(days=4 * 365, hours=1),
                "signup_closes_at": NOW + timedelta(days=4 * 365 - 1),
            },
            "starts_at",
        ),
        ({"signup_closes_at": NOW - timedelta(minutes=1)}, "signup_closes_at"),
    ],
)
def test_publishing_refuses_impossible_times(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidVisit) as refused:
        domain.publish("visit_t1", body(**overrides), "team@example.org", NOW)
    assert refused.value.field == field and refused.value.status == 422


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"places": 0}, "places"),
        ({"places": 5001}, "places"),
        ({"ends_at": NOW + timedelta(days=30)}, "ends_at"),
        ({"starts_at": datetime(2027, 3, 1, 10, 0)}, "starts_at"),  # no offset
        ({"format": "in_person", "location": "  "}, "location"),
        ({"format": "hybrid", "location": "Leeds", "joining_link": ""}, "joining_link"),
        ({"joining_link": "ftp://example.org/x"}, "joining_link"),
        ({"signup_closes_at": NOW + timedelta(days=31)}, "signup_closes_at"),
        ({"title": "\x00\x00"}, "title"),
    ],
)
def test_the_body_refuses_malformed_visits(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        body(**overrides)
    assert field in {str(e["loc"][0]) for e in refused.value.errors()}


def test_text_is_cleaned_of_control_characters() -> None:
    cleaned = body(title="Peer\x00groups\u200b  visit", description="Line one\r\nLine\x07two")
    assert cleaned.title == "Peer groups visit"
    assert cleaned.description == "Line one\nLine two"


def test_sign_up_windows() -> None:
    open_visit = visit()
    domain.ensure_open_for_signup(open_visit, NOW, TZ)
    with pytest.raises(VisitClosed, match="closed on"):
        domain.ensure_open_for_signup(open_visit, open_visit.signup_closes_at, TZ)
    with pytest.raises(VisitClosed, match="already taken place"):
        domain.ensure_open_for_signup(open_visit, open_visit.starts_at + timedelta(minutes=1), TZ)
    with pytest.raises(VisitClosed, match="cancelled"):
        domain.ensure_open_for_signup(replace(open_visit, status=VisitStatus.CANCELLED), NOW, TZ)


def test_places_to_fill_stop_when_the_visit_starts_or_is_cancelled() -> None:
    half_full = visit(places=4, taken=2, confirmed=1)
    assert half_full.places_to_fill(NOW) == 2 and half_full.open_offers == 1
    assert half_full.places_to_fill(half_full.starts_at) == 0
    assert replace(half_full, status=VisitStatus.CANCELLED).places_to_fill(NOW) == 0


def test_positions_count_only_who_is_still_ahead() -> None:
    assert domain.position_when_joined(ticket=1, tickets_done=0) == 1
    assert domain.position_when_joined(ticket=7, tickets_done=4) == 3


def test_places_cannot_drop_below_those_taken() -> None:
    taken = visit(places=5, taken=3)
    domain.ensure_can_change_places(taken, 3, NOW)
    with pytest.raises(domain.Conflict) as refused:
        domain.ensure_can_change_places(taken, 2, NOW)
    assert refused.value.field == "places" and "3 places are already taken" in refused.value.message


def test_an_offer_lasts_its_hours_but_never_past_the_start() -> None:
    offering = visit(offer_hours=48)
    assert domain.offer_expiry(offering, NOW) == NOW + timedelta(hours=48)
    late = offering.starts_at - timedelta(hours=3)
    assert domain.offer_expiry(offering, late) == offering.starts_at


def test_accepting_an_offer() -> None:
    offering = visit()
    offered, event = domain.offer(offering, signup(), "offer_1", NOW)
    assert offered.status == SignupStatus.OFFERED and event.offer_expires_at == NOW + timedelta(hours=24)
    accepted, promoted = domain.accept(offering, offered, "offer_1", NOW + timedelta(hours=1), tz=TZ)
    assert accepted.status == SignupStatus.CONFIRMED and promoted.via == "offer"
    assert promoted.ics_sequence > 0
    with pytest.raises(OfferNotOpen, match="You accepted this place"):
        domain.accept(offering, accepted, "offer_1", NOW + timedelta(hours=2), tz=TZ)
    with pytest.raises(OfferNotOpen, match=r"expired .*Nothing has changed"):
        domain.accept(offering, offered, "offer_1", NOW + timedelta(hours=24), tz=TZ)
    with pytest.raises(OfferNotOpen, match="no longer yours"):
        domain.accept(offering, offered, "offer_old", NOW, tz=TZ)
    with pytest.raises(OfferNotOpen, match="no open offer"):
        domain.accept(offering, signup(), None, NOW, tz=TZ)


def test_giving_up_needs_something_to_give_up() -> None:
    with pytest.raises(NotFound):
        domain.ensure_can_give_up(visit(), None, NOW)
    with pytest.raises(NotFound):
        domain.ensure_can_give_up(visit(), signup(SignupStatus.CANCELLED), NOW)
    with pytest.raises(VisitClosed):
        domain.ensure_can_give_up(visit(status=VisitStatus.CANCELLED), signup(), NOW)
    cancelled, event = domain.give_up(visit(), signup(SignupStatus.CONFIRMED), NOW)
    assert cancelled.status == SignupStatus.CANCELLED and event.previous_status == "confirmed"


def test_calendar_sequences_only_grow() -> None:
    going = signup(SignupStatus.CONFIRMED)
    invited = domain.calendar_sequence(visit(), going)
    cancelled, event = domain.give_up(visit(), going, NOW)
    assert event.ics_sequence > invited
    again = signup(SignupStatus.CONFIRMED, previous=cancelled)
    assert domain.calendar_sequence(visit(), again) > event.ics_sequence
    assert domain.calendar_sequence(visit(revision=1), cancelled) > event.ics_sequence  # the visit is cancelled


def test_when_shows_the_end_date_only_when_it_differs() -> None:
    day = visit(starts_at=datetime(2027, 4, 26, 9, 0, tzinfo=UTC), ends_at=datetime(2027, 4, 26, 14, 30, tzinfo=UTC))
    assert day.when(TZ) == "Monday 26 April 2027, 10:00am to 3:30pm"
    overnight = replace(day, ends_at=datetime(2027, 4, 27, 8, 0, tzinfo=UTC))
    assert overnight.when(TZ) == "Monday 26 April 2027, 10:00am to Tuesday 27 April 2027, 9:00am"


def test_uk_times_from_a_form() -> None:
    summer = domain.local_time("2027-04-26T10:00", TZ)
    assert summer.astimezone(UTC) == datetime(2027, 4, 26, 9, 0, tzinfo=UTC)
    winter = domain.local_time("2027-01-26T10:00", TZ)
    assert winter.astimezone(UTC) == datetime(2027, 1, 26, 10, 0, tzinfo=UTC)
    with pytest.raises(domain.NoSuchLocalTime):
        domain.local_time("2027-03-28T01:30", TZ)  # the clocks go forward at 01:00
    with pytest.raises(ValueError):
        domain.local_time("next Tuesday", TZ)
    assert domain.local_time("2027-04-26T10:00+00:00", TZ).utcoffset() == timedelta(0)


def test_invitation_parses_with_a_stable_uid_and_utc_times() -> None:
    going = signup(SignupStatus.CONFIRMED, name='Amara "AO" Okafor')
    online = visit()
    attachment = calendar.invitation(
        online,
        going,
        method="REQUEST",
        sequence=3,
        sender="Q <no-reply@q.example.org>",
        organiser_name="Q community",
        page_url="https://q.example.org/visits/visit_t1",
        now=NOW,
    )
    assert attachment.content_type.startswith("text/calendar; method=REQUEST")
    parsed = Calendar.from_ical(attachment.content)
    (event,) = parsed.walk("VEVENT")
    assert str(parsed["METHOD"]) == "REQUEST" and int(event["SEQUENCE"]) == 3
    assert str(event["UID"]) == "visit_t1.mem_1@q.example.org"
    assert event.decoded("DTSTART") == online.starts_at and event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert "https://meet.example.org/x" in str(event["DESCRIPTION"])
    cancel = Calendar.from_ical(
        calendar.invitation(
            online,
            going,
            method="CANCEL",
            sequence=4,
            sender="no-reply@q.example.org",
            organiser_name="Q",
            page_url="https://q.example.org/visits/visit_t1",
            now=NOW,
        ).content
    )
    (cancelled,) = cancel.walk("VEVENT")
    assert str(cancelled["UID"]) == str(event["UID"]) and str(cancelled["STATUS"]) == "CANCELLED"
    assert "meet.example.org" not in str(cancelled["DESCRIPTION"])


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("  =1+1", "'  =1+1"),
        ("\t=1", "'\t=1"),
        ("Step-free access", "Step-free access"),
        ("a\x00b", "ab"),
        (None, ""),
    ],
)
def test_csv_cells_are_never_formulas(value: object, shown: str) -> None:
    assert safe_cell(value) == shown


def test_csv_keeps_commas_quotes_and_line_breaks_in_their_cell() -> None:
    note = 'Said "yes", then\nleft'
    rows = list(csv.reader(io.StringIO(attendees_csv([(signup(note=note), 1)]).lstrip("\ufeff"))))
    assert rows[1][6] == note and rows[1][3] == "1" and len(rows) == 2
