"""Follow-ups in a real browser (Debian's Chromium through Playwright), through the pages (issue 11
§2): an attendee opens the emailed link, answers with consent to be named and picks the
conversation it came from; the team publishes it as a takeaway from its page; the event's page
shows it. axe-core checks every page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import STAFF
from tests.test_browser_sigs import address, browser, heading, look, mailed_link, new_context  # noqa: F401 - fixtures
from tests.test_followups_api import make_due
from tests.test_openspace_api import event_body
from tests.test_openspace_browser import _api
from tests.test_visits_browser import signed_in

pytestmark = pytest.mark.browser


def test_an_attendee_answers_from_the_email_and_the_team_publishes_it(
    runtime: Any,
    new_context: Any,  # noqa: F811 - the fixture imported above
) -> None:
    base = runtime.url
    attendee, host = address("amara"), address("tom")
    event_id = _api(runtime, "POST", "/api/events", STAFF, staff=True, json=event_body())["event_id"]
    for person in (attendee, host):
        _api(runtime, "POST", f"/api/events/{event_id}/signups", person, json={})
    body = {"title": "Responding to failure", "question": "How do we respond to failure openly?"}
    _api(runtime, "POST", f"/api/open-space/{event_id}/conversations", host, json=body)
    assert runtime.wait_until_idle(20)
    make_due(runtime, event_id, 14)
    assert runtime.run_schedule("followups-due")["started"] >= 1

    # From the email, without signing in: the page asks, and says what happens to the answer.
    link = mailed_link(base, attendee, "/followups/answer?token=", subject="What did you take away")
    page = new_context().new_page()
    page.goto(link)
    expect(heading(page)).to_contain_text("What did you take away from Q community event: Bristol?")
    look(page, "followups-01-answer")
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Tell us what you took away")
    look(page, "followups-02-answer-errors")
    page.get_by_label("What you took away").fill("A weekly learning-from-failure huddle on our ward.")
    page.get_by_label("The conversation it came from (optional)").select_option(label="Responding to failure")
    page.get_by_label("Publish it with my name").check()
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_role("status")).to_contain_text("your answer is saved")
    expect(page.get_by_role("link", name="Start a SIG from this")).to_be_visible()
    look(page, "followups-03-answered")

    # The team sees it with her name and publishes it as a takeaway.
    team = signed_in(runtime, new_context, STAFF, "Team", staff=True)
    team.goto(f"{base}/events/{event_id}")
    team.get_by_role("link", name="Follow-ups and takeaways").click()
    expect(heading(team)).to_have_text("Follow-ups: Q community event: Bristol")
    expect(team.locator("main")).to_contain_text("A weekly learning-from-failure huddle on our ward.")
    look(team, "followups-04-team")
    team.get_by_role("button", name="Publish as a takeaway").click()
    expect(team.get_by_role("status")).to_contain_text("The takeaway is published")

    # Anyone reading the event's page sees it.
    reader = new_context().new_page()
    reader.goto(f"{base}/events/{event_id}")
    takeaways = reader.get_by_role("region", name="What members took away")
    expect(takeaways).to_contain_text("A weekly learning-from-failure huddle on our ward.")
    expect(takeaways).to_contain_text("Amara")
    look(reader, "followups-05-event-page")
