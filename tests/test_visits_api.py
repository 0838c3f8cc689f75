"""Visits end to end over HTTP against the local runtime: publishing, listing, signing up with
a waiting list, .ics invitations, cancelling by email link, promotion, reminders, the team's
changes and attendee lists, and the rules around them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import STAFF, Api
from tests.test_visits_helpers import (
    attendees,
    calendars,
    iso,
    link,
    my_signup,
    publish,
    raw_messages,
    set_attributes,
    sign_up,
    statuses,
    token_of,
    visit_body,
)


def test_publish_sign_up_cancel_by_link_and_promote(api: Api, email) -> None:
    visit_id = publish(api, places=2)
    listed = {v["visit_id"]: v for v in api.get("/api/visits").json()["visits"]}
    assert listed[visit_id]["places_left"] == 2 and listed[visit_id]["joining_link"] is None

    first, second, third = email("amara"), email("tom"), email("priya")
    one = sign_up(api, visit_id, first, access_needs="Step-free access, please", dietary_needs="Vegan")
    assert one.status_code == 201 and one.json()["status"] == "confirmed", one.text
    assert one.json()["joining_link"] == "https://meet.example.org/organising"
    assert sign_up(api, visit_id, second).json()["status"] == "confirmed"
    waiting = sign_up(api, visit_id, third, note="Happy to wait")
    assert waiting.status_code == 201
    assert waiting.json()["status"] == "waitlisted" and waiting.json()["position"] == 1
    assert waiting.json()["joining_link"] is None

    # Signing up again answers with the existing sign-up.
    again = sign_up(api, visit_id, first)
    assert again.status_code == 200 and again.json()["status"] == "confirmed"

    visit = api.get(f"/api/visits/{visit_id}").json()
    assert (visit["places_left"], visit["waiting"]) == (0, 1)
    assert visit["joining_link"] is None  # anonymous
    assert api.get(f"/api/visits/{visit_id}", headers=api.auth(first)).json()["joining_link"]
    assert api.get(f"/api/visits/{visit_id}", headers=api.auth(third)).json()["joining_link"] is None

    # The confirmation carries a calendar invitation a calendar program reads.
    (message,) = raw_messages(api, first, "Your place is confirmed")
    assert "https://meet.example.org/organising" in message.get_body(("plain",)).get_content()
    (invite,) = calendars(message)
    assert str(invite["METHOD"]) == "REQUEST"
    (event,) = invite.walk("VEVENT")
    starts = datetime.fromisoformat(visit_body()["starts_at"])
    assert abs(event.decoded("DTSTART") - datetime.fromisoformat(visit["starts_at"])) == timedelta(0)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert abs(event.decoded("DTSTART") - starts) < timedelta(minutes=5)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=2)
    uid = str(event["UID"])
    assert visit_id in uid and int(event["SEQUENCE"]) == 0
    assert "mailto:" + first in str(event["ATTENDEE"]).lower()
    waitlisted_mail = api.one_mail(third, "waiting list")
    assert "number 1" in waitlisted_mail["text"] and not waitlisted_mail["attachments"]

    # The cancel link: GET and HEAD show a page and change nothing.
    path = link(api, first, "Your place is confirmed", "/cancel-place?token=")
    for method in ("GET", "HEAD", "GET"):
        page = api.request(method, path)
        assert page.status_code == 200
        assert page.headers["Referrer-Policy"] == "same-origin"
    assert "Cancel my place" in api.get(path).text
    assert statuses(api, visit_id)[first] == "confirmed"

    done = api.post(f"/visits/{visit_id}/cancel-place", data={"token": token_of(path)})
    assert done.status_code == 200 and "cancelled on" in done.text
    # The same link again: the page shows what happened and when; nothing changes.
    again_page = api.post(f"/visits/{visit_id}/cancel-place", data={"token": token_of(path)})
    assert again_page.status_code == 200 and "cancelled on" in again_page.text

    # The waiting member is promoted and invited; the canceller's calendar entry is cancelled.
    api.settle()
    assert statuses(api, visit_id) == {first: "cancelled", second: "confirmed", third: "confirmed"}
    (promoted,) = raw_messages(api, third, "Your place is confirmed")
    assert "a place has become free" in promoted.get_body(("plain",)).get_content().lower()
    (cancelled,) = raw_messages(api, first, "Cancelled")
    (removal,) = calendars(cancelled)
    (removed,) = removal.walk("VEVENT")
    assert str(removal["METHOD"]) == "CANCEL" and str(removed["UID"]) == uid
    assert int(removed["SEQUENCE"]) > int(event["SEQUENCE"])
    listing = attendees(api, visit_id)
    assert listing["confirmed"] == 2 and listing["waiting"] == 0
    assert api.get(f"/api/visits/{visit_id}").json()["places_left"] == 0

    # Signing up again after cancelling: a fresh sign-up, whose invitation outranks the CANCEL.
    back = sign_up(api, visit_id, first)
    assert back.status_code == 201 and back.json()["status"] == "waitlisted"
    assert api.delete(f"/api/visits/{visit_id}/signups/me", headers=api.auth(first)).status_code == 204
    assert api.delete(f"/api/visits/{visit_id}/signups/me", headers=api.auth(first)).status_code == 404


def test_more_places_promote_and_fewer_than_taken_are_refused(api: Api, email) -> None:
    visit_id = publish(api, places=1)
    members = [email(f"m{i}") for i in range(4)]
    assert [sign_up(api, visit_id, m).json()["status"] for m in members] == ["confirmed"] + ["waitlisted"] * 3
    staff = api.auth(STAFF, staff=True)
    assert api.request("PATCH", f"/api/visits/{visit_id}", json={"places": 3}, headers=staff).status_code == 200
    api.settle()
    assert [statuses(api, visit_id)[m] for m in members] == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert my_signup(api, visit_id, members[3])["position"] == 1
    fewer = api.request("PATCH", f"/api/visits/{visit_id}", json={"places": 2}, headers=staff)
    assert fewer.status_code == 409 and fewer.json()["errors"][0]["field"] == "places"
    member = api.request("PATCH", f"/api/visits/{visit_id}", json={"places": 9}, headers=api.auth(members[3]))
    assert member.status_code == 403


def test_positions_move_up_when_people_ahead_leave(api: Api, email) -> None:
    visit_id = publish(api, places=1)
    members = [email(f"q{i}") for i in range(4)]
    for member in members:
        sign_up(api, visit_id, member)
    assert [my_signup(api, visit_id, m)["position"] for m in members[1:]] == [1, 2, 3]
    assert api.delete(f"/api/visits/{visit_id}/signups/me", headers=api.auth(members[1])).status_code == 204
    assert [my_signup(api, visit_id, m)["position"] for m in members[2:]] == [1, 2]
    mine = api.get("/api/visits/signups/mine", headers=api.auth(members[3])).json()["signups"]
    assert [(s["visit"]["visit_id"], s["signup"]["position"]) for s in mine] == [(visit_id, 2)]
    api.settle()
    assert api.one_mail(members[1], "You have left the waiting list")


def test_reminders_go_out_when_the_schedule_runs(api: Api, email) -> None:
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    visit_id = publish(
        api,
        places=1,
        starts_at=iso(soon),
        ends_at=iso(soon + timedelta(hours=1)),
        signup_closes_at=iso(soon - timedelta(hours=1)),
    )
    going, waiting = email("going"), email("waiting")
    sign_up(api, visit_id, going)
    sign_up(api, visit_id, waiting)
    api.settle()
    assert api.runtime.run_schedule("visit-reminders")["visits_due_a_reminder"] >= 1
    reminder = api.one_mail(going, "Reminder")
    assert "https://meet.example.org/organising" in reminder["text"]
    assert not api.mail(waiting, subject="Reminder")
    # Running the schedule again sends nothing more.
    api.runtime.run_schedule("visit-reminders")
    assert len(api.mail(going, subject="Reminder")) == 1


def test_cancelling_a_visit_tells_everyone_with_a_calendar_cancel(api: Api, email) -> None:
    visit_id = publish(api, places=1, format="hybrid", location="Leeds Civic Hall")
    going, waiting = email("going"), email("waiting")
    sign_up(api, visit_id, going)
    sign_up(api, visit_id, waiting)
    staff = api.auth(STAFF, staff=True)
    response = api.post(f"/api/visits/{visit_id}/cancellation", json={"reason": "The host is unwell."}, headers=staff)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert visit_id not in [v["visit_id"] for v in api.get("/api/visits").json()["visits"]]
    assert api.post(f"/api/visits/{visit_id}/cancellation", json={}, headers=staff).status_code == 409
    (told,) = raw_messages(api, going, "Cancelled: ")
    assert "The host is unwell." in told.get_body(("plain",)).get_content()
    (cancel,) = calendars(told)
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(cancel.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    (waiting_told,) = raw_messages(api, waiting, "Cancelled: ")
    assert not calendars(waiting_told)
    late = sign_up(api, visit_id, email())
    assert late.status_code == 409 and "cancelled" in late.json()["message"]


def test_closed_and_past_visits_refuse_sign_ups_clearly(api: Api, email) -> None:
    visit_id = publish(api)
    past = iso(datetime.now(UTC) - timedelta(minutes=5))
    set_attributes(api, {"pk": f"VISIT#{visit_id}", "sk": "VISIT"}, signup_closes_at=past)
    closed = sign_up(api, visit_id, email())
    assert closed.status_code == 409 and "closed" in closed.json()["message"]
    set_attributes(api, {"pk": f"VISIT#{visit_id}", "sk": "VISIT"}, starts_at=past)
    gone = sign_up(api, visit_id, email())
    assert gone.status_code == 409 and "already taken place" in gone.json()["message"]
    assert api.post("/api/visits/visit_nosuch/signups", json={}, headers=api.auth(email())).status_code == 404


def test_attendees_for_staff_with_a_safe_csv(api: Api, email) -> None:
    visit_id = publish(api, places=1)
    tricky, other = email("tricky"), email("other")
    sign_up(api, visit_id, tricky, access_needs='=HYPERLINK("http://evil.example","x")', note='Line one\nsaid "hi", ok')
    sign_up(api, visit_id, other, dietary_needs="+44 nuts; -no dairy", note="@everyone")
    member = api.auth(tricky)
    assert api.get(f"/api/visits/{visit_id}/attendees", headers=member).status_code == 403
    assert api.get(f"/api/visits/{visit_id}/attendees.csv").status_code == 401
    listing = attendees(api, visit_id)
    assert [(a["email"], a["status"], a["position"]) for a in listing["attendees"]] == [
        (tricky, "confirmed", None),
        (other, "waitlisted", 1),
    ]
    response = api.get(f"/api/visits/{visit_id}/attendees.csv", headers=api.auth(STAFF, staff=True))
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Name" and len(rows) == 3
    assert rows[1][4] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1][6] == 'Line one\nsaid "hi", ok'
    assert rows[2][5] == "'+44 nuts; -no dairy" and rows[2][6] == "'@everyone"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"places": 0}, "places"),
        ({"places": -3}, "places"),
        ({"places": 10**12}, "places"),
        ({"places": "lots"}, "places"),
        ({"ends_at": iso(datetime.now(UTC) + timedelta(days=29))}, "ends_at"),
        ({"starts_at": "2027-04-26T10:00:00"}, "starts_at"),
        ({"starts_at": "9999-12-31T23:59:59+14:00"}, "starts_at"),
        ({"signup_closes_at": iso(datetime.now(UTC) + timedelta(days=31))}, "signup_closes_at"),
        ({"format": "in_person", "location": ""}, "location"),
        ({"joining_link": "javascript:alert(1)"}, "joining_link"),
        ({"format": "carrier pigeon"}, "format"),
        ({"title": "\u0000\u0000\u0000"}, "title"),
        ({"waitlist_mode": "offer", "offer_hours": 0}, "offer_hours"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_visits_are_refused_with_the_field(api: Api, body: dict[str, object], field: str) -> None:
    response = api.post("/api/visits", json=visit_body(**body), headers=api.auth(STAFF, staff=True))
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]], response.text


def test_past_starts_and_bad_bodies_never_500(api: Api, email) -> None:
    staff = {**api.auth(STAFF, staff=True), "Content-Type": "application/json"}
    past = datetime.now(UTC) - timedelta(days=1)
    response = api.post(
        "/api/visits",
        json=visit_body(
            starts_at=iso(past), ends_at=iso(past + timedelta(hours=1)), signup_closes_at=iso(past - timedelta(hours=1))
        ),
        headers=staff,
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "starts_at"
    for raw in ("{not json", "[]", "null", '{"title": "\\u0000"}', "\xff"):
        bad = api.post("/api/visits", data=raw.encode("utf-8", "surrogateescape"), headers=staff)
        assert 400 <= bad.status_code < 500, bad.text
    visit_id = publish(api)
    member = {**api.auth(email()), "Content-Type": "application/json"}
    for raw in ("{oops", '{"note": 5}', '{"note": "' + "x" * 2000 + '"}', '{"access_needs": "a\\u0000b"}'):
        bad = api.post(f"/api/visits/{visit_id}/signups", data=raw, headers=member)
        assert bad.status_code in (201, 422), bad.text
    assert api.get("/api/visits/" + "x" * 300).status_code in (404, 422)
    assert api.get("/api/visits/visit_%00").status_code in (404, 422)
    assert api.get("/visits/<script>").status_code in (404, 422)
    assert api.post("/api/visits", json=visit_body(), headers=api.auth(email())).status_code == 403
    assert api.post("/api/visits", json=visit_body()).status_code == 401
