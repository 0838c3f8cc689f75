"""The SIG journey in a real browser (Debian's Chromium driven by Playwright), through the pages
only: a member signs in by email link and proposes a group, the community team approves it from
the review email, another member joins and leaves. Keyboard use and a phone-sized screen are
checked on the way, and every key page gets the same basic accessibility checks.

To look at the pages as a member would, run with ``CONVENE_SHOTS=/tmp/shots``: screenshots of
the key pages at desktop and phone size (and of focus styles) are saved there.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.accessibility import PageRecorder, describe, violations
from tests.conftest import STAFF

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
SHOTS = Path(os.environ["CONVENE_SHOTS"]) if os.environ.get("CONVENE_SHOTS") else None

#: Checked on every key page: one h1, no skipped heading levels, a label for every visible
#: form control, descriptions that point at existing elements, and no sideways scrolling.
PAGE_PROBLEMS = """() => {
  const problems = [];
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")];
  const h1s = headings.filter((h) => h.tagName === "H1").length;
  if (h1s !== 1) problems.push(`${h1s} h1 elements`);
  let previous = 0;
  for (const h of headings) {
    const level = Number(h.tagName[1]);
    if (level > previous + 1) problems.push(`heading level jumps to ${h.tagName}: ${h.textContent.trim()}`);
    previous = level;
  }
  for (const control of document.querySelectorAll("input, textarea, select")) {
    if (control.type === "hidden") continue;
    if (!control.id || !document.querySelector(`label[for="${control.id}"]`)) {
      problems.push(`no label for ${control.outerHTML}`);
    }
    for (const ref of (control.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)) {
      if (!document.getElementById(ref)) problems.push(`aria-describedby points at missing #${ref}`);
    }
  }
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  if (!document.title.trim()) problems.push("no <title>");
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.push(`scrolls sideways: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
  }
  return problems;
}"""


if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium with `make chromium`", allow_module_level=True)


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():  # in CI the browser tests must run, never skip
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it with `make chromium`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def new_context(browser: Browser) -> Iterator[Any]:
    """Fresh browser contexts (separate cookie jars, so separate people), closed after the test.
    Every page they receive is then checked with axe-core: the test fails on any violation."""
    contexts: list[BrowserContext] = []
    recorder = PageRecorder()

    def make() -> BrowserContext:
        context = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
        context.set_default_timeout(10_000)
        recorder.attach(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    found = violations(browser, recorder)
    assert not found, "axe-core found accessibility violations:\n" + describe(found)


# -- helpers ----------------------------------------------------------------------------------
def address(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:10]}@example.org"


def mailed_link(base_url: str, to: str, contains: str, *, subject: str = "") -> str:
    """The newest link containing ``contains`` in mail to ``to``, as the mail viewer shows it."""
    deadline = time.monotonic() + 15
    while True:
        messages = requests.get(base_url + "/_local/mail.json", timeout=10).json()["messages"]
        for message in messages:  # newest first
            if to.lower() in [t.lower() for t in message["to"]] and subject in message["subject"]:
                links = [link for link in message["links"] if contains in link]
                if links:
                    assert links[0].startswith(base_url + "/"), f"the emailed link leaves this site: {links[0]}"
                    return links[0]
        assert time.monotonic() < deadline, f"no email to {to} with a link containing {contains!r}"
        time.sleep(0.1)


def look(page: Page, name: str) -> None:
    """Check a page at desktop and phone size (and keep a screenshot of each if asked to)."""
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        assert page.evaluate(PAGE_PROBLEMS) == [], f"{name} at {size} size"
        snap(page, f"{name}-{size}", full_page=True)
    page.set_viewport_size(DESKTOP)


def snap(page: Page, name: str, *, full_page: bool = False) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def has_visible_focus(page: Page) -> bool:
    """The focused element draws a visible outline or ring (not a transparent one)."""
    return bool(
        page.evaluate(
            """() => {
              const style = getComputedStyle(document.activeElement);
              const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
                && style.outlineColor !== "rgba(0, 0, 0, 0)" && style.outlineColor !== "transparent";
              return outline || style.boxShadow !== "none";
            }"""
        )
    )


def heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def sign_in(page: Page, base_url: str, email: str, name: str, *, shots: str = "") -> None:
    """From the sign-in page to a signed-in cookie session, the way a member does it."""
    expect(heading(page)).to_have_text("Sign in")
    if shots:
        look(page, f"{shots}-sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(heading(page)).to_have_text("Check your email")
    expect(page.get_by_role("status")).to_contain_text(email)
    if shots:
        look(page, f"{shots}-check-email")

    link = mailed_link(base_url, email, "/auth/link?token=")
    page.goto(link)
    expect(heading(page)).to_contain_text("Sign in")
    expect(page.locator("main")).to_contain_text(email)
    if shots:
        look(page, f"{shots}-confirm")
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("banner")).to_contain_text(f"Signed in as {name}")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["convene_session"]["httpOnly"], "the session cookie must not be readable by scripts"


# -- tests ------------------------------------------------------------------------------------
def test_propose_approve_join_and_leave_through_the_pages(runtime: Any, new_context: Any) -> None:
    base = runtime.url
    proposer, joiner = address("amara"), address("tom")
    group = f"Kindness in Care SIG {uuid.uuid4().hex[:6]}"
    purpose = "Cultivating kindness in health and care teams, for anyone who leads or coaches a team."

    # 1. A new member signs in through the pages.
    page = new_context().new_page()
    page.goto(base + "/")
    look(page, "01-home")
    page.get_by_role("banner").get_by_role("link", name="Sign in").click()
    sign_in(page, base, proposer, "Amara Okafor", shots="02")

    # 2. They propose a SIG; a missing name is explained, announced and linked to the field.
    page.goto(base + "/sigs")
    look(page, "03-directory")
    page.get_by_role("link", name="Propose a SIG").click()
    expect(heading(page)).to_have_text("Propose a Special Interest Group")
    look(page, "04-propose")
    page.get_by_label("Purpose").fill(purpose)
    page.get_by_role("button", name="Send proposal for review").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    name_field = page.get_by_label("Name of the group")
    expect(name_field).to_have_attribute("aria-invalid", "true")
    expect(name_field).to_have_attribute("aria-describedby", re.compile(r"\bname-error\b"))
    expect(page.locator("#name-error")).to_be_visible()
    expect(page.get_by_label("Purpose")).to_have_value(purpose)  # what they typed is kept
    expect(page.get_by_role("banner")).to_contain_text("Signed in as Amara Okafor")  # still signed in
    look(page, "05-propose-error")
    summary.get_by_role("link", name=re.compile("name", re.IGNORECASE)).click()
    expect(name_field).to_be_focused()

    name_field.fill(group)
    page.get_by_label("Themes").fill("kindness, teams")
    page.keyboard.press("Enter")  # Enter in a text field sends the form, as it should
    expect(heading(page)).to_have_text(group)
    expect(page.get_by_role("status")).to_contain_text("sent to the community team")
    look(page, "06-proposed")

    # 3. The community team opens the review link from their email (the link is the
    #    capability: no sign-in) and approves.
    review = mailed_link(base, STAFF, "/review?token=", subject=group)
    staff_page = new_context().new_page()
    staff_page.goto(review)
    expect(heading(staff_page)).to_contain_text("Review")
    expect(staff_page.locator("main")).to_contain_text(group)
    expect(staff_page.locator("main")).to_contain_text(purpose)
    look(staff_page, "07-review")
    staff_page.get_by_role("button", name="Approve").click()
    expect(staff_page.get_by_role("status")).to_contain_text("approved")
    expect(staff_page.get_by_role("button", name="Approve")).to_have_count(0)
    look(staff_page, "08-reviewed")

    # 4. Another member finds the group, signs in from its page, joins, then leaves.
    other = new_context().new_page()
    other.goto(base + "/sigs")
    other.get_by_role("link", name=group).click()
    expect(heading(other)).to_have_text(group)
    expect(other.locator("main")).to_contain_text("1 member")
    look(other, "09-sig-signed-out")
    other.get_by_role("link", name="Sign in to join").click()
    sign_in(other, base, joiner, "Tom Baker")
    expect(heading(other)).to_have_text(group)  # back where they were

    other.get_by_role("button", name="Join this group").click()
    expect(other.get_by_role("status")).to_contain_text(f"You have joined {group}")
    expect(other.locator("main")).to_contain_text("2 members")
    look(other, "10-sig-joined")

    # The convener sees who has joined their group (members' emails are for conveners only).
    page.get_by_role("link", name="All Special Interest Groups").click()
    page.get_by_role("link", name=group).click()
    members = page.get_by_role("table", name="Who has joined")
    expect(members).to_contain_text(joiner)
    expect(members).to_contain_text(proposer)
    look(page, "11-sig-convener")

    other.get_by_role("button", name="Leave this group").click()
    expect(other.get_by_role("status")).to_contain_text(f"You have left {group}")
    expect(other.locator("main")).to_contain_text("1 member")
    expect(other.get_by_role("button", name="Join this group")).to_be_visible()


def test_keyboard_reaches_the_skip_link_and_submits_the_sign_in_form(runtime: Any, new_context: Any) -> None:
    member = address("keys")
    page = new_context().new_page()
    page.goto(runtime.url + "/auth/sign-in")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert has_visible_focus(page), "the skip link shows where focus is"
    snap(page, "30-focus-skip-link")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    assert has_visible_focus(page), "the email field shows where focus is"
    snap(page, "31-focus-field")
    page.keyboard.type(member)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your name")).to_be_focused()
    page.keyboard.type("Kim Lee")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Email me a sign-in link")).to_be_focused()
    assert has_visible_focus(page), "the button shows where focus is"
    snap(page, "32-focus-button")
    page.keyboard.press("Enter")

    expect(heading(page)).to_have_text("Check your email")
    assert mailed_link(runtime.url, member, "/auth/link?token=")


def test_error_and_problem_pages_work_on_a_phone(runtime: Any, new_context: Any) -> None:
    page = new_context().new_page()
    page.goto(runtime.url + "/auth/sign-in")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("alert")).to_contain_text("Email address")
    expect(page.get_by_role("alert")).to_be_focused()
    look(page, "20-sign-in-error")

    page.goto(runtime.url + "/sigs/sig_nothing_here")
    expect(heading(page)).to_be_visible()
    look(page, "21-not-found")

    page.goto(runtime.url + "/auth/link?token=not-a-real-token")
    expect(heading(page)).to_have_text("This link cannot be used")
    look(page, "22-link-problem")
