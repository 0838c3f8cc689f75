"""The Visits journey in a real browser (Chromium through Playwright), pages only: the team
publishes a visit with two places, three members sign up, one cancels from the email link and
the member waiting gets the place; the reminder goes out when its schedule runs. Every page is
checked at desktop and phone size with the SIG browser test's accessibility checks."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import STAFF
from tests.test_browser_sigs import browser, heading, look, new_context  # noqa: F401 - browser, new_context: fixtures
from tests.test_visits_helpers import calendars, raw_messages

pytestmark = pytest.mark.browser


def signed_in(runtime: Any, contexts: Any, email: str, name: str, *, staff: bool = False) -> Page:
    """A browser with a member's session cookie (the SIG browser test covers signing in)."""
    context = contexts()
    token = runtime.issue_session(email, staff=staff, name=name)
    context.add_cookies([{"name": "convene_session", "value": token, "url": runtime.url}])
    return context.new_page()


def fill_date(page: Page, legend: str, moment: datetime) -> None:
    """The GOV.UK date input: day, month, year and time, in UK time."""
    local = moment.astimezone(ZoneInfo("Europe/London"))
    group = page.get_by_role("group", name=legend)
    for label, value in (("Day", local.day), ("Month", local.month), ("Year", local.year)):
        group.get_by_label(label).fill(str(value))
    group.get_by_label("Time").fill(local.strftime("%H:%M"))


def test_publish_sign_up_cancel_from_the_email_and_promote(
    runtime: Any,
    new_context: Any,  # noqa: F811 - the fixture imported above
    api,
    email,
) -> None:
    base = runtime.url
    title = f"Building peer groups to galvanise and sustain change {email('t')[:6]}"
    start = datetime.now(ZoneInfo("Europe/London")).replace(second=0, microsecond=0) + timedelta(days=1)

    team = signed_in(runtime, new_context, STAFF, "Q community team", staff=True)
    team.goto(base + "/visits")
    team.get_by_role("link", name="Publish a visit").click()
    expect(heading(team)).to_have_text("Publish a visit")
    look(team, "visits-new")
    team.get_by_role("button", name="Publish the visit").click()
    summary = team.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    look(team, "visits-new-errors")

    team.get_by_label("Title").fill(title)
    team.get_by_label("Host organisation").fill("Riverside Peer Support Collective")
    team.get_by_label("Description").fill("How peer groups help people galvanise and sustain change.")
    team.get_by_label("Online").check()
    team.get_by_label("Joining link").fill("https://meet.example.org/peer-groups")
    fill_date(team, "Starts", start)
    fill_date(team, "Ends", start + timedelta(hours=2))
    team.get_by_label("Places").fill("2")
    fill_date(team, "Sign-up closes", start - timedelta(hours=2))
    team.get_by_role("button", name="Publish the visit").click()
    expect(team.get_by_role("status")).to_contain_text("The visit is published")
    visit_path = re.sub(r"/staff.*$", "", team.url.removeprefix(base))

    people = [(email("amara"), "Amara Okafor"), (email("tom"), "Tom Hughes"), (email("priya"), "Priya Shah")]
    pages = []
    for address, name in people:
        page = signed_in(runtime, new_context, address, name)
        page.goto(base + "/visits")
        page.get_by_role("link", name=title).click()
        expect(heading(page)).to_have_text(title)
        page.get_by_label("Access needs (optional)").fill("Captions, please")
        page.get_by_role("button", name=re.compile("Sign up|Join the waiting list")).click()
        pages.append(page)
    expect(pages[0].get_by_role("status")).to_contain_text("Your place is confirmed")
    expect(pages[0].locator("main")).to_contain_text("https://meet.example.org/peer-groups")
    expect(pages[2].locator("main")).to_contain_text("number 1 on the waiting list")
    expect(pages[2].locator("main")).not_to_contain_text("meet.example.org")
    look(pages[2], "visits-waiting")

    for address, _ in people[:2]:
        (message,) = raw_messages(api, address, "Your place is confirmed")
        (invite,) = calendars(message)
        assert str(invite["METHOD"]) == "REQUEST"

    # Amara cancels from her email: the page says what the button will do; the button does it.
    link = next(u for u in api.one_mail(people[0][0], "Your place is confirmed")["links"] if "cancel-place" in u)
    pages[0].goto(link)
    look(pages[0], "visits-cancel-place")
    pages[0].get_by_role("button", name="Cancel my place").click()
    expect(pages[0].get_by_role("status")).to_contain_text("cancelled on")

    api.settle()
    pages[2].goto(base + visit_path)
    expect(pages[2].locator("main")).to_contain_text("You have a place on this visit")
    pages[2].goto(base + "/visits/mine")
    expect(pages[2].locator("main")).to_contain_text("Confirmed")
    look(pages[2], "visits-mine")

    team.goto(base + visit_path + "/staff")
    attendees = team.get_by_role("table")
    expect(attendees).to_contain_text("Captions, please")
    expect(attendees).to_contain_text("Cancelled")
    look(team, "visits-staff")

    runtime.run_schedule("visit-reminders")
    for address, _ in people[1:]:
        assert "https://meet.example.org/peer-groups" in api.one_mail(address, f"Reminder: {title}")["text"]
    assert not api.mail(people[0][0], subject="Reminder")
