"""The events pages as a browser uses them: the team publishes an Open Space event and a series
on forms; members see what's on with filters, answer the event's questions when signing up, and
sign up for a series; the events page lists visits too."""

from __future__ import annotations

from tests.conftest import STAFF, Api
from tests.test_visits_helpers import publish
from tests.test_visits_pages import browser, csrf


def _date(name: str, day: str, month: str, year: str, clock: str) -> dict[str, str]:
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year, f"{name}-time": clock}


def test_the_team_publishes_an_open_space_event_and_members_answer_its_questions(api: Api) -> None:
    staff = browser(api, STAFF, staff=True)
    page = api.get("/events/new", headers=staff)
    assert page.status_code == 200 and 'id="starts_at-day"' in page.text
    form = {
        "csrf_token": csrf(page.text),
        "kind": "community_event",
        "title": "Q community event: Leeds",
        "description": "A day of Open Space conversations hosted by members, in Leeds.",
        "format": "in_person",
        "location": "Leeds Corn Exchange",
        **_date("starts_at", "14", "10", "2027", "9:30am"),
        **_date("ends_at", "14", "10", "2027", "4:30pm"),
        "places": "10",
        **_date("signup_closes_at", "7", "10", "2027", "17:00"),
        "waitlist_mode": "automatic",
        "access_questions": "Do you need step-free access?\nWould a quiet room help?",
        "open_space": "yes",
        "spaces": "Main hall, 80\nRoom 2, 12\nBreakout A, 20, online",
        "slots": "10:30-11:30\n13:00 - 14:00",
        "marketplace_closes": "10:15",
    }
    bad = api.post("/events/new", data={**form, "spaces": "Main hall"}, headers=staff)
    assert bad.status_code == 422 and "Space 1: write its name and capacity" in bad.text
    done = api.post("/events/new", data=form, headers=staff)
    assert done.status_code == 303, done.text
    event_id = done.headers["Location"].split("/")[2]
    event = api.get(f"/api/events/{event_id}").json()
    assert event["starts_at"] == "2027-10-14T08:30:00Z"
    assert [s["name"] for s in event["open_space"]["spaces"]] == ["Main hall", "Room 2", "Breakout A"]
    assert event["open_space"]["spaces"][2]["online"] is True
    assert event["open_space"]["slots"][1]["starts_at"] == "2027-10-14T12:00:00Z"
    assert event["open_space"]["marketplace_closes_at"] == "2027-10-14T09:15:00Z"

    member = browser(api, "amara.okafor@example.org")
    shown = api.get(f"/events/{event_id}", headers=member)
    assert "Would a quiet room help? (optional)" in shown.text and "Open Space" in shown.text
    signed = api.post(
        f"/events/{event_id}/signup",
        data={"csrf_token": csrf(shown.text), "answer_1": "Yes", "answer_2": "No, thank you"},
        headers=member,
    )
    assert signed.status_code == 303
    team = api.get(f"/events/{event_id}/staff", headers=staff)
    assert "Do you need step-free access? Yes" in team.text


def test_whats_on_lists_events_and_visits_with_filters(api: Api) -> None:
    visit_id = publish(api, title="Harnessing the power of community organising")
    staff = browser(api, STAFF, staff=True)
    new = api.get("/series/new", headers=staff)
    started = api.post(
        "/series/new",
        data={
            "csrf_token": csrf(new.text),
            "title": "Building resilience in the workforce",
            "description": "Three online sessions on resilience in health and care teams.",
            "signup_mode": "either",
        },
        headers=staff,
    )
    assert started.status_code == 303
    everything = api.get("/events")
    assert f"/visits/{visit_id}" in everything.text
    only_visits = api.get("/events?kind=visit&format=online")
    assert f"/visits/{visit_id}" in only_visits.text
    assert f"/visits/{visit_id}" not in api.get("/events?kind=workshop").text
    assert f"/visits/{visit_id}" not in api.get("/events?format=in_person").text
    assert api.get("/events?kind=<script>").status_code == 200

    from functions.events.whats_on import upcoming

    soonest = upcoming(limit=50)
    assert any(item.href == f"/visits/{visit_id}" for item in soonest)
    assert [i.starts_at for i in soonest] == sorted(i.starts_at for i in soonest)
