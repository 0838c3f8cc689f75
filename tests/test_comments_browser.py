"""Comments in a real browser (Debian's Chromium through Playwright), through the pages (issue 11
§4): a signed-out reader is asked to log in; a member's first comment on an event's "taken
forward" page is held; the team approves it from the emailed link (its page shows the comment and
the buttons; only the button acts); the comment is then shown, by name. axe-core checks every page."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import STAFF
from tests.test_browser_sigs import address, browser, heading, look, mailed_link, new_context  # noqa: F401 - fixtures
from tests.test_openspace_api import event_body
from tests.test_openspace_browser import _api
from tests.test_visits_browser import signed_in

pytestmark = pytest.mark.browser


def test_a_comment_is_held_approved_from_the_email_link_and_shown(
    runtime: Any,
    new_context: Any,  # noqa: F811 - the fixture imported above
) -> None:
    base = runtime.url
    title = f"Q community event: Bristol {uuid.uuid4().hex[:6]}"
    event_id = _api(runtime, "POST", "/api/events", STAFF, staff=True, json=event_body(title=title))["event_id"]
    story = f"{base}/chain/events/{event_id}"

    # Signed out: the page asks them to log in first, and links the comments policy.
    reader = new_context().new_page()
    reader.goto(story)
    comments = reader.get_by_role("region", name="Comments")
    expect(comments).to_contain_text("No comments yet.")
    expect(comments.get_by_role("link", name="log in before posting your comment")).to_be_visible()
    comments.get_by_role("link", name="comments policy").click()
    expect(heading(reader)).to_have_text("Comments policy")

    # A member's first comment is held, and they are told so.
    author = address("priya")
    member = signed_in(runtime, new_context, author, "Priya Shah")
    member.goto(story)
    member.get_by_role("button", name="Post comment").click()
    expect(member.get_by_role("alert")).to_contain_text("Write your comment")
    text = "Since Bristol our team runs a monthly kindness check-in."
    member.get_by_label("Your comment").fill(text)
    member.get_by_role("button", name="Post comment").click()
    expect(member.get_by_role("status")).to_contain_text("once the community team has approved it")
    look(member, "comments-01-held")
    reader.goto(story)
    expect(reader.get_by_role("region", name="Comments")).not_to_contain_text(text)

    # The team's emailed link shows the comment with the buttons; approving shows it to everyone.
    link = mailed_link(base, STAFF, "/comments/moderate?token=", subject=title)
    team = new_context().new_page()
    team.goto(link)
    expect(heading(team)).to_have_text("A member's first comment")
    expect(team.locator("main")).to_contain_text(text)
    look(team, "comments-02-moderate")
    team.get_by_role("button", name="Approve").click()
    expect(team.get_by_role("status")).to_contain_text("approved")
    reader.goto(story)
    shown = reader.get_by_role("region", name="Comments")
    expect(shown).to_contain_text(text)
    expect(shown).to_contain_text("Priya Shah")
    expect(shown).not_to_contain_text(author)
    look(reader, "comments-03-shown")
    # Opening the used link again says so.
    team.goto(link)
    expect(heading(team)).to_have_text("This link cannot be used")
