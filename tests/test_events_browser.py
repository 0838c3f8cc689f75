"""The events journey in a real browser (Chromium through Playwright), pages only: the team
publishes a workshop with ten places on the form (GOV.UK date inputs, the format chosen shows its
field), members sign up, the eleventh waits with a position; a member signs up for the whole
resilience series. Every page is checked with the SIG browser test's accessibility checks."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.conftest import STAFF
from tests.test_browser_sigs import browser, heading, look, new_context  # noqa: F401 - browser, new_context: fixtures
from tests.test_visits_browser import fill_date, signed_in

pytestmark = pytest.mark.browser


def test_publish_the_eleventh_of_ten_waits_and_a_member_signs_up_for_a_series(
    runtime: Any,
    new_context: Any,  # noqa: F811 - the fixture imported above
    api,
    email,
) -> None:
    base = runtime.url
    title = f"An introduction to Liberating Structures {email('t')[:6]}"
    start = datetime.now(ZoneInfo("Europe/London")).replace(second=0, microsecond=0) + timedelta(days=10)

    team = signed_in(runtime, new_context, STAFF, "Q community team", staff=True)
    team.goto(base + "/events")
    team.get_by_role("link", name="Publish an event").click()
    expect(heading(team)).to_have_text("Publish an event")
    expect(team.get_by_label("Joining link")).to_be_hidden()  # no format chosen yet
    team.get_by_label("A workshop").check()
    team.get_by_label("Title").fill(title)
    team.get_by_label("Description").fill("A hands-on workshop introducing Liberating Structures.")
    team.get_by_label("Online").check()
    expect(team.get_by_label("Location")).to_be_hidden()
    team.get_by_label("Joining link").fill("https://meet.example.org/liberating-structures")
    fill_date(team, "Starts", start)
    fill_date(team, "Ends", start + timedelta(hours=3))
    team.get_by_label("Places").fill("10")
    fill_date(team, "Sign-up closes", start - timedelta(hours=2))
    team.get_by_label("Questions members answer when signing up (optional)").fill("Do you need captions?")
    look(team, "events-new")
    team.get_by_role("button", name="Publish the event").click()
    expect(team.get_by_role("status")).to_contain_text("The event is published")
    event_path = re.sub(r"/staff.*$", "", team.url.removeprefix(base))

    for number in range(11):
        member = email(f"member{number}")
        page = signed_in(runtime, new_context, member, f"Member {number}")
        page.goto(base + event_path)
        if number == 0:
            look(page, "events-event")
            page.get_by_label("Do you need captions? (optional)").fill("Yes, please")
        if number == 10:
            expect(page.locator("main")).to_contain_text("Full.")
            page.get_by_role("button", name="Join the waiting list").click()
            expect(page.get_by_role("status")).to_contain_text("you are on the waiting list")
            expect(page.locator("main")).to_contain_text("number 1 on the waiting list")
            expect(page.locator("main")).not_to_contain_text("meet.example.org")
            look(page, "events-waiting")
        else:
            page.get_by_role("button", name="Sign up").click()
            expect(page.get_by_role("status")).to_contain_text("Your place is confirmed")
        page.context.close()

    team.goto(base + event_path + "/staff")
    expect(team.get_by_role("table")).to_contain_text("Do you need captions? Yes, please")
    look(team, "events-staff")

    series_title = f"Building resilience in the workforce {email('s')[:6]}"
    staff = api.auth(STAFF, staff=True)
    series = api.post(
        "/api/series",
        json={"title": series_title, "description": "Three online sessions on resilience.", "signup_mode": "either"},
        headers=staff,
    ).json()["series_id"]
    for number in (1, 2, 3):
        at = start + timedelta(days=7 * number)
        session = {
            "kind": "series_session",
            "series_id": series,
            "title": f"{series_title}, session {number}",
            "description": "One session of the series on building resilience in the workforce.",
            "format": "online",
            "joining_link": "https://meet.example.org/resilience",
            "starts_at": at.isoformat(),
            "ends_at": (at + timedelta(hours=1)).isoformat(),
            "places": 30,
            "signup_closes_at": (at - timedelta(hours=1)).isoformat(),
        }
        assert api.post("/api/events", json=session, headers=staff).status_code == 201

    address = email("amara")
    amara = signed_in(runtime, new_context, address, "Amara Okafor")
    amara.goto(base + "/events?kind=series_session&format=online")
    look(amara, "events-list")
    amara.get_by_role("link", name=f"{series_title}, session 1").click()
    amara.get_by_role("link", name=series_title).click()
    expect(heading(amara)).to_have_text(series_title)
    amara.get_by_label("Access needs (optional)").fill("Captions, please")
    amara.get_by_role("button", name="Sign up for every session").click()
    expect(amara.get_by_role("status")).to_contain_text("You are signed up for the series")
    expect(amara.locator("main")).to_contain_text("you have a place")
    look(amara, "events-series")
    assert len(api.mail(address, subject=f"Your place is confirmed: {series_title}")) == 3
