"""Funding end to end over HTTP against the local runtime: staff open a round, members bid,
reviewers without a conflict of interest decide from the links in their email, the pot shows
the award and the applicant hears the outcome; rejection, withdrawal, a pot that runs out,
too few reviewers, duplicates, and every kind of bad input."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from test_funding_helpers import (
    as_staff,
    bid,
    bid_body,
    confirm_co_applicant,
    history,
    iso,
    links_for,
    open_round,
    outbox_events,
    review,
    review_link,
    round_body,
    staff,
    staff_round,
    submit,
    unique,
)

if TYPE_CHECKING:
    from tests.conftest import Api


def approved_sig(api: Api, convener: str) -> str:
    proposed = api.post(
        "/api/sigs",
        json={"name": unique("Third Sector SIG"), "purpose": "Charities and the NHS working together."},
        headers=api.auth(convener, name="Gareth Evans"),
    )
    assert proposed.status_code == 201, proposed.text
    sig_id = str(proposed.json()["sig_id"])
    decided = api.post(f"/api/sigs/{sig_id}/decision", json={"decision": "approve"}, headers=as_staff(api))
    assert decided.status_code == 200, decided.text
    return sig_id


def test_reviewers_without_conflicts_approve_from_their_email_and_the_pot_shows_it(api: Api, email) -> None:
    applicant, co_applicant, convener = email("applicant"), email("co"), email("convener")
    r1, r2, r3 = email("reviewer"), email("reviewer"), email("reviewer")
    sig_id = approved_sig(api, convener)
    rnd = open_round(api, [r1, applicant, r2, convener, r3])  # co-applicants on a panel: test_trust_names.py
    assert rnd["staff"]["awarded_pence"] == 0 and rnd["staff"]["remaining_pence"] == 20_000_00
    made = submit(api, rnd["round_id"], applicant, sig_id=sig_id, co_applicant_emails=[co_applicant.upper()])
    bid_id, title = made["bid_id"], made["title"]

    # The applicant gets a receipt; only the three reviewers without a conflict get a link.
    assert api.one_mail(applicant, subject=f"We have received your bid: {title}")
    links = links_for(api, bid_id, [r1, r2, r3])
    for conflicted in (applicant, co_applicant, convener):
        assert api.mail(conflicted, subject="review a bid", settle=False) == []
    view = bid(api, bid_id)
    assert view["status"] == "in_review" and [r["email"] for r in view["reviewers"]] == [r1, r2, r3]
    assert view["sig_name"].startswith("Third Sector SIG")

    page = api.get(links[r1])
    assert page.status_code == 200 and title in page.text
    assert "Convener days" in page.text and "£1,500" in page.text and "Approve" in page.text

    first = review(api, links[r1], "approve", "A lovely way to connect the third sector.")
    assert first.status_code == 200 and "your review" in first.text
    assert bid(api, bid_id)["status"] == "in_review"
    second = review(api, links[r2], "approve", "Yes: <b>go for it</b>")
    assert second.status_code == 200 and "funded" in second.text

    decided = bid(api, bid_id)
    assert decided["status"] == "approved" and decided["reviews"]["approvals"] == 2
    money = staff_round(api, rnd["round_id"])["staff"]
    assert money["awarded_pence"] == 2_000_00 and money["remaining_pence"] == 18_000_00
    assert [b["bid_id"] for b in money["bids_by_status"]["approved"]] == [bid_id]

    # The applicant hears the decision with the comments, never who wrote them.
    message = api.one_mail(applicant, subject=f"Your bid has been funded: {title}")
    assert "A lovely way to connect the third sector." in message["text"]
    assert "&lt;b&gt;go for it&lt;/b&gt;" in message["html"] and "<b>go for it</b>" not in message["html"]
    for reviewer in (r1, r2, r3):
        assert reviewer not in message["text"] and reviewer not in message["html"]

    # A review arriving after the decision is shown the outcome and changes nothing.
    late = review(api, links[r3], "reject", "Too late")
    assert late.status_code == 409 and "already decided" in late.text
    assert bid(api, bid_id)["reviews"]["rejections"] == 0
    assert len(outbox_events(api, "BidApproved", bid_id)) == 1
    assert [e["action"] for e in history(api, bid_id)] == [
        "submitted",
        "reviewers assigned",
        "review: approve",
        "review: approve",
        "decided",
    ]

    # Members and the public see no staff-only data; the applicant sees the comments.
    public = api.get(f"/api/rounds/{rnd['round_id']}").json()
    assert public["staff"] is None and "reviewer_emails" not in json.dumps(public)
    mine = api.get(f"/api/bids/{bid_id}", headers=api.auth(applicant)).json()
    assert mine["reviewers"] is None and "A lovely way to connect the third sector." in mine["comments"]
    assert api.get(f"/api/bids/{bid_id}", headers=api.auth(email("other"))).status_code == 404
    assert api.get(f"/api/bids/{bid_id}").status_code == 401


def test_rejected_once_approval_can_no_longer_be_reached(api: Api, email) -> None:
    applicant, r1, r2, r3 = email("applicant"), email("reviewer"), email("reviewer"), email("reviewer")
    rnd = open_round(api, [r1, r2, r3])
    made = submit(api, rnd["round_id"], applicant)
    links = links_for(api, made["bid_id"], [r1, r2, r3])
    assert review(api, links[r1], "reject", "Please show who the role will connect.").status_code == 200
    assert bid(api, made["bid_id"])["status"] == "in_review"
    assert review(api, links[r2], "abstain").status_code == 200
    decided = bid(api, made["bid_id"])
    assert decided["status"] == "rejected" and "too few reviews left" in decided["decision_reason"]
    message = api.one_mail(applicant, subject=f"Your bid was not funded: {made['title']}")
    assert "Please show who the role will connect." in message["text"]
    assert len(outbox_events(api, "BidRejected", made["bid_id"])) == 1
    assert staff_round(api, rnd["round_id"])["staff"]["awarded_pence"] == 0
    assert "already decided" in api.get(links[r3]).text


def test_the_applicant_withdraws_until_a_decision(api: Api, email) -> None:
    applicant, reviewer = email("applicant"), email("reviewer")
    rnd = open_round(api, [reviewer], decision_rule={"approvals_needed": 1})
    made = submit(api, rnd["round_id"], applicant)
    link = review_link(api, reviewer, made["bid_id"])

    assert api.post(f"/api/bids/{made['bid_id']}/withdraw", headers=api.auth(email("other"))).status_code == 404
    staff_try = api.post(f"/api/bids/{made['bid_id']}/withdraw", headers=as_staff(api))
    assert staff_try.status_code == 403
    withdrawn = api.post(f"/api/bids/{made['bid_id']}/withdraw", headers=api.auth(applicant))
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = api.post(f"/api/bids/{made['bid_id']}/withdraw", headers=api.auth(applicant))
    assert again.status_code == 409 and "withdrawn" in again.json()["message"]

    # The reviewer's link now shows the outcome and changes nothing.
    assert "withdrawn" in api.get(link).text
    assert review(api, link, "approve").status_code == 409
    assert bid(api, made["bid_id"])["status"] == "withdrawn"
    assert staff_round(api, rnd["round_id"])["staff"]["awarded_pence"] == 0
    assert history(api, made["bid_id"])[-1]["action"] == "withdrawn"

    # The title is free again: the member may bid anew under it.
    body = {k: v for k, v in made.items() if k != "bid_id"}
    anew = api.post(f"/api/rounds/{rnd['round_id']}/bids", json=body, headers=api.auth(applicant))
    assert anew.status_code == 201 and anew.json()["bid_id"] != made["bid_id"]

    # A decided bid cannot be withdrawn.
    renewed = review_link(api, reviewer, anew.json()["bid_id"])
    assert review(api, renewed, "approve").status_code == 200
    late = api.post(f"/api/bids/{anew.json()['bid_id']}/withdraw", headers=api.auth(applicant))
    assert late.status_code == 409


def test_a_bid_that_no_longer_fits_the_pot_is_unfunded(api: Api, email) -> None:
    reviewer = email("reviewer")
    rnd = open_round(
        api, [reviewer], budget_pence=3_000_00, max_award_pence=2_000_00, decision_rule={"approvals_needed": 1}
    )
    first, second = email("first"), email("second")
    a = submit(api, rnd["round_id"], first)
    b = submit(api, rnd["round_id"], second)
    assert review(api, review_link(api, reviewer, a["bid_id"]), "approve").status_code == 200
    page = review(api, review_link(api, reviewer, b["bid_id"]), "approve")
    assert page.status_code == 200 and "the pot had run out" in page.text
    assert bid(api, a["bid_id"])["status"] == "approved"
    unfunded = bid(api, b["bid_id"])
    assert unfunded["status"] == "unfunded" and "£1,000 left" in unfunded["decision_reason"]
    money = staff_round(api, rnd["round_id"])["staff"]
    assert money["awarded_pence"] == 2_000_00 and money["remaining_pence"] == 1_000_00
    message = api.one_mail(second, subject=f"Your bid was approved but could not be funded: {b['title']}")
    assert "£1,000 left" in message["text"]
    assert outbox_events(api, "BidApproved", b["bid_id"]) == []


def test_too_few_reviewers_tells_staff_who_add_one(api: Api, email) -> None:
    applicant, co_applicant, reviewer, extra = email("applicant"), email("co"), email("reviewer"), email("extra")
    rnd = open_round(api, [reviewer, co_applicant])  # 2 approvals needed; the co-applicant is conflicted
    made = submit(api, rnd["round_id"], applicant, co_applicant_emails=[co_applicant])
    # Named, the co-applicant stays on the panel (staff are told); confirmed, they leave it.
    assert confirm_co_applicant(api, co_applicant, made["bid_id"]).status_code == 200
    alert = api.one_mail(staff(api), subject=f"A bid needs more reviewers: {made['title']}")
    assert "needs 2 approvals" in alert["text"] and "1 left out for a conflict of interest" in alert["text"]
    view = bid(api, made["bid_id"])
    assert view["needs_reviewers"] is True and [r["email"] for r in view["reviewers"]] == [reviewer]

    # One reviewer rejecting does not reject it: the shortfall is ours, not the bid's.
    assert review(api, review_link(api, reviewer, made["bid_id"]), "reject").status_code == 200
    assert bid(api, made["bid_id"])["status"] == "in_review"

    team = as_staff(api)
    conflicted = api.post(f"/api/bids/{made['bid_id']}/reviewers", json={"email": co_applicant}, headers=team)
    assert conflicted.status_code == 409 and conflicted.json()["errors"][0]["field"] == "email"
    member = api.post(f"/api/bids/{made['bid_id']}/reviewers", json={"email": extra}, headers=api.auth(applicant))
    assert member.status_code == 403
    added = api.post(f"/api/bids/{made['bid_id']}/reviewers", json={"email": extra}, headers=team)
    assert added.status_code == 200 and added.json()["needs_reviewers"] is False

    # With two reviewers and one rejection, two approvals can no longer be reached.
    assert review(api, review_link(api, extra, made["bid_id"]), "approve").status_code == 200
    assert bid(api, made["bid_id"])["status"] == "rejected"


def test_bids_outside_the_round_or_its_rules_are_refused_with_the_field(api: Api, email) -> None:
    reviewer, member = email("reviewer"), email("member")
    headers = api.auth(member)
    future = open_round(api, [reviewer], opens_at=iso(timedelta(days=2)), closes_at=iso(timedelta(days=9)))
    closed = open_round(api, [reviewer], opens_at=iso(-timedelta(days=9)), closes_at=iso(-timedelta(days=2)))
    for rnd, word in ((future, "not open for bids yet"), (closed, "closed")):
        response = api.post(f"/api/rounds/{rnd['round_id']}/bids", json=bid_body(), headers=headers)
        assert response.status_code == 409 and word in response.json()["message"]
        assert response.json()["errors"][0]["field"] == "round_id"

    rnd = open_round(api, [reviewer])
    path = f"/api/rounds/{rnd['round_id']}/bids"
    too_much = api.post(
        path,
        json=bid_body(amount_pence=6_000_00, budget_lines=[{"description": "Convener", "amount_pence": 6_000_00}]),
        headers=headers,
    )
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "amount_pence"
    assert "£5,000" in too_much.json()["message"]
    mismatch = api.post(path, json=bid_body(amount_pence=2_500_00), headers=headers)
    assert mismatch.status_code == 422 and mismatch.json()["errors"][0]["field"] == "budget_lines"
    assert "£2,000" in mismatch.json()["message"] and "£2,500" in mismatch.json()["message"]
    unknown_sig = api.post(path, json=bid_body(sig_id="sig_nosuchgroup"), headers=headers)
    assert unknown_sig.status_code == 422 and unknown_sig.json()["errors"][0]["field"] == "sig_id"
    assert api.post(path, json=bid_body()).status_code == 401
    assert api.post("/api/rounds/rnd_nosuchround/bids", json=bid_body(), headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", "body"),
        ('{"title": "x\\u0000"}', "summary"),
        ("[]", "body"),
        (json.dumps(bid_body(amount_pence="2000")), "amount_pence"),
        (json.dumps(bid_body(amount_pence=2000.0)), "amount_pence"),
        (json.dumps(bid_body(amount_pence=True)), "amount_pence"),
        (json.dumps(bid_body(amount_pence=-100)), "amount_pence"),
        (json.dumps(bid_body(amount_pence=10**30)), "amount_pence"),
        ('{"amount_pence": 1e400}', "amount_pence"),
        (json.dumps(bid_body(budget_lines=[{"description": "x", "amount_pence": 0}])), "budget_lines.0.amount_pence"),
        (json.dumps(bid_body(budget_lines=[])), "budget_lines"),
        (json.dumps(bid_body(budget_lines="lots")), "budget_lines"),
        (json.dumps(bid_body(co_applicant_emails=["a\u0000@example.org"])), "co_applicant_emails.0"),
        (json.dumps(bid_body(consent_to_be_named="yes")), "consent_to_be_named"),
        (json.dumps(bid_body(sig_id="../../etc")), "sig_id"),
        (json.dumps(bid_body(surprise=1)), "surprise"),
        (json.dumps(bid_body(title="\u0000\u0000")), "title"),
    ],
    ids=lambda value: value if len(value) < 40 else "json",  # bodies hold random titles: ids must not
)
def test_bad_bodies_get_a_readable_422_never_a_500(api: Api, email, body: str, field: str) -> None:
    rnd_id = _shared_round(api, email)
    response = api.post(
        f"/api/rounds/{rnd_id}/bids",
        data=body.encode(),
        headers={**api.auth(email()), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]], response.json()


_ROUND: dict[str, str] = {}


def _shared_round(api: Api, email) -> str:
    if "id" not in _ROUND:
        _ROUND["id"] = open_round(api, [email("reviewer")])["round_id"]
    return _ROUND["id"]


def test_nul_bytes_in_text_are_cleaned_not_stored(api: Api, email) -> None:
    applicant = email("applicant")
    rnd = open_round(api, [email("reviewer")])
    made = submit(api, rnd["round_id"], applicant, title=unique("Convener\u0000role"), summary="Line one\u0000two.")
    view = api.get(f"/api/bids/{made['bid_id']}", headers=api.auth(applicant)).json()
    assert "\u0000" not in view["title"] and "Convener role" in view["title"]
    assert view["summary"] == "Line one two."
    assert api.get("/api/bids/bid_%00x", headers=api.auth(applicant)).status_code in (404, 422)
    assert api.get("/funding/bids/bid_%00x", headers=api.auth(applicant)).status_code in (404, 422)


def test_opening_a_round_is_for_staff_and_checks_its_rules(api: Api, email) -> None:
    reviewer = email("reviewer")
    member = api.post("/api/rounds", json=round_body([reviewer]), headers=api.auth(email()))
    assert member.status_code == 403
    assert api.post("/api/rounds", json=round_body([reviewer])).status_code == 401
    team = as_staff(api)
    bad = api.post(
        "/api/rounds",
        json=round_body([reviewer], closes_at=iso(-timedelta(days=1)), max_award_pence=30_000_00),
        headers=team,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] in ("closes_at", "max_award_pence")
    assert "close after it opens" in bad.json()["message"] and "cannot be more than the pot" in bad.json()["message"]
    too_many = api.post("/api/rounds", json=round_body([reviewer], decision_rule={"approvals_needed": 2}), headers=team)
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "decision_rule"
    naive = api.post("/api/rounds", json=round_body([reviewer], opens_at="2026-01-05T09:00:00"), headers=team)
    assert naive.status_code == 422 and "opens_at" in [e["field"] for e in naive.json()["errors"]]


def test_open_rounds_are_listed_publicly(api: Api, email) -> None:
    reviewer = email("reviewer")
    open_now = open_round(api, [reviewer])
    later = open_round(api, [reviewer], opens_at=iso(timedelta(days=3)), closes_at=iso(timedelta(days=9)))
    listed = {r["round_id"]: r for r in api.get("/api/rounds").json()["rounds"]}
    assert open_now["round_id"] in listed and later["round_id"] not in listed
    assert listed[open_now["round_id"]]["staff"] is None
    upcoming = [r["round_id"] for r in api.get("/api/rounds?state=upcoming").json()["rounds"]]
    assert later["round_id"] in upcoming
    assert api.get("/api/rounds?state=bogus").status_code == 422
    assert api.get("/api/rounds/rnd_nosuchround").status_code == 404


def test_a_retried_or_double_clicked_bid_makes_one_bid(api: Api, email) -> None:
    applicant = email("applicant")
    rnd = open_round(api, [email("reviewer")])
    path = f"/api/rounds/{rnd['round_id']}/bids"
    body = bid_body()
    headers = {**api.auth(applicant), "Idempotency-Key": "retry-1"}

    first = api.post(path, json=body, headers=headers)
    retried = api.post(path, json=body, headers=headers)
    assert first.status_code == 201 and retried.status_code == 200
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert retried.json()["bid_id"] == first.json()["bid_id"]

    # The same bid again without a key (a resubmitted form) finds the bid too.
    again = api.post(path, json={**body, "title": "  " + body["title"].upper() + " "}, headers=api.auth(applicant))
    assert again.status_code == 409  # same title, different text: refused, not silently merged
    plain = api.post(path, json=body, headers=api.auth(applicant))
    assert plain.status_code == 200 and plain.json()["bid_id"] == first.json()["bid_id"]

    # The key used again for a different bid is refused.
    other = api.post(path, json=bid_body(), headers=headers)
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"

    # A double click: identical requests at the same moment.
    clicked = bid_body()
    answers: list[Any] = []
    start = threading.Barrier(4)

    def click() -> None:
        start.wait()
        answers.append(api.post(path, json=clicked, headers=api.auth(applicant)))

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({a.json()["bid_id"] for a in answers}) == 1

    mine = api.get("/api/bids", headers=api.auth(applicant)).json()["bids"]
    assert len(mine) == 2
    assert len(api.mail(applicant, subject="We have received your bid")) == 2


def test_the_round_exports_as_csv_for_staff_with_formulas_defused(api: Api, email) -> None:
    applicant = email("applicant")
    rnd = open_round(api, [email("reviewer")])
    risky = unique('=HYPERLINK("http://evil.example","click")')
    made = submit(
        api,
        rnd["round_id"],
        applicant,
        name='@Amara, "the" Okafor',
        title=risky,
        budget_lines=[
            {"description": '+Convener days, "two" a month', "amount_pence": 1_500_00},
            {"description": "-Venue", "amount_pence": 500_00},
        ],
    )
    url = f"/api/rounds/{rnd['round_id']}/bids.csv"
    assert api.get(url, headers=api.auth(applicant)).status_code == 403
    response = api.get(url, headers=as_staff(api))
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    [row] = rows
    assert row["bid_id"] == made["bid_id"]
    assert row["title"] == "'" + risky
    assert row["applicant_name"] == '\'@Amara, "the" Okafor'
    assert row["budget_lines"] == '\'+Convener days, "two" a month: £1,500; -Venue: £500'
    assert row["amount_pence"] == "200000" and row["amount"] == "£2,000"


def test_history_is_for_staff(api: Api, email) -> None:
    applicant = email("applicant")
    rnd = open_round(api, [email("reviewer")])
    made = submit(api, rnd["round_id"], applicant)
    assert api.get(f"/api/bids/{made['bid_id']}/history", headers=api.auth(applicant)).status_code == 403
    entries = history(api, made["bid_id"])
    assert entries[0]["action"] == "submitted" and entries[0]["by"] == applicant
    assert entries[0]["to_status"] == "submitted" and entries[0]["at"]
