"""Funding under concurrency, redelivery and hostile links, against the local runtime (whose
moto is serialized, so conditional writes are atomic as on AWS): one decision however many
reviews race, never more awarded than the pot, each event's work done once, review links
that change nothing until their button is pressed, and bad links refused with the reason."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import requests
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from test_funding_helpers import (
    bid,
    history,
    iso,
    links_for,
    open_round,
    outbox_events,
    review,
    review_link,
    review_links,
    staff,
    staff_round,
    submit,
    token_of,
)

from functions.common import tokens
from functions.common.keys import signing_keys
from infra.local.delivery import sqs_event

if TYPE_CHECKING:
    from tests.conftest import Api


def race(calls: list[Any]) -> list[Any]:
    """Run the calls at the same moment, each on its own thread; their results in order."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_reviewers_deciding_at_the_same_moment_make_one_decision(api: Api, email) -> None:
    applicant, r1, r2, r3 = email("applicant"), email("reviewer"), email("reviewer"), email("reviewer")
    rnd = open_round(api, [r1, r2, r3])
    made = submit(api, rnd["round_id"], applicant)
    links = links_for(api, made["bid_id"], [r1, r2, r3])
    assert review(api, links[r1], "approve").status_code == 200

    # Each of the other two holds the deciding approval; they press the button together.
    sessions = [requests.Session(), requests.Session()]
    pages = race(
        [
            lambda: sessions[0].post(
                api.url + urlparse(links[r2]).path, data={"token": token_of(links[r2]), "decision": "approve"}
            ),
            lambda: sessions[1].post(
                api.url + urlparse(links[r3]).path, data={"token": token_of(links[r3]), "decision": "approve"}
            ),
        ]
    )
    assert sorted(p.status_code for p in pages) == [200, 409]  # one decided; the other was shown the outcome
    assert all("funded" in p.text for p in pages)

    decided = bid(api, made["bid_id"])
    assert decided["status"] == "approved" and decided["reviews"]["approvals"] == 2
    assert [e["action"] for e in history(api, made["bid_id"])].count("decided") == 1
    assert len(outbox_events(api, "BidApproved", made["bid_id"])) == 1
    assert staff_round(api, rnd["round_id"])["staff"]["awarded_pence"] == 2_000_00
    api.settle()
    assert len(api.mail(applicant, subject="Your bid has been funded", settle=False)) == 1


def test_many_approvals_racing_for_a_small_pot_never_overspend_it(api: Api, email) -> None:
    reviewer = email("reviewer")
    rnd = open_round(
        api, [reviewer], budget_pence=5_000_00, max_award_pence=1_000_00, decision_rule={"approvals_needed": 1}
    )
    lines = [{"description": "Convener days", "amount_pence": 1_000_00}]
    # Members of a big SIG network each bid for a convener (one member's session stands in for
    # them all: a session per member would only slow the test down).
    applicant = email("applicant")
    bids = [submit(api, rnd["round_id"], applicant, amount_pence=1_000_00, budget_lines=lines) for _ in range(20)]
    by_bid = review_links(api, reviewer)
    links = [by_bid[b["bid_id"]] for b in bids]

    def approve(path: str) -> Any:
        return lambda: requests.post(
            api.url + urlparse(path).path, data={"token": token_of(path), "decision": "approve"}, timeout=60
        )

    pages = race([approve(link) for link in links])
    assert all(p.status_code == 200 for p in pages), [p.status_code for p in pages]

    money = staff_round(api, rnd["round_id"])["staff"]
    assert money["awarded_pence"] == 5_000_00 and money["remaining_pence"] == 0
    by_status = {status: len(listed) for status, listed in money["bids_by_status"].items() if listed}
    assert by_status == {"approved": 5, "unfunded": 15}
    assert len(outbox_events(api, "BidApproved", *(b["bid_id"] for b in bids))) == 5


# -- every consumer is idempotent --------------------------------------------------------------------
def delivered(api: Api, function: str, detail: dict[str, Any], detail_type: str) -> dict[str, Any]:
    """The SQS event Lambda hands ``function`` for one EventBridge event."""
    [binding] = [q for q in api.runtime.resources.queues if q.function == function]
    envelope = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "convene",
        "time": detail["occurred_at"],
        "region": "eu-west-2",
        "resources": [],
        "detail": detail,
    }
    message = {"MessageId": str(uuid.uuid4()), "ReceiptHandle": str(uuid.uuid4()), "Body": json.dumps(envelope)}
    return sqs_event([message], binding)


def test_an_event_delivered_three_times_changes_state_once_and_emails_once(api: Api, email) -> None:
    applicant, reviewer = email("applicant"), email("reviewer")
    rnd = open_round(api, [reviewer], decision_rule={"approvals_needed": 1})
    made = submit(api, rnd["round_id"], applicant)
    api.settle()
    [submitted] = outbox_events(api, "BidSubmitted", made["bid_id"])
    before = bid(api, made["bid_id"])

    # The same BidSubmitted, three more times, to both of its consumers.
    for function in ("funding-workflow", "funding-notifications"):
        for _ in range(3):
            result = api.runtime.pools[function].invoke(delivered(api, function, submitted, "BidSubmitted"))
            assert result == {"batchItemFailures": []}
    # And once more as a new event with the same content (an expired idempotency record):
    # the bid is no longer "submitted", so nobody is assigned or emailed again.
    replayed = {**submitted, "event_id": f"evt_replay{uuid.uuid4().hex[:8]}"}
    api.runtime.pools["funding-workflow"].invoke(delivered(api, "funding-workflow", replayed, "BidSubmitted"))
    api.settle()
    after = bid(api, made["bid_id"])
    assert after["reviewers"] == before["reviewers"]
    assert [e["action"] for e in history(api, made["bid_id"])].count("reviewers assigned") == 1
    assert len(api.mail(reviewer, subject="review a bid", settle=False)) == 1
    assert len(api.mail(applicant, subject="We have received your bid", settle=False)) == 1

    # The decision's event, three times to the notifications: one email to the applicant.
    assert review(api, review_link(api, reviewer, made["bid_id"]), "approve").status_code == 200
    api.settle()
    [approved] = outbox_events(api, "BidApproved", made["bid_id"])
    for _ in range(3):
        pool = api.runtime.pools["funding-notifications"]
        assert pool.invoke(delivered(api, "funding-notifications", approved, "BidApproved")) == {
            "batchItemFailures": []
        }
    assert len(api.mail(applicant, subject="Your bid has been funded", settle=False)) == 1


def test_the_daily_schedule_reminds_pending_reviewers_then_tells_staff_what_is_undecided(api: Api, email) -> None:
    applicant, r1, r2, r3 = email("applicant"), email("reviewer"), email("reviewer"), email("reviewer")
    rnd = open_round(api, [r1, r2, r3], closes_at=iso(timedelta(days=5)), review_period_days=7)
    made = submit(api, rnd["round_id"], applicant)
    assert review(api, review_link(api, r1, made["bid_id"]), "reject", "Not this time").status_code == 200
    pool = api.runtime.pools["funding-schedule"]

    def run_as_of(days: float) -> dict[str, Any]:
        # Scoped to this test's round, so other tests' reviewers are not reminded too.
        when = iso(timedelta(days=days))
        return dict(pool.invoke({"schedule": "funding-daily", "as_of": when, "round_id": rnd["round_id"]}))

    # As EventBridge Scheduler invokes it: every round, nothing due yet.
    assert api.runtime.run_schedule("funding-daily")["reminded"] == 0
    assert run_as_of(1)["reminded"] == 0  # too soon
    assert run_as_of(3.1)["reminded"] == 2
    assert run_as_of(3.2)["reminded"] == 0  # the same day again: nobody is reminded twice
    api.settle()
    for reviewer in (r2, r3):
        assert len(api.mail(reviewer, subject=f"Reminder: please review a bid: {made['title']}", settle=False)) == 1
    assert api.mail(r1, subject="Reminder", settle=False) == []  # never the reviewer who has reviewed
    reminded = review_link(api, r2, made["bid_id"], reminder=True)
    assert "Approve" in api.get(reminded).text

    # The review period ends 5 + 7 days from now: staff are told, once, what is undecided.
    assert run_as_of(12.5)["rounds_reported"] == 1
    assert run_as_of(13.5)["rounds_reported"] == 0
    [report] = api.mail(staff(api), subject=rnd["name"])
    assert made["title"] in report["text"] and "2 reviews pending" in report["text"]
    assert [e["action"] for e in history(api, made["bid_id"])].count("reminded") == 1


# -- review links ----------------------------------------------------------------------------------
def test_get_and_head_of_a_review_link_change_nothing(api: Api, email) -> None:
    applicant, reviewer = email("applicant"), email("reviewer")
    rnd = open_round(api, [reviewer], decision_rule={"approvals_needed": 1})
    made = submit(api, rnd["round_id"], applicant)
    link = review_link(api, reviewer, made["bid_id"])
    before, entries = bid(api, made["bid_id"]), history(api, made["bid_id"])
    for _ in range(3):
        head = api.request("HEAD", link)
        assert head.status_code == 200 and head.text == ""
        page = api.get(link)
        assert page.status_code == 200 and "Approve" in page.text
        assert page.headers["Referrer-Policy"] == "same-origin"
    assert bid(api, made["bid_id"]) == before and history(api, made["bid_id"]) == entries
    # The link still works: it was never spent by looking at it.
    assert review(api, link, "approve").status_code == 200


def forged(purpose: str, subject: str, data: dict[str, Any], *, age: timedelta = timedelta(0)) -> str:
    """A correctly signed token, optionally signed ``age`` ago."""

    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age.total_seconds())

    serializer = URLSafeTimedSerializer(
        signing_keys(), salt=f"convene:{purpose}", signer=Then, signer_kwargs={"digest_method": hashlib.sha256}
    )
    return str(serializer.dumps({"sub": subject, "jti": uuid.uuid4().hex, "d": data}))


def test_bad_review_links_are_refused_with_a_page_that_says_why(api: Api, email) -> None:
    applicant, reviewer = email("applicant"), email("reviewer")
    rnd = open_round(api, [reviewer], decision_rule={"approvals_needed": 1})
    made = submit(api, rnd["round_id"], applicant)
    other = submit(api, rnd["round_id"], email("applicant"))
    link = review_link(api, reviewer, made["bid_id"])
    path, token = urlparse(link).path, token_of(link)

    cases = {
        "tampered": (token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"), 400, "changed or cut short"),
        "expired": (
            forged("bid-review", reviewer, {"bid_id": made["bid_id"]}, age=timedelta(days=46)),
            410,
            "expired",
        ),
        "wrong purpose": (tokens.issue("sig-review", reviewer, bid_id=made["bid_id"]), 400, "different action"),
        "another bid": (tokens.issue("bid-review", reviewer, bid_id=other["bid_id"]), 400, "different bid"),
        "empty": ("", 400, "incomplete"),
    }
    for name, (bad, status, says) in cases.items():
        for method in ("GET", "POST"):
            response = (
                api.get(path, params={"token": bad})
                if method == "GET"
                else api.post(path, data={"token": bad, "decision": "approve"})
            )
            assert response.status_code == status, (name, method, response.text)
            assert "This link cannot be used" in response.text and says in response.text, (name, method)
    assert bid(api, made["bid_id"])["status"] == "in_review"

    # Someone who is not on the bid's panel, with a genuine link made for them, cannot review.
    stranger = tokens.issue("bid-review", email("stranger"), bid_id=made["bid_id"])
    refused = api.post(path, data={"token": stranger, "decision": "approve"})
    assert refused.status_code == 403 and "not a reviewer" in refused.text

    # Used once, the link is spent: it says so, shows the review it recorded, and changes nothing.
    assert review(api, link, "approve", "Good").status_code == 200
    for response in (api.get(link), review(api, link, "reject")):
        assert response.status_code == 410 and "already been used" in response.text
        assert "approve" in response.text
    assert bid(api, made["bid_id"])["reviews"]["approvals"] == 1


def test_review_form_without_a_decision_is_shown_again_with_the_problem(api: Api, email) -> None:
    applicant, reviewer = email("applicant"), email("reviewer")
    rnd = open_round(api, [reviewer], decision_rule={"approvals_needed": 1})
    made = submit(api, rnd["round_id"], applicant)
    link = review_link(api, reviewer, made["bid_id"])
    response = api.post(
        urlparse(link).path, data={"token": token_of(link), "decision": "maybe", "comment": "Kept <here>"}
    )
    assert response.status_code == 422 and "There is a problem" in response.text
    assert "Kept &lt;here&gt;" in response.text
    assert bid(api, made["bid_id"])["reviews"]["pending"] == 1
