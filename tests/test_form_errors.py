"""Error messages written for people (GOV.UK style): per field, in the field's own words, never a
library's raw text, naming the line at fault in repeated fields, in the order of the form. And the
bid form's budget: one line to start with, more on request, a running total without JavaScript."""

from __future__ import annotations

import re
from html import unescape

from tests.conftest import Api
from tests.test_funding_helpers import open_round, unique


def cookie(api: Api, address: str, name: str = "Amara Okafor") -> tuple[dict[str, str], str]:
    session = {"Cookie": f"convene_session={api.token(address, name=name)}"}
    return session, ""


def csrf_of(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def summary_items(html: str) -> list[str]:
    block = html.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    return [unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


def test_the_bid_form_names_each_problem_in_form_order(api: Api, email) -> None:
    rnd = open_round(api, [email("reviewer")])
    session, _ = cookie(api, email("applicant"))
    page = api.get(f"/funding/rounds/{rnd['round_id']}", headers=session).text
    assert 'id="line_description_1"' in page and 'id="line_description_2"' not in page, "one budget line to start"
    form = {
        "csrf_token": csrf_of(page),
        "title": "",
        "summary": "",
        "amount_pence": "lots",
        "line_rows": "3",
        "line_description_1": "Convener days",
        "line_amount_1": "1,000",
        "line_description_2": "",
        "line_amount_2": "300",
        "line_description_3": "Venue",
        "line_amount_3": "three hundred",
        "co_applicant_emails": "ok@example.org\nnot-an-address",
        "action": "send",
    }
    refused = api.post(f"/funding/rounds/{rnd['round_id']}/bids", data=form, headers=session)
    assert refused.status_code == 422
    assert summary_items(refused.text) == [
        "Enter a title for your bid",
        "Say what the funding will do",
        "Enter the amount you are asking for in pounds, like 1250 or 1,250.50",
        "Enter what budget line 2 pays for",
        "Enter budget line 3's amount in pounds, like 1250 or 1,250.50",
        "Enter co-applicant 2's email address in the correct format, like name@example.com",
    ]
    assert "This field is required" not in refused.text and "value_error" not in refused.text


def test_budget_lines_are_added_on_request_and_totalled_without_javascript(api: Api, email) -> None:
    rnd = open_round(api, [email("reviewer")])
    session, _ = cookie(api, email("applicant"))
    page = api.get(f"/funding/rounds/{rnd['round_id']}", headers=session).text
    form = {
        "csrf_token": csrf_of(page),
        "title": unique("Open Space host"),
        "summary": "Hosting Open Space conversations on kindness.",
        "amount_pence": "1500",
        "line_rows": "1",
        "line_description_1": "Host days",
        "line_amount_1": "1,000",
        "action": "add-line",
    }
    more = api.post(f"/funding/rounds/{rnd['round_id']}/bids", data=form, headers=session)
    assert more.status_code == 200 and 'id="line_description_2"' in more.text and "There is a problem" not in more.text
    assert 'id="budget_total">£1,000</strong>' in more.text and "(you ask for £1,500)" in more.text
    form.update(line_rows="2", line_description_2="Room hire", line_amount_2="400", action="send")
    short = api.post(f"/funding/rounds/{rnd['round_id']}/bids", data=form, headers=session)
    assert short.status_code == 422 and "add up to £1,400" in short.text
    form.update(line_amount_2="500", action="total")
    totalled = api.post(f"/funding/rounds/{rnd['round_id']}/bids", data=form, headers=session)
    assert "matches the amount asked" in totalled.text
    form.update(action="send")
    sent = api.post(f"/funding/rounds/{rnd['round_id']}/bids", data=form, headers=session)
    assert sent.status_code == 303, sent.text[:2000]


def test_the_proposal_form_names_the_co_convener_at_fault(api: Api, email) -> None:
    session, _ = cookie(api, email("proposer"))
    page = api.get("/sigs/new", headers=session).text
    form = {"csrf_token": csrf_of(page), "name": "", "purpose": "Kind", "co_convener_emails": "a@example.org\nb@"}
    refused = api.post("/sigs/new", data=form, headers=session)
    assert refused.status_code == 422
    items = summary_items(refused.text)
    assert [i.split(": ", 1)[-1] for i in items] == [
        "Enter the name of the group",
        "Say what the group is for in at least 10 characters",
        "Enter co-convener 2's email address in the correct format, like name@example.com",
    ]
