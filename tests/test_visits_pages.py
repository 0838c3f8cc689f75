"""The Visits pages as a browser uses them (cookie session, CSRF token, forms, redirects):
publishing, signing up, the team's view, and what bad input looks like."""

from __future__ import annotations

import re
from html import unescape

from tests.conftest import STAFF, Api
from tests.test_visits_helpers import publish, statuses

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def browser(api: Api, email: str, *, staff: bool = False) -> dict[str, str]:
    return {"Cookie": f"convene_session={api.token(email, staff=staff, name=email.split('@', maxsplit=1)[0])}"}


def csrf(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def publish_form(**overrides: str) -> dict[str, str]:
    form = {
        "title": "Building peer groups to galvanise and sustain change",
        "host_organisation": "Riverside Peer Support Collective",
        "description": "A visit to see how peer groups help people galvanise and sustain change.",
        "format": "in_person",
        "location": "Riverside Hall, Leeds",
        "joining_link": "",
        "starts_at": "2027-04-26T10:00",
        "ends_at": "2027-04-26T15:30",
        "places": "2",
        "signup_closes_at": "2027-04-19T17:00",
        "waitlist_mode": "offer",
        "offer_hours": "48",
    }
    form.update(overrides)
    return form


def test_staff_publish_through_the_form_and_members_sign_up_on_the_page(api: Api, email) -> None:
    staff = browser(api, STAFF, staff=True)
    page = api.get("/visits/new", headers=staff)
    assert page.status_code == 200 and '<label for="title">' in page.text
    token = csrf(page.text)

    bad = api.post(
        "/visits/new",
        data={
            **publish_form(title="", places="0", ends_at="2027-04-26T09:00", starts_at="2027-03-28T01:30"),
            "csrf_token": token,
        },
        headers=staff,
    )
    assert bad.status_code == 422
    assert "There is a problem" in bad.text
    for anchor in ('href="#title"', 'href="#places"', 'href="#starts_at"'):
        assert anchor in bad.text
    assert "clocks go forward" in bad.text
    assert 'aria-invalid="true"' in bad.text and "Riverside Hall, Leeds" in bad.text  # input kept

    done = api.post("/visits/new", data={**publish_form(), "csrf_token": token}, headers=staff)
    assert done.status_code == 303, done.text
    location = done.headers["Location"]
    visit_id = location.split("/")[2]
    visit = api.get(f"/api/visits/{visit_id}").json()
    assert visit["starts_at"] == "2027-04-26T09:00:00Z"  # 10:00 in London is 09:00 UTC in April (BST)
    assert visit["waitlist_mode"] == "offer" and visit["offer_hours"] == 48
    staff_view = api.get(location, headers=staff)
    assert staff_view.status_code == 200 and "The visit is published" in staff_view.text

    # Without a CSRF token a cookie session cannot act.
    member = browser(api, email("member"))
    assert api.post(f"/visits/{visit_id}/signup", data={}, headers=member).status_code == 403

    visit_page = api.get(f"/visits/{visit_id}", headers=member)
    assert visit_page.status_code == 200 and '<label for="access_needs">' in visit_page.text
    signed = api.post(
        f"/visits/{visit_id}/signup",
        data={"csrf_token": csrf(visit_page.text), "access_needs": "BSL interpreter", "note": "<b>hello</b>"},
        headers=member,
    )
    assert signed.status_code == 303 and signed.headers["Location"] == f"/visits/{visit_id}?done=signed-up"
    shown = api.get(signed.headers["Location"], headers=member)
    assert "Your place is confirmed" in shown.text and "Cancel my place" in shown.text
    mine = api.get("/visits/mine", headers=member)
    assert "Confirmed" in mine.text and visit_id in mine.text

    team = api.get(f"/visits/{visit_id}/staff", headers=staff).text
    assert "BSL interpreter" in team and "&lt;b&gt;hello&lt;/b&gt;" in team and "<b>hello</b>" not in team

    left = api.post(f"/visits/{visit_id}/leave", data={"csrf_token": csrf(shown.text)}, headers=member)
    assert left.status_code == 303
    assert next(iter(statuses(api, visit_id).values())) == "cancelled"


def test_lists_escape_what_people_typed(api: Api) -> None:
    visit_id = publish(api, title="<script>alert('x')</script> Open Space visit")
    listing = api.get("/visits")
    assert listing.status_code == 200
    assert "<script>alert" not in listing.text and "&lt;script&gt;" in listing.text
    assert f"/visits/{visit_id}" in listing.text
    page = api.get(f"/visits/{visit_id}")
    assert "<script>alert" not in page.text and "Sign in to sign up" in page.text
    assert "meet.example.org" not in page.text  # the joining link is for confirmed attendees
    assert api.request("HEAD", f"/visits/{visit_id}").status_code == 200


def test_team_forms_say_what_is_wrong(api: Api, email) -> None:
    visit_id = publish(api, places=2)
    staff = browser(api, STAFF, staff=True)
    token = csrf(api.get(f"/visits/{visit_id}/staff", headers=staff).text)
    zero = api.post(f"/visits/{visit_id}/staff/places", data={"csrf_token": token, "places": "0"}, headers=staff)
    assert zero.status_code == 422 and 'href="#places"' in zero.text
    more = api.post(f"/visits/{visit_id}/staff/places", data={"csrf_token": token, "places": "5"}, headers=staff)
    assert more.status_code == 303
    assert api.get(f"/api/visits/{visit_id}").json()["places"] == 5
    unconfirmed = api.post(f"/visits/{visit_id}/staff/cancel", data={"csrf_token": token}, headers=staff)
    assert unconfirmed.status_code == 422 and 'href="#confirm"' in unconfirmed.text
    cancelled = api.post(
        f"/visits/{visit_id}/staff/cancel", data={"csrf_token": token, "confirm": "yes", "reason": ""}, headers=staff
    )
    assert cancelled.status_code == 303
    assert "This visit has been cancelled" in unescape(api.get(f"/visits/{visit_id}").text)

    member = browser(api, email())
    assert api.get("/visits/new", headers=member).status_code == 403
    assert api.get(f"/visits/{visit_id}/staff", headers=member).status_code == 403
    assert api.get("/visits/new").status_code == 303  # signed out: to the sign-in page
    assert api.get("/visits/mine").status_code == 303
    anonymous = api.post(f"/visits/{visit_id}/signup", data={})
    assert anonymous.status_code == 303 and "/auth/sign-in" in anonymous.headers["Location"]
