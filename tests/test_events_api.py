"""Events through the API against the local runtime: publishing (staff only), the 11th of 10
waits with a position, questions answered at sign-up, series taken whole or by session, changed
details reaching attendees with an updated invitation, attendance, and what other areas ask."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import STAFF, Api
from tests.test_visits_helpers import calendars, iso, raw_messages, session, set_attributes


def event_body(**overrides: Any) -> dict[str, Any]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
    body: dict[str, Any] = {
        "kind": "community_event",
        "title": "Q community event: Bristol",
        "description": "A day of Open Space conversations hosted by members, in Bristol.",
        "format": "in_person",
        "location": "Engine Shed, Station Approach, Bristol",
        "starts_at": iso(start),
        "ends_at": iso(start + timedelta(hours=6)),
        "places": 10,
        "signup_closes_at": iso(start - timedelta(days=2)),
        "access_questions": ["Do you need step-free access?"],
        "open_space": {
            "slots": [
                {"starts_at": iso(start + timedelta(hours=1)), "ends_at": iso(start + timedelta(hours=2))},
                {"starts_at": iso(start + timedelta(hours=3)), "ends_at": iso(start + timedelta(hours=4))},
            ],
            "spaces": [{"name": "Main hall", "capacity": 60}, {"name": "Room 2", "capacity": 12}],
            "marketplace_closes_at": iso(start + timedelta(minutes=45)),
        },
    }
    body.update(overrides)
    return body


def publish_event(api: Api, **overrides: Any) -> dict[str, Any]:
    response = api.post("/api/events", json=event_body(**overrides), headers=api.auth(STAFF, staff=True))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_members_cannot_publish_and_bad_bodies_say_why(api: Api) -> None:
    member = api.auth("amara.okafor@example.org")
    assert api.post("/api/events", json=event_body(), headers=member).status_code == 403
    staff = api.auth(STAFF, staff=True)
    no_venue = api.post("/api/events", json=event_body(location=""), headers=staff)
    assert no_venue.status_code == 422 and "in-person or hybrid event" in no_venue.text
    no_series = api.post("/api/events", json=event_body(kind="series_session"), headers=staff)
    assert no_series.status_code == 422 and "series this session belongs to" in no_series.text
    ghost = api.post("/api/events", json=event_body(kind="series_session", series_id="series_nothere"), headers=staff)
    assert ghost.status_code == 404


def test_the_eleventh_of_ten_waits_and_other_areas_can_ask_who_holds_a_place(api: Api) -> None:
    from functions.events import attendance

    event = publish_event(api)
    event_id = event["event_id"]
    assert event["open_space"]["spaces"][1] == {"name": "Room 2", "capacity": 12, "online": False}
    members = [f"member{i}@example.org" for i in range(11)]
    answers = []
    for i, address in enumerate(members):
        response = api.post(
            f"/api/events/{event_id}/signups",
            json={"answers": ["Yes, please" if i == 0 else ""]},
            headers=session(address),
        )
        assert response.status_code == 201, response.text
        answers.append(response.json())
    assert [a["status"] for a in answers] == ["confirmed"] * 10 + ["waitlisted"]
    assert answers[10]["position"] == 1 and answers[0]["answers"] == [["Do you need step-free access?", "Yes, please"]]
    first = answers[0]["member_id"]
    assert attendance.holds_place(event_id, first)
    assert not attendance.holds_place(event_id, answers[10]["member_id"])
    assert not attendance.holds_place("event_nothere", first)
    assert len(attendance.confirmed_attendees(event_id)) == 10
    listed = api.get("/api/events?format=in_person&kind=community_event").json()["events"]
    assert event_id in [e["event_id"] for e in listed]
    assert event_id not in [e["event_id"] for e in api.get("/api/events?format=online").json()["events"]]


def test_changed_details_reach_attendees_with_an_updated_invitation_and_attendance_is_marked(api: Api, email) -> None:
    event_id = publish_event(api, title="Liberating Structures: an introduction", kind="workshop", places=2)["event_id"]
    going = email("priya")
    waiting_one = email("tom")
    headers = api.auth(going, name="Priya")
    assert api.post(f"/api/events/{event_id}/signups", headers=headers).status_code == 201
    api.post(f"/api/events/{event_id}/signups", headers=api.auth(email("xan"), name="Xan"))
    api.post(f"/api/events/{event_id}/signups", headers=api.auth(waiting_one, name="Tom"))
    (confirmation,) = raw_messages(api, going, "Your place is confirmed")
    (first,) = calendars(confirmation)
    staff = api.auth(STAFF, staff=True)
    changed = api.request(
        "PATCH", f"/api/events/{event_id}/details", json={"location": "Room 4, Leeds Hub"}, headers=staff
    )
    assert changed.status_code == 200, changed.text
    (update,) = raw_messages(api, going, "Changed: Liberating Structures")
    (second,) = calendars(update)
    assert str(second["METHOD"]) == "REQUEST"
    (a,), (b,) = first.walk("VEVENT"), second.walk("VEVENT")
    assert str(a["UID"]) == str(b["UID"]) and int(b["SEQUENCE"]) > int(a["SEQUENCE"])
    assert "Room 4, Leeds Hub" in str(b["LOCATION"])
    told = api.one_mail(waiting_one, "Changed: Liberating Structures")
    assert "where" in told["text"] and not calendars(raw_messages(api, waiting_one, "Changed")[0])

    early = api.post(
        f"/api/events/{event_id}/attendance", json={"marks": [{"member_id": "x", "attended": True}]}, headers=staff
    )
    assert early.status_code == 409  # not started yet
    past = iso(datetime.now(UTC) - timedelta(minutes=5))
    set_attributes(api, {"pk": f"EVENT#{event_id}", "sk": "EVENT"}, starts_at=past)
    roster = api.get(f"/api/events/{event_id}/attendees", headers=staff).json()["attendees"]
    mine = next(r for r in roster if r["email"] == going)
    marked = api.post(
        f"/api/events/{event_id}/attendance",
        json={"marks": [{"member_id": mine["member_id"], "attended": True}]},
        headers=staff,
    )
    assert marked.status_code == 200 and marked.json() == {"marked": 1}, marked.text
    roster = api.get(f"/api/events/{event_id}/attendees", headers=staff).json()["attendees"]
    assert next(r for r in roster if r["email"] == going)["attended"] is True
    waiting = next(r for r in roster if r["email"] == waiting_one)
    refused = api.post(
        f"/api/events/{event_id}/attendance",
        json={"marks": [{"member_id": waiting["member_id"], "attended": True}]},
        headers=staff,
    )
    assert refused.status_code == 400 and "confirmed attendees" in refused.text


def test_a_series_is_signed_up_for_as_it_allows(api: Api) -> None:
    staff = api.auth(STAFF, staff=True)
    whole = api.post(
        "/api/series",
        json={
            "title": "Building resilience in the workforce",
            "description": "Three online sessions on building resilience in health and care teams.",
            "signup_mode": "whole",
        },
        headers=staff,
    ).json()
    sessions = []
    for n in range(3):
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20 + 7 * n)
        sessions.append(
            publish_event(
                api,
                kind="series_session",
                series_id=whole["series_id"],
                title=f"Resilience, session {n + 1}",
                format="online",
                location="",
                joining_link="https://meet.example.org/resilience",
                starts_at=iso(start),
                ends_at=iso(start + timedelta(hours=1)),
                signup_closes_at=iso(start - timedelta(hours=2)),
                places=1 if n == 2 else 30,
                open_space=None,
            )["event_id"]
        )
    # The list reads the upcoming events and every series in one Query: the same as reading each.
    from functions.events.repository import EventRepository

    listed = api.get("/api/events?format=online").json()
    assert [s["series_id"] for s in listed["series"]] == [s.series_id for s in EventRepository().all_series()]
    assert listed["series"][0]["series_id"] == whole["series_id"]
    assert [e["event_id"] for e in listed["events"] if e["event_id"] in sessions] == sessions
    assert all(e["event_id"].startswith("event_") for e in listed["events"])
    member = api.auth("amara.okafor@example.org", name="Amara")
    single = api.post(f"/api/events/{sessions[0]}/signups", headers=member)
    assert single.status_code == 409 and "sign up for the series" in single.text
    api.post(f"/api/series/{whole['series_id']}/signups", headers=api.auth("first@example.org", name="First"))
    signed = api.post(f"/api/series/{whole['series_id']}/signups", json={"access_needs": "Captions"}, headers=member)
    assert signed.status_code == 201, signed.text
    statuses = [(s["event_id"], s["status"]) for s in signed.json()["signups"]]
    assert statuses == [(sessions[0], "confirmed"), (sessions[1], "confirmed"), (sessions[2], "waitlisted")]
    detail = api.get(f"/api/series/{whole['series_id']}").json()
    assert [s["event_id"] for s in detail["sessions"]] == sessions
    page = api.get(f"/series/{whole['series_id']}", headers=member)
    assert page.status_code == 200 and "you are number 1 on the waiting list" in page.text
