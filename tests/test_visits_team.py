"""The team's view of a visit as a browser uses it: the date input, changing details (attendees are
told, with an updated invitation), writing to everyone confirmed, marking attendance afterwards;
and a member's page: leaving asks first, a full visit says so, "Add to calendar"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.conftest import STAFF, Api
from tests.test_visits_helpers import calendars, iso, publish, raw_messages, set_attributes, sign_up
from tests.test_visits_pages import browser, csrf


def test_the_date_input_is_read_in_uk_time_and_says_what_is_wrong(api: Api) -> None:
    staff = browser(api, STAFF, staff=True)
    page = api.get("/visits/new", headers=staff)
    assert 'id="starts_at-day"' in page.text and 'inputmode="numeric"' in page.text
    assert 'name="format" value="online" checked' not in page.text  # no format chosen for the team
    form = {
        "csrf_token": csrf(page.text),
        "title": "Building peer groups to galvanise and sustain change",
        "host_organisation": "Riverside Peer Support Collective",
        "description": "A visit to see how peer groups help people galvanise and sustain change.",
        "format": "online",
        "joining_link": "https://meet.example.org/peer",
        "starts_at-day": "26",
        "starts_at-month": "4",
        "starts_at-year": "2027",
        "starts_at-time": "10:00am",
        "ends_at-day": "26",
        "ends_at-month": "4",
        "ends_at-year": "2027",
        "ends_at-time": "3:30pm",
        "places": "2",
        "signup_closes_at-day": "31",
        "signup_closes_at-month": "4",
        "signup_closes_at-year": "2027",
        "signup_closes_at-time": "17:00",
        "waitlist_mode": "automatic",
    }
    bad = api.post("/visits/new", data=form, headers=staff)
    assert bad.status_code == 422 and "The date sign-up closes must be a real date" in bad.text
    form["signup_closes_at-day"] = "19"
    done = api.post("/visits/new", data=form, headers=staff)
    assert done.status_code == 303, done.text
    visit_id = done.headers["Location"].split("/")[2]
    visit = api.get(f"/api/visits/{visit_id}").json()
    assert visit["starts_at"] == "2027-04-26T09:00:00Z" and visit["ends_at"] == "2027-04-26T14:30:00Z"


def test_the_team_changes_details_writes_to_attendees_and_marks_attendance(api: Api, email) -> None:
    visit_id = publish(api, places=1, title="Harnessing the power of community organising")
    going, waiting = email("amara"), email("tom")
    assert sign_up(api, visit_id, going).json()["status"] == "confirmed"
    assert sign_up(api, visit_id, waiting).json()["status"] == "waitlisted"
    (confirmation,) = raw_messages(api, going, "Your place is confirmed")
    (invite,) = calendars(confirmation)

    staff = browser(api, STAFF, staff=True)
    team = api.get(f"/visits/{visit_id}/staff", headers=staff)
    assert team.status_code == 200 and 'id="starts_at-year"' in team.text
    start = datetime.now(UTC) + timedelta(days=31)
    later = {
        "csrf_token": csrf(team.text),
        "title": "Harnessing the power of community organising",
        "description": "An online visit to learn how community organising builds power for change.",
        "joining_link": "https://meet.example.org/organising-new",
    }
    for name, moment in (
        ("starts_at", start),
        ("ends_at", start + timedelta(hours=2)),
        ("signup_closes_at", start - timedelta(days=1)),
    ):
        london = moment.astimezone(ZoneInfo("Europe/London"))
        later |= {f"{name}-day": str(london.day), f"{name}-month": str(london.month), f"{name}-year": str(london.year)}
        later[f"{name}-time"] = london.strftime("%H:%M")
    changed = api.post(f"/visits/{visit_id}/staff/details", data=later, headers=staff)
    assert changed.status_code == 303 and changed.headers["Location"].endswith("done=details"), changed.text
    (update,) = raw_messages(api, going, "Changed: Harnessing")
    (updated,) = calendars(update)
    (before,), (after,) = invite.walk("VEVENT"), updated.walk("VEVENT")
    assert str(before["UID"]) == str(after["UID"]) and int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert "organising-new" in str(after["DESCRIPTION"])
    told = api.one_mail(waiting, "Changed: Harnessing")
    assert "start time" in told["text"] and "organising-new" not in told["text"]  # the link is for attendees

    message = {"csrf_token": csrf(team.text), "subject": "Before the visit", "message": "Please read the notes."}
    assert api.post(f"/visits/{visit_id}/staff/message", data=message, headers=staff).status_code == 303
    assert "Please read the notes." in api.one_mail(going, "Before the visit")["text"]
    assert not api.mail(waiting, subject="Before the visit")

    set_attributes(api, {"pk": f"VISIT#{visit_id}", "sk": "VISIT"}, starts_at=iso(datetime.now(UTC)))
    team = api.get(f"/visits/{visit_id}/staff", headers=staff)
    member_id = sign_up(api, visit_id, going).json()["member_id"]
    marks = {"csrf_token": csrf(team.text), f"attended-{member_id}": "yes"}
    assert api.post(f"/visits/{visit_id}/staff/attendance", data=marks, headers=staff).status_code == 303
    assert "Came" in api.get(f"/visits/{visit_id}/staff", headers=staff).text


def test_a_member_confirms_leaving_sees_full_and_can_add_the_visit_to_a_calendar(api: Api, email) -> None:
    visit_id = publish(api, places=1)
    going, other = email("priya"), email("tom")
    sign_up(api, visit_id, going)
    mine = browser(api, going)
    page = api.get(f"/visits/{visit_id}", headers=mine)
    assert f'href="/visits/{visit_id}/calendar.ics"' in page.text and "Add to calendar" in page.text
    ics = api.get(f"/visits/{visit_id}/calendar.ics", headers=mine)
    assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
    assert api.get(f"/visits/{visit_id}/calendar.ics", headers=browser(api, other)).status_code == 404
    full = api.get(f"/visits/{visit_id}", headers=browser(api, other))
    assert "<strong>Full.</strong>" in full.text and "Join the waiting list" in full.text
    confirm = api.get(f"/visits/{visit_id}/leave", headers=mine)
    assert confirm.status_code == 200 and "Cancel your place?" in confirm.text
    assert api.get(f"/api/visits/{visit_id}/signups/me", headers=api.auth(going)).json()["status"] == "confirmed"
    left = api.post(f"/visits/{visit_id}/leave", data={"csrf_token": csrf(confirm.text)}, headers=mine)
    assert left.status_code == 303
