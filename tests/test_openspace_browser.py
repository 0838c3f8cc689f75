"""Open Space in a real browser (Debian's Chromium through Playwright), through the pages: a
member proposes a conversation (a missing question is explained), another marks it, the team
builds the agenda, which reads on a phone and prints without the site's chrome; the host records
the harvest from the emailed link; the team publishes the proceedings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import STAFF
from tests.test_browser_sigs import address, browser, heading, look, mailed_link, new_context  # noqa: F401 - fixtures
from tests.test_openspace_api import event_body
from tests.test_visits_browser import signed_in
from tests.test_visits_helpers import iso

pytestmark = pytest.mark.browser


def _api(runtime: Any, method: str, path: str, email: str, *, staff: bool = False, **kwargs: Any) -> Any:
    name = email.split(".", maxsplit=1)[0].title()
    headers = {"Authorization": f"Bearer {runtime.issue_session(email, staff=staff, name=name)}"}
    response = requests.request(method, runtime.url + path, headers=headers, timeout=30, **kwargs)
    assert response.status_code < 300, response.text
    return response.json() if response.text else None


def test_marketplace_agenda_harvest_and_proceedings_through_the_pages(
    runtime: Any,
    new_context: Any,  # noqa: F811 - the fixture imported above
) -> None:
    base = runtime.url
    host, joiner = address("amara"), address("tom")
    event_id = _api(runtime, "POST", "/api/events", STAFF, staff=True, json=event_body())["event_id"]
    for person in (host, joiner):
        _api(runtime, "POST", f"/api/events/{event_id}/signups", person, json={})

    # The host proposes; a missing question is explained, and her title is kept.
    page = signed_in(runtime, new_context, host, "Amara")
    page.goto(f"{base}/open-space/{event_id}")
    expect(heading(page)).to_contain_text("Open Space: Q community event: Bristol")
    look(page, "openspace-01-marketplace")
    page.get_by_label("Title").fill("Cultivating kindness")
    page.get_by_role("button", name="Add to the marketplace").click()
    expect(page.get_by_role("alert")).to_contain_text("The question it explores")
    expect(page.get_by_label("Title")).to_have_value("Cultivating kindness")
    page.get_by_label("The question it explores").fill("How do we cultivate kindness in teams under pressure?")
    page.get_by_label("Themes (optional)").fill("kindness, teams")
    page.get_by_role("button", name="Add to the marketplace").click()
    expect(page.get_by_role("status")).to_contain_text("Your conversation is in the marketplace")
    expect(page.locator(".card")).to_contain_text("Hosted by Amara. 0 want to join.")

    # Another attendee marks it.
    other = signed_in(runtime, new_context, joiner, "Tom")
    other.goto(f"{base}/open-space/{event_id}")
    other.get_by_role("button", name="I want to join Cultivating kindness").click()
    expect(other.locator(".card")).to_contain_text("1 wants to join.")
    expect(other.get_by_role("button", name="Remove my mark from Cultivating kindness")).to_be_visible()

    # The team builds the agenda; it reads on a phone and prints without the site's header.
    team = signed_in(runtime, new_context, STAFF, "Team", staff=True)
    team.goto(f"{base}/open-space/{event_id}")
    team.get_by_role("button", name="Build and publish the agenda").click()
    expect(heading(team)).to_contain_text("Open Space agenda")
    expect(team.locator("table")).to_contain_text("Cultivating kindness")
    expect(team.locator("table")).to_contain_text("Waiting room holds 6; 2 expected")  # the smallest that fits
    look(team, "openspace-02-agenda")
    team.emulate_media(media="print")
    expect(team.get_by_role("banner")).to_be_hidden()
    expect(team.get_by_role("link", name="Add to calendar: Cultivating kindness")).to_be_hidden()
    team.emulate_media(media="screen")

    # The slot ends: the host gets the harvest link, whose page changes nothing until she submits.
    past = iso(datetime.now(UTC) - timedelta(minutes=5))
    conversation = _api(runtime, "GET", f"/api/open-space/{event_id}", host)["conversations"][0]["conversation_id"]
    runtime.client("dynamodb").update_item(
        TableName=runtime.resources.tables["main"],
        Key={"pk": {"S": f"OS#{event_id}"}, "sk": {"S": f"CONV#{conversation}"}},
        UpdateExpression="SET gsi1sk = :s",
        ExpressionAttributeValues={":s": {"S": f"{past}#{event_id}#{conversation}"}},
    )
    runtime.run_schedule("openspace-harvest")
    page.goto(mailed_link(base, host, "/open-space/harvest?token="))
    expect(heading(page)).to_have_text("Harvest: Cultivating kindness")
    look(page, "openspace-03-harvest")
    page.get_by_label("What was discussed").fill("Kindness as a daily practice, even when the rota is short.")
    page.get_by_label("Next steps (optional)").fill("A welcome event for a new SIG.")
    page.get_by_role("button", name="Record the harvest").click()
    expect(page.get_by_role("status")).to_contain_text("the harvest is recorded")

    # The team publishes the proceedings: one page with every harvest.
    team.goto(f"{base}/open-space/{event_id}/proceedings")
    expect(team.locator("main")).to_contain_text("Not published yet")
    team.get_by_role("button", name="Publish the proceedings and email the attendees").click()
    expect(team.locator("main")).to_contain_text("Kindness as a daily practice")
    expect(team.locator("main")).not_to_contain_text("Not published yet")
    look(team, "openspace-04-proceedings")
    assert mailed_link(base, joiner, f"/open-space/{event_id}/proceedings", subject="Proceedings of")
