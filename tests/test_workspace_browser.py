"""The team home and "My Q" in a real browser: what staff and members meet every day. Every page
is checked at desktop and phone size, and axe-core checks every page the browser receives (the
shared ``new_context`` fixture)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import STAFF
from tests.test_browser_sigs import browser, heading, look, new_context  # noqa: F401 - fixtures
from tests.test_visits_browser import signed_in
from tests.test_visits_helpers import publish, sign_up

pytestmark = pytest.mark.browser


def test_the_team_home_counts_and_links(runtime: Any, new_context: Any, api, email) -> None:  # noqa: F811
    group = f"Making collaboration fully inclusive SIG {uuid.uuid4().hex[:6]}"
    proposer = api.auth(email("proposer"), name="Priya Shah")
    assert api.post("/api/sigs", json={"name": group, "purpose": "Inclusive collaboration."}, headers=proposer).ok
    visit_id = publish(api, places=1)
    for _ in range(2):
        assert sign_up(api, visit_id, email()).status_code == 201
    api.settle()

    team = signed_in(runtime, new_context, STAFF, "Community Team", staff=True)
    team.goto(runtime.url + "/")
    team.get_by_role("banner").get_by_role("link", name="Team home").click()
    expect(heading(team)).to_have_text("Team home")
    look(team, "team-home")
    expect(team.get_by_role("link", name="SIG proposals to review")).to_be_visible()
    expect(team.get_by_role("img", name="Sign-ups per visit against places")).to_be_visible()
    expect(team.locator("main")).to_contain_text("Not tracked")
    team.get_by_role("link", name=group).click()
    expect(heading(team)).to_have_text(group)


def test_my_q_after_signing_in(runtime: Any, new_context: Any, api, email) -> None:  # noqa: F811
    me = email("tom")
    visit_id = publish(api, places=5)
    assert sign_up(api, visit_id, me).status_code == 201
    api.settle()
    page = signed_in(runtime, new_context, me, "Tom Hughes")
    page.goto(runtime.url + "/")
    expect(heading(page)).to_have_text("My Q")
    look(page, "my-q")
    expect(page.get_by_role("region", name="Coming up for you")).to_contain_text("place confirmed")
    page.get_by_role("region", name="My visit places").get_by_role("link").first.click()
    expect(page).to_have_url(f"{runtime.url}/visits/{visit_id}")

    page.goto(runtime.url + "/account")
    page.get_by_role("link", name="Change the name others see").click()
    page.get_by_label("Your name").fill("")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the name other members will see")
    look(page, "name-errors")
    page.get_by_label("Your name").fill("Tom H.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("banner")).to_contain_text("Signed in as Tom H.")


def test_editors_add_remove_draft_send_back_and_approve(runtime: Any, new_context: Any, api, email) -> None:  # noqa: F811
    from tests.test_browser_sigs import mailed_link

    suffix = uuid.uuid4().hex[:6]
    team = signed_in(runtime, new_context, STAFF, "Community Team", staff=True)
    team.goto(runtime.url + "/staff")
    team.get_by_role("link", name="Newsletter items waiting for the next issue").click()
    expect(heading(team)).to_contain_text("Items for the next")
    look(team, "newsletter-items")

    # Add: the form says what is wrong, per field, in order; then the item is listed.
    team.get_by_role("link", name="Add an item").click()
    team.get_by_role("button", name="Add the item").click()
    alert = team.get_by_role("alert")
    expect(alert).to_contain_text("Choose the section the item goes in")
    expect(alert).to_contain_text("Enter a title")
    expect(alert).to_contain_text("Enter the text of the item")
    look(team, "newsletter-item-errors")
    names = ("Liberating Structures workshop", "Resilience series", "Spare")
    workshop, series, spare = (f"{t} {suffix}" for t in names)
    for title in (workshop, series, spare):
        if title != workshop:
            team.get_by_role("link", name="Add an item").click()
        team.get_by_label("Workshops").check()
        team.get_by_label("Title").fill(title)
        team.get_by_label("Text").fill("Introducing **Liberating Structures** in May.")
        team.get_by_role("button", name="Add the item").click()
        expect(team.get_by_role("status")).to_contain_text("The item was added")
    # Remove: asks first.
    team.get_by_role("link", name=f"Remove {spare}").click()
    expect(heading(team)).to_contain_text(spare)
    look(team, "newsletter-item-remove")
    team.get_by_role("button", name="Remove the item").click()
    expect(team.get_by_role("status")).to_contain_text("The item was removed")
    expect(team.locator("main")).not_to_contain_text(spare)

    # Draft now, then send it back with a note: the items wait again.
    team.get_by_role("button", name="Make a draft now").click()
    expect(heading(team)).to_contain_text("Draft:")
    expect(team.locator("main")).to_contain_text(workshop)
    look(team, "newsletter-draft")
    team.get_by_role("button", name="Send back with this note").click()
    expect(team.get_by_role("alert")).to_contain_text("Enter a note saying what needs to change")
    team.get_by_label("Note for the editors").fill("Add the dates of the resilience series, please.")
    team.get_by_role("button", name="Send back with this note").click()
    expect(team.get_by_role("status")).to_contain_text("The draft was sent back")
    expect(team.locator("main")).to_contain_text(series)
    returned = api.mail(STAFF, subject="Sent back: ")
    assert any("resilience series, please" in m["text"] for m in returned)

    # A new draft: take one item out, send the test again, approve and send (at the end).
    team.get_by_role("button", name="Make a draft now").click()
    expect(team.locator("main")).to_contain_text(series)
    team.get_by_role("button", name=re.compile(f"Take out of this draft.*{series}")).click()
    expect(team.get_by_role("status")).to_contain_text("taken out of this draft")
    expect(team.locator("main")).not_to_contain_text(series)
    team.get_by_role("button", name="Send the test again").click()
    expect(team.get_by_role("status")).to_contain_text("The test email is on its way")
    assert mailed_link(runtime.url, STAFF, "/review?token=", subject="[TEST]")
    buttons = team.locator("main button")
    expect(buttons.last).to_have_text("Approve and send")
    buttons.last.click()
    expect(team.get_by_role("status")).to_contain_text("approved")
