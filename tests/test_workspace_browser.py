"""The team home and "My Q" in a real browser: what staff and members meet every day. Every page
is checked at desktop and phone size, and axe-core checks every page the browser receives (the
shared ``new_context`` fixture)."""

from __future__ import annotations

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
