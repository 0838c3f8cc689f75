"""The funding pages as a browser uses them (cookie session, CSRF-protected plain forms, no
script): staff open a round, a member bids with budget lines, fixes their mistakes from the
error summary, sees their bids and withdraws; a reviewer decides from the emailed link; staff
see the budget awarded and remaining."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import requests
from test_funding_helpers import open_round, review, review_link, staff, unique

if TYPE_CHECKING:
    from tests.conftest import Api

LONDON = ZoneInfo("Europe/London")


class Browser:
    """A member's browser: their session cookie on every request, forms posted as forms."""

    def __init__(self, api: Api, email: str, *, staff: bool = False, name: str = "") -> None:
        self.api = api
        self.cookie = f"convene_session={api.token(email, staff=staff, name=name)}"

    def get(self, path: str) -> requests.Response:
        return self.api.get(path, headers={"Cookie": self.cookie})

    def post(self, path: str, form: dict[str, Any]) -> requests.Response:
        return self.api.post(path, data=form, headers={"Cookie": self.cookie})

    def form_fields(self, path: str) -> dict[str, str]:
        """The hidden fields of the page's form (CSRF token, request key)."""
        page = self.get(path)
        assert page.status_code == 200, page.text
        return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))


def local(moment: datetime) -> str:
    """As a ``datetime-local`` input sends it: London wall-clock time, no offset."""
    return moment.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def test_staff_open_a_round_through_the_form(api: Api, email) -> None:
    team = Browser(api, staff(api), staff=True)
    assert Browser(api, email()).get("/funding/rounds/new").status_code == 403
    assert api.get("/funding/rounds/new").status_code == 303  # sign in first
    hidden = team.form_fields("/funding/rounds/new")

    wrong = team.post(
        "/funding/rounds/new",
        {**hidden, "name": "Q", "budget_pence": "lots", "opens_at": "soon", "approvals_needed": "2"},
    )
    assert wrong.status_code == 422 and "There is a problem" in wrong.text
    for field in ("name", "budget_pence", "opens_at", "reviewer_emails"):
        assert f'href="#{field}"' in wrong.text
    assert 'value="lots"' in wrong.text  # what was typed is kept

    now = datetime.now(LONDON)
    name = unique("Supporting Q Connections")
    opened = team.post(
        "/funding/rounds/new",
        {
            **hidden,
            "name": name,
            "description": "Convener roles for Special Interest Groups.",
            "opens_at": local(now - timedelta(hours=1)),
            "closes_at": local(now + timedelta(days=30)),
            "budget_pence": "20,000",
            "max_award_pence": "£5,000",
            "reviewer_emails": f"{email('reviewer')}\n{email('reviewer')}\n{email('reviewer')}",
            "approvals_needed": "2",
            "higher_amount_pence": "2,500",
            "approvals_needed_above": "3",
            "review_period_days": "28",
            "reminder_after_days": "3",
        },
    )
    assert opened.status_code == 303, opened.text
    staff_page = team.get(opened.headers["Location"])
    assert staff_page.status_code == 200 and "The round is open" in staff_page.text
    assert "£20,000" in staff_page.text and "3 for bids above £2,500" in staff_page.text
    round_id = opened.headers["Location"].split("/")[3]
    view = api.get(f"/api/rounds/{round_id}").json()
    assert view["state"] == "open" and view["budget_pence"] == 20_000_00 and view["max_award_pence"] == 5_000_00
    assert name in api.get("/funding").text


def test_a_member_bids_with_budget_lines_fixes_mistakes_and_withdraws(api: Api, email) -> None:
    reviewer, applicant = email("reviewer"), email("applicant")
    rnd = open_round(api, [reviewer], decision_rule={"approvals_needed": 1})
    path = f"/funding/rounds/{rnd['round_id']}"
    assert "Sign in to bid" in api.get(path).text
    member = Browser(api, applicant, name="Priya Shah")
    hidden = member.form_fields(path)
    assert hidden["request_key"] and hidden["csrf_token"]
    title = unique("Convening the Coaching SIG")
    form = {
        **hidden,
        "title": title,
        "summary": "A convener for peer coaching sessions <script>alert(1)</script>.",
        "amount_pence": "1,250.50",
        "line_description_1": "Convener days",
        "line_amount_1": "1000",
        "line_description_2": "Room hire",
        "line_amount_2": "200",
        "co_applicant_emails": "",
        "consent_to_be_named": "yes",
    }

    wrong = member.post(f"{path}/bids", form)
    assert wrong.status_code == 422 and "There is a problem" in wrong.text
    assert "add up to £1,200" in wrong.text and 'href="#budget_lines"' in wrong.text
    assert "&lt;script&gt;" in wrong.text and "<script>alert" not in wrong.text
    assert 'value="Room hire"' in wrong.text

    half = member.post(
        f"{path}/bids", {**form, "line_amount_2": "two hundred", "line_description_3": "", "line_amount_3": "5"}
    )
    assert half.status_code == 422
    assert 'href="#line_amount_2"' in half.text and 'href="#line_description_3"' in half.text

    flood = member.post(f"{path}/bids", {**form, **{f"extra_{i}": "x" for i in range(300)}})
    assert flood.status_code == 400 and "far more fields" in flood.text

    fixed = {**form, "line_amount_2": "250.50"}
    sent = member.post(f"{path}/bids", fixed)
    assert sent.status_code == 303, sent.text
    assert member.post(f"{path}/bids", fixed).headers["Location"] == sent.headers["Location"]  # a double click
    # Back in the browser, the same form changed and sent again: not silently a second bid.
    changed = member.post(f"{path}/bids", {**fixed, "title": unique("Convening the Coaching SIG")})
    assert changed.status_code == 409 and "This form was already used to send a bid" in changed.text
    assert f'value="{hidden["request_key"]}"' not in changed.text  # a fresh key for a new bid
    bid_page = member.get(sent.headers["Location"])
    assert bid_page.status_code == 200 and "Thank you" in bid_page.text and "£1,250.50" in bid_page.text
    bid_id = sent.headers["Location"].split("/")[3].split("?")[0]
    mine = member.get("/funding/bids")
    assert title in mine.text and mine.text.count(f"/funding/bids/{bid_id}") == 1

    link = review_link(api, reviewer, bid_id)
    assert member.post(f"/funding/bids/{bid_id}/withdraw", {}).status_code == 403  # no CSRF token
    withdrawn = member.post(f"/funding/bids/{bid_id}/withdraw", {"csrf_token": hidden["csrf_token"]})
    assert withdrawn.status_code == 303
    after = member.get(withdrawn.headers["Location"])
    assert "You have withdrawn this bid" in after.text and "Withdraw this bid" not in after.text
    assert "withdrawn" in api.get(link).text


def test_a_reviewer_decides_from_the_link_and_staff_see_the_award(api: Api, email) -> None:
    reviewer, applicant = email("reviewer"), email("applicant")
    rnd = open_round(api, [reviewer], decision_rule={"approvals_needed": 1})
    made = api.post(
        f"/api/rounds/{rnd['round_id']}/bids",
        json={
            "title": unique("Open Space host for the Liberating Structures SIG"),
            "summary": "Hosting Open Space conversations on making collaboration fully inclusive.",
            "amount_pence": 3_000_00,
            "budget_lines": [{"description": "Host days", "amount_pence": 3_000_00}],
        },
        headers=api.auth(applicant),
    ).json()
    link = review_link(api, reviewer, made["bid_id"])
    page = api.get(link)
    assert page.status_code == 200
    for label in ("Approve", "Reject", "Abstain", "Host days", "£3,000", 'for="comment"'):
        assert label in page.text
    # One deliberate action: a choice and a comment, then one submit button (as Hypha does).
    assert page.text.count('type="radio" id="decision-') == 3
    assert page.text.count('<button type="submit"') == 1 + page.text.count("Sign out</button>")
    undecided = review(api, link, "", "Inclusive and practical.")
    assert undecided.status_code == 422
    assert "Choose whether to approve, reject or abstain" in undecided.text
    assert "Inclusive and practical." in undecided.text, "the comment typed is kept"
    done = review(api, link, "approve", "Inclusive and practical.")
    assert done.status_code == 200 and "your review (<strong>approve</strong>) is recorded" in done.text

    team = Browser(api, staff(api), staff=True)
    staff_page = team.get(f"/funding/rounds/{rnd['round_id']}/staff")
    assert "Awarded</dt><dd>£3,000" in staff_page.text and "Remaining</dt><dd>£17,000" in staff_page.text
    bid_page = team.get(f"/funding/bids/{made['bid_id']}")
    assert reviewer in bid_page.text and "History" in bid_page.text and "Inclusive and practical." in bid_page.text
    assert Browser(api, email()).get(f"/funding/rounds/{rnd['round_id']}/staff").status_code == 403
    applicant_page = Browser(api, applicant).get(f"/funding/bids/{made['bid_id']}")
    assert "Inclusive and practical." in applicant_page.text and reviewer not in applicant_page.text


def test_team_views_hide_empty_sections_and_counts_agree_with_the_state(api: Api, email) -> None:
    from test_funding_helpers import links_for, submit

    first, second, applicant = email("reviewer"), email("reviewer"), email("applicant")
    rnd = open_round(api, [first, second], decision_rule={"approvals_needed": 1})
    made = submit(api, rnd["round_id"], applicant)
    links = links_for(api, made["bid_id"], [first, second])
    assert review(api, links[first], "approve", "Yes.").status_code == 200

    team = Browser(api, staff(api), staff=True)
    page = team.get(f"/funding/rounds/{rnd['round_id']}/staff").text
    assert "<h2>Funded (1)</h2>" in page
    assert "Withdrawn (" not in page and "Submitted (" not in page and "None." not in page, "empty sections are hidden"
    assert "pending" not in page, "a funded bid never shows reviews as pending"
    assert "1 no longer needed" in page
    bid_page = team.get(f"/funding/bids/{made['bid_id']}").text
    assert ">pending<" not in bid_page and "not needed: the bid was decided" in bid_page
    counts = api.get(f"/api/bids/{made['bid_id']}", headers=api.auth(staff(api), staff=True)).json()["reviews"]
    assert counts["pending"] == 0 and counts["not_needed"] == 1

    # The bid's page, "My bids" and My Q use the same words for its state.
    mine = Browser(api, applicant)
    label = re.compile(r">\s*funded\s*<")
    for path in (f"/funding/bids/{made['bid_id']}", "/funding/bids"):
        assert label.search(mine.get(path).text), path
    assert "funded" in mine.get("/").text
