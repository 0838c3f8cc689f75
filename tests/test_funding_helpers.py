"""Helpers shared by the funding tests (no tests here): opening a round, bidding, and
following reviewers' links from the local mail viewer, as people do."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

import requests

from bench.calls import bid_body

if TYPE_CHECKING:
    from tests.conftest import Api


def staff(api: Api) -> str:
    """The staff address the test runtime was started with (it gets staff emails)."""
    return api.runtime.staff_emails.split(",")[0].strip()


_STAFF_HEADERS: dict[int, dict[str, str]] = {}
_SESSIONS: dict[tuple[int, str, str], dict[str, str]] = {}


def as_staff(api: Api) -> dict[str, str]:
    """A staff session, made once per runtime (each new session costs a few moto calls)."""
    key = id(api.runtime)
    if key not in _STAFF_HEADERS:
        _STAFF_HEADERS[key] = api.auth(staff(api), staff=True)
    return _STAFF_HEADERS[key]


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:6]}"


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def round_body(reviewers: list[str], **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": unique("Supporting Q Connections"),
        "description": "Funding for convener roles that help SIGs support their members.",
        "opens_at": iso(-timedelta(hours=1)),
        "closes_at": iso(timedelta(days=30)),
        "budget_pence": 20_000_00,
        "max_award_pence": 5_000_00,
        "reviewer_emails": reviewers,
        "decision_rule": {"approvals_needed": min(2, len(reviewers))},
        "review_period_days": 28,
        "reminder_after_days": 3,
    }
    return {**body, **changes}


def open_round(api: Api, reviewers: list[str], **changes: Any) -> dict[str, Any]:
    response = api.post("/api/rounds", json=round_body(reviewers, **changes), headers=as_staff(api))
    assert response.status_code == 201, response.text
    return dict(response.json())


def submit(api: Api, round_id: str, applicant: str, name: str = "Amara Okafor", **changes: Any) -> dict[str, Any]:
    body = bid_body(**changes)
    key = (id(api.runtime), applicant, name)
    if key not in _SESSIONS:  # one session per member per run, as a browser keeps its cookie
        _SESSIONS[key] = api.auth(applicant, name=name)
    response = api.post(f"/api/rounds/{round_id}/bids", json=body, headers=_SESSIONS[key])
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "submitted"
    return {**body, "bid_id": response.json()["bid_id"]}


def links_for(api: Api, bid_id: str, reviewers: list[str], *, reminder: bool = False) -> dict[str, str]:
    """The review link (path and token) emailed to each reviewer about the bid, read from the
    mail viewer once (each look waits for events to settle: one look for all is faster)."""
    subject = "Reminder: please review a bid" if reminder else "Please review a bid"
    api.settle()
    messages = requests.get(api.url + "/_local/mail.json", timeout=30).json()["messages"]
    found: dict[str, list[str]] = {r: [] for r in reviewers}
    # strip(): a long subject comes back from MIME folding with a leading space
    for message in (m for m in messages if m["subject"].strip().startswith(subject)):
        for to in message["to"]:
            if to.lower() not in found:
                continue
            for link in message["links"]:
                parts = urlparse(link)
                if parts.path == f"/funding/bids/{bid_id}/review":
                    found[to.lower()].append(f"{parts.path}?{parts.query}")
    for reviewer, links in found.items():
        assert len(links) == 1, f"expected one {subject!r} link for {reviewer}, found {len(links)}"
    return {reviewer: links[0] for reviewer, links in found.items()}


def review_link(api: Api, reviewer: str, bid_id: str, *, reminder: bool = False) -> str:
    return links_for(api, bid_id, [reviewer], reminder=reminder)[reviewer]


def review_links(api: Api, reviewer: str) -> dict[str, str]:
    """Every review link emailed to ``reviewer``, by bid id (one look at the mail viewer)."""
    found: dict[str, str] = {}
    for message in api.mail(reviewer, subject="review a bid"):
        for link in message["links"]:
            parts = urlparse(link)
            if parts.path.endswith("/review") and "token=" in parts.query:
                found.setdefault(parts.path.split("/")[3], f"{parts.path}?{parts.query}")
    return found


def token_of(path: str) -> str:
    return parse_qs(urlparse(path).query)["token"][0]


def review(api: Api, path: str, decision: str, comment: str = "") -> requests.Response:
    """Press a button on the review page (a plain form post, as a browser does)."""
    return api.post(urlparse(path).path, data={"token": token_of(path), "decision": decision, "comment": comment})


def bid(api: Api, bid_id: str) -> dict[str, Any]:
    response = api.get(f"/api/bids/{bid_id}", headers=as_staff(api))
    assert response.status_code == 200, response.text
    return dict(response.json())


def history(api: Api, bid_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/bids/{bid_id}/history", headers=as_staff(api))
    assert response.status_code == 200, response.text
    return list(response.json()["entries"])


def staff_round(api: Api, round_id: str) -> dict[str, Any]:
    response = api.get(f"/api/rounds/{round_id}", headers=as_staff(api))
    assert response.status_code == 200, response.text
    return dict(response.json())


def outbox_events(api: Api, detail_type: str, *bid_ids: str) -> list[dict[str, Any]]:
    """Events of this type about these bids in the outbox (what reached, or will reach, the
    bus). A test-only Scan, filtered on the server so only the few matches travel."""
    ddb = api.runtime.client("dynamodb")
    found = []
    pages = ddb.get_paginator("scan").paginate(
        TableName=api.runtime.resources.tables["outbox"],
        FilterExpression="detail_type = :type",
        ExpressionAttributeValues={":type": {"S": detail_type}},
    )
    for page in pages:
        for item in page["Items"]:
            detail = json.loads(item["detail"]["S"])
            if detail.get("bid_id") in bid_ids:
                found.append(detail)
    return found


def confirm_co_applicant(api: Api, co_applicant: str, bid_id: str) -> requests.Response:
    """The named co-applicant opens their emailed link and presses its button."""
    message = api.one_mail(co_applicant, subject="named you as a co-applicant")
    link = next(x for x in message["links"] if f"/funding/bids/{bid_id}/co-applicants/confirm?token=" in x)
    return api.post(f"/funding/bids/{bid_id}/co-applicants/confirm", data={"token": token_of(api.path(link))})
