"""The chain of ideas in a real browser (Debian's Chromium through Playwright), through the pages
(issue 11): from an Open Space conversation's proceedings a member starts a SIG ("This comes
from" the conversation), then bids for funding for it; once the SIG is approved, the bid funded
and the team's newsletter item added, the event's "taken forward" page tells the story and the
team edits and publishes the draft write-up. axe-core checks every page."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import STAFF
from tests.test_browser_sigs import address, browser, heading, look, mailed_link, new_context  # noqa: F401 - fixtures
from tests.test_funding_helpers import round_body
from tests.test_openspace_api import event_body
from tests.test_openspace_browser import _api
from tests.test_visits_browser import signed_in

pytestmark = pytest.mark.browser


def test_a_conversation_taken_forward_through_the_pages(
    runtime: Any,
    new_context: Any,  # noqa: F811 - the fixture imported above
) -> None:
    base = runtime.url
    host = address("tom")
    r1, r2 = address("reviewer"), address("reviewer")
    event_id = _api(runtime, "POST", "/api/events", STAFF, staff=True, json=event_body())["event_id"]
    _api(runtime, "POST", f"/api/events/{event_id}/signups", host, json={})
    body = {"title": "Responding to failure", "question": "How do we respond to failure openly?", "themes": ["failure"]}
    conversation = _api(runtime, "POST", f"/api/open-space/{event_id}/conversations", host, json=body)
    conversation_id = conversation["conversation_id"]
    harvest = {"discussed": "Coaching conversations help.", "next_steps": "Start a Coaching SIG.", "keep_going": ""}
    _api(runtime, "POST", f"/api/open-space/{event_id}/conversations/{conversation_id}/harvest", host, json=harvest)
    _api(runtime, "POST", f"/api/open-space/{event_id}/proceedings", STAFF, staff=True)
    rnd = _api(runtime, "POST", "/api/rounds", STAFF, staff=True, json=round_body([r1, r2]))

    # From the proceedings, the host starts a SIG: the form says what it comes from.
    page = signed_in(runtime, new_context, host, "Tom Hughes")
    page.goto(f"{base}/open-space/{event_id}/proceedings")
    page.get_by_role("link", name="Start a SIG from this conversation").click()
    expect(heading(page)).to_have_text("Propose a Special Interest Group")
    expect(page.locator("main")).to_contain_text("This comes from: Responding to failure")
    name = f"Coaching SIG {uuid.uuid4().hex[:4]}"
    page.get_by_label("Name of the group").fill(name)
    page.get_by_label("Purpose").fill("Coaching approaches to responding to failure openly and safely.")
    page.get_by_role("button", name="Send proposal for review").click()
    expect(heading(page)).to_have_text(name)
    came_from = page.get_by_role("region", name="Came from")
    expect(came_from).to_contain_text("Open Space conversation: Responding to failure")
    look(page, "chain-01-sig-came-from")
    sig_id = urlparse(page.url).path.rsplit("/", 1)[1]
    _api(runtime, "POST", f"/api/sigs/{sig_id}/decision", STAFF, staff=True, json={"decision": "approve"})

    # "Bid for funding for this" leads through the open rounds to a bid form that carries it.
    page.goto(f"{base}/open-space/{event_id}/proceedings")
    page.get_by_role("link", name="Bid for funding for this").click()
    page.get_by_role("link", name=rnd["name"]).click()
    expect(page.locator("main")).to_contain_text("This comes from: Responding to failure")
    page.get_by_label("Title of your bid").fill(f"A paid convener for the {name}")
    page.get_by_label("What the funding will do").fill("Two convener days a month for peer coaching.")
    page.get_by_label("Amount you are asking for, in pounds").fill("1500")
    page.get_by_label("Budget line 1: what it pays for").fill("Convener days")
    page.get_by_label("Budget line 1: amount in pounds").fill("1500")
    page.get_by_label("If my bid is funded").check()
    page.get_by_role("button", name="Send my bid").click()
    expect(page.get_by_role("region", name="Came from")).to_contain_text("Responding to failure")
    bid_id = urlparse(page.url).path.rsplit("/", 1)[1]
    for reviewer in (r1, r2):
        link = mailed_link(base, reviewer, f"/funding/bids/{bid_id}/review?token=")
        token = parse_qs(urlparse(link).query)["token"][0]
        decided = requests.post(
            f"{base}/funding/bids/{bid_id}/review", data={"token": token, "decision": "approve"}, timeout=30
        )
        assert decided.status_code == 200, decided.text
    item = {
        "title": f"The {name} has a paid convener",
        "body": "Funded.",
        "section": "funding",
        "origins": [f"bid:{bid_id}"],
    }
    _api(runtime, "POST", "/api/newsletter/items", STAFF, staff=True, json=item)
    assert runtime.wait_until_idle(20)

    # The event's story, for anyone: grouped by theme, each step with its date.
    reader = new_context().new_page()
    reader.goto(f"{base}/events/{event_id}")
    reader.get_by_role("link", name="How ideas from it are being taken forward").click()
    expect(heading(reader)).to_have_text("How ideas from Q community event: Bristol are being taken forward")
    story = reader.get_by_role("region", name="failure")
    expect(story).to_contain_text("Special Interest Group started")
    expect(story).to_contain_text(f"A paid convener for the {name}")
    expect(story).to_contain_text(f"The {name} has a paid convener")
    look(reader, "chain-02-taken-forward")

    # The team edits the draft write-up and publishes it to the next Q-municate.
    team = signed_in(runtime, new_context, STAFF, "Team", staff=True)
    team.goto(f"{base}/chain/events/{event_id}")
    team.get_by_role("link", name="Draft write-up of this story (team)").click()
    write_up = team.get_by_label("Write-up")
    expect(write_up).to_contain_text("Responding to failure")
    write_up.fill("")
    team.get_by_role("button", name="Save the write-up").click()
    expect(team.get_by_role("alert")).to_contain_text("Write-up")
    write_up.fill("At the Bristol event, members took ideas forward into a Coaching SIG.")
    team.get_by_role("button", name="Save the write-up").click()
    expect(team.get_by_role("status")).to_contain_text("saved")
    team.get_by_role("button", name="Publish as a newsletter item").click()
    expect(team.get_by_role("status")).to_contain_text("The write-up is in the next")
    look(team, "chain-03-write-up")
