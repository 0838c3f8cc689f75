"""AWS API calls per request (SIGs, sign-in, funding, visits, newsletter), and per consumer event.

Runs in-process against a started ``LocalRuntime``: API requests go over HTTP through the
local API Gateway exactly as clients send them; consumer events are delivered to the
consumer function as the SQS event source mapping delivers them (one event per batch),
invoked on this thread. ``bench.counting`` hooks the functions' boto3 clients.

    .venv/bin/python bench/calls.py
"""

from __future__ import annotations

import json
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.counting import CallCounter, Window, in_thread  # noqa: E402


@dataclass
class Row:
    area: str
    operation: str
    request: str
    status: int
    window: Window


class Client:
    """A tiny HTTP client for the runtime, counting each request's calls."""

    def __init__(self, runtime: Any, counter: CallCounter) -> None:
        import requests

        self.runtime = runtime
        self.counter = counter
        self.http = requests.Session()
        self.rows: list[Row] = []

    def auth(self, email: str, *, staff: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.runtime.issue_session(email, staff=staff, name='Bench Member')}"}

    def call(
        self, area: str, operation: str, method: str, path: str, expect: int, shown: str = "", **kwargs: Any
    ) -> Any:
        with self.counter.window() as window:
            response = self.http.request(method, self.runtime.url + path, allow_redirects=False, timeout=30, **kwargs)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code}, expected {expect}: {response.text[:300]}")
        self.rows.append(Row(area, operation, f"{method} {shown or path}", response.status_code, window))
        return response

    def mail_token(self, to: str) -> str:
        messages = self.http.get(self.runtime.url + "/_local/mail.json", timeout=30).json()["messages"]
        for message in messages:  # newest first
            if to in message["to"]:
                for link in message["links"]:
                    if "token=" in link:
                        return parse_qs(urlparse(link).query)["token"][0]
        raise LookupError(f"no sign-in link sent to {to}")


def _address(name: str) -> str:
    return f"bench.{name}.{uuid.uuid4().hex[:8]}@example.org"


def sig_operations(client: Client) -> None:
    proposer, co, joiner, staff = _address("proposer"), _address("co"), _address("joiner"), _address("staff")
    as_proposer, as_joiner, as_staff = client.auth(proposer), client.auth(joiner), client.auth(staff, staff=True)
    name = f"Bench SIG {uuid.uuid4().hex[:6]}"
    body = {"name": name, "purpose": "Measuring what a request costs.", "themes": ["bench"]}

    client.call("SIGs", "list", "GET", "/api/sigs", 200)
    client.call("SIGs", "list proposals (staff)", "GET", "/api/sigs?status=proposed", 200, headers=as_staff)
    created = client.call(
        "SIGs", "propose", "POST", "/api/sigs", 201, json={**body, "co_convener_emails": [co]}, headers=as_proposer
    )
    sig_id = created.json()["sig_id"]
    shown = "/api/sigs/{id}"
    client.call("SIGs", "propose, name taken", "POST", "/api/sigs", 409, json=body, headers=as_joiner)
    client.call("SIGs", "get (proposer, proposed)", "GET", f"/api/sigs/{sig_id}", 200, shown, headers=as_proposer)
    client.call("SIGs", "get, not visible", "GET", f"/api/sigs/{sig_id}", 404, shown)
    client.call(
        "SIGs",
        "decision: approve (staff)",
        "POST",
        f"/api/sigs/{sig_id}/decision",
        200,
        shown + "/decision",
        json={"decision": "approve", "note": "Welcome"},
        headers=as_staff,
    )
    client.call("SIGs", "get", "GET", f"/api/sigs/{sig_id}", 200, shown)
    client.call("SIGs", "join", "POST", f"/api/sigs/{sig_id}/members", 201, shown + "/members", headers=as_joiner)
    client.call(
        "SIGs",
        "join, already a member",
        "POST",
        f"/api/sigs/{sig_id}/members",
        200,
        shown + "/members",
        headers=as_joiner,
    )
    client.call(
        "SIGs", "members (convener)", "GET", f"/api/sigs/{sig_id}/members", 200, shown + "/members", headers=as_proposer
    )
    client.call(
        "SIGs", "leave", "DELETE", f"/api/sigs/{sig_id}/members/me", 204, shown + "/members/me", headers=as_joiner
    )
    # Something to reject (not counted: the same operation as above).
    second = {**body, "name": name + " bis"}
    rejected = client.http.post(client.runtime.url + "/api/sigs", json=second, headers=as_proposer, timeout=30)
    rejected.raise_for_status()
    client.call(
        "SIGs",
        "decision: reject (staff)",
        "POST",
        f"/api/sigs/{rejected.json()['sig_id']}/decision",
        200,
        shown + "/decision",
        json={"decision": "reject", "note": "Not now"},
        headers=as_staff,
    )
    client.call("SIGs (pages)", "directory page", "GET", "/sigs", 200)
    client.call("SIGs (pages)", "SIG page (member)", "GET", f"/sigs/{sig_id}", 200, "/sigs/{id}", headers=as_proposer)


def sign_in_flow(client: Client) -> None:
    for who, label in (("new", "new member"), ("known", "existing member")):
        email = _address(who)
        if who == "known":
            client.runtime.issue_session(email, name="Known Member")  # the member exists already
        client.call("Sign-in", f"sign-in request ({label})", "POST", "/api/auth/sign-in", 202, json={"email": email})
        token = client.mail_token(email)
        session = client.call(
            "Sign-in", f"session creation ({label})", "POST", "/api/auth/sessions", 201, json={"token": token}
        )
    client.call(
        "Sign-in", "session creation, link used twice", "POST", "/api/auth/sessions", 410, json={"token": token}
    )
    bearer = {"Authorization": f"Bearer {session.json()['session_token']}"}
    client.call("Sign-in", "who am I", "GET", "/api/auth/me", 200, headers=bearer)


def _iso(delta: Any) -> str:
    return (datetime.now(UTC).replace(microsecond=0) + delta).isoformat()


def round_body() -> dict[str, Any]:
    from datetime import timedelta

    return {
        "name": f"Bench round {uuid.uuid4().hex[:6]}",
        "description": "Funding for convener roles that help SIGs support their members.",
        "opens_at": _iso(-timedelta(hours=1)),
        "closes_at": _iso(timedelta(days=30)),
        "budget_pence": 20_000_00,
        "max_award_pence": 5_000_00,
        "reviewer_emails": [_address("reviewer"), _address("reviewer")],
        "decision_rule": {"approvals_needed": 2},
        "review_period_days": 28,
        "reminder_after_days": 3,
    }


def bid_body() -> dict[str, Any]:
    return {
        "title": f"A paid convener for the Third Sector SIG {uuid.uuid4().hex[:6]}",
        "summary": "Two days a month to convene the Third Sector SIG and its Open Space conversations.",
        "amount_pence": 2_000_00,
        "budget_lines": [
            {"description": "Convener days", "amount_pence": 1_500_00},
            {"description": "Venue and refreshments", "amount_pence": 500_00},
        ],
        "consent_to_be_named": True,
    }


def visit_body(*, places: int) -> dict[str, Any]:
    from datetime import timedelta

    start = timedelta(days=30)
    return {
        "title": "Harnessing the power of community organising",
        "host_organisation": "Northfield Community Organising Network",
        "description": "An online visit to learn how community organising builds power for change.",
        "format": "online",
        "joining_link": "https://meet.example.org/organising",
        "starts_at": _iso(start),
        "ends_at": _iso(start + timedelta(hours=2)),
        "places": places,
        "signup_closes_at": _iso(start - timedelta(days=1)),
        "waitlist_mode": "automatic",
    }


def funding_operations(client: Client) -> None:
    as_staff = client.auth(_address("staff"), staff=True)
    applicant = client.auth(_address("applicant"))
    made = client.call(
        "Funding", "open a round (staff)", "POST", "/api/rounds", 201, json=round_body(), headers=as_staff
    )
    round_id = made.json()["round_id"]
    client.call("Funding", "list open rounds", "GET", "/api/rounds", 200)
    client.call(
        "Funding",
        "round with budget (staff)",
        "GET",
        f"/api/rounds/{round_id}",
        200,
        "/api/rounds/{id}",
        headers=as_staff,
    )
    body = bid_body()
    bids = f"/api/rounds/{round_id}/bids"
    made_bid = client.call(
        "Funding", "submit a bid", "POST", bids, 201, "/api/rounds/{id}/bids", json=body, headers=applicant
    )
    client.call(
        "Funding", "submit again (retry)", "POST", bids, 200, "/api/rounds/{id}/bids", json=body, headers=applicant
    )
    bid_id = made_bid.json()["bid_id"]
    client.call("Funding", "my bid", "GET", f"/api/bids/{bid_id}", 200, "/api/bids/{id}", headers=applicant)
    client.call(
        "Funding", "withdraw", "POST", f"/api/bids/{bid_id}/withdraw", 200, "/api/bids/{id}/withdraw", headers=applicant
    )


def visits_operations(client: Client) -> None:

    as_staff = client.auth(_address("staff"), staff=True)
    body = visit_body(places=1)
    visit_id = client.call("Visits", "publish (staff)", "POST", "/api/visits", 201, json=body, headers=as_staff).json()[
        "visit_id"
    ]
    client.call("Visits", "list upcoming", "GET", "/api/visits", 200)
    one = "/api/visits/{id}"
    client.call("Visits", "one visit", "GET", f"/api/visits/{visit_id}", 200, one)
    first, second = client.auth(_address("first")), client.auth(_address("second"))
    signups = f"/api/visits/{visit_id}/signups"
    client.call("Visits", "sign up: confirmed", "POST", signups, 201, one + "/signups", json={}, headers=first)
    client.call("Visits", "sign up: waitlisted", "POST", signups, 201, one + "/signups", json={}, headers=second)
    client.call("Visits", "sign up again", "POST", signups, 200, one + "/signups", json={}, headers=second)
    client.call("Visits", "my sign-up", "GET", signups + "/me", 200, one + "/signups/me", headers=second)
    client.call("Visits", "cancel my place", "DELETE", signups + "/me", 204, one + "/signups/me", headers=first)


def newsletter_operations(client: Client) -> None:
    as_staff = client.auth(_address("editor"), staff=True)
    subscribe = {"email": _address("reader"), "name": "Reader"}
    client.call("Newsletter", "subscribe", "POST", "/api/newsletter/subscriptions", 202, json=subscribe)
    client.call("Newsletter", "subscribe again", "POST", "/api/newsletter/subscriptions", 202, json=subscribe)
    item = {"title": "Introducing Liberating Structures", "body": "A workshop in **May**.", "section": "workshops"}
    client.call("Newsletter", "add an item (staff)", "POST", "/api/newsletter/items", 201, json=item, headers=as_staff)
    client.call("Newsletter", "archive", "GET", "/api/newsletter/issues", 200)


# -- consumers ----------------------------------------------------------------------------------
def envelope(event: Any) -> dict[str, Any]:
    """The EventBridge event as the rule's SQS target receives it."""
    from infra.local.moto_server import ACCOUNT_ID, REGION

    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": event.detail_type(),
        "source": "convene",
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [],
        "detail": json.loads(event.model_dump_json()),
    }


def consumers_of(runtime: Any, event: Any) -> list[Any]:
    """The queue bindings whose rule matches the event (by source and detail-type)."""
    assert runtime.resources is not None
    return [
        binding
        for binding in runtime.resources.queues
        if event.detail_type() in binding.trigger.detail_types
        and getattr(binding.trigger, "source", "convene") == "convene"
    ]


def deliver(runtime: Any, binding: Any, event: Any) -> None:
    """Invoke, on this thread, one consumer with the event alone in its batch."""
    from infra.local.delivery import sqs_event

    message = {"MessageId": str(uuid.uuid4()), "ReceiptHandle": uuid.uuid4().hex, "Body": json.dumps(envelope(event))}
    result = runtime.pools[binding.function].invoke(sqs_event([message], binding))
    if (result or {}).get("batchItemFailures"):
        raise RuntimeError(f"{binding.function} failed on {event.detail_type()}: {result}")


def consumer_events(runtime: Any, counter: CallCounter) -> list[Row]:
    from functions.common.settings import settings
    from schemas.events.sigs import MemberJoinedSig, SigApproved, SigProposed, SigRejected

    proposer, co = _address("proposer"), _address("co")
    common = {"sig_id": "sig_bench", "name": "Bench SIG", "proposer_email": proposer, "proposer_name": "Pat"}
    staff = len(settings().staff_emails)
    proposed = SigProposed(
        **common,
        purpose="Measuring.",
        themes=[],
        proposer_id="mem_bench",
        co_convener_emails=[co],
    )
    cases = [
        (f"SigProposed ({staff} staff address)", proposed),
        ("SigProposed delivered again", proposed),
        (
            "SigApproved (2 conveners)",
            SigApproved(
                **common, purpose="Measuring.", convener_emails=[proposer, co], decided_by="staff@example.org", note=""
            ),
        ),
        ("SigRejected", SigRejected(**common, decided_by="staff@example.org", note="")),
        ("MemberJoinedSig", MemberJoinedSig(sig_id="sig_bench", member_id="mem_bench")),
    ]
    rows = []
    for label, event in cases:
        bindings = consumers_of(runtime, event)
        if not bindings:
            rows.append(Row("Events", label, "(no consumer subscribes)", 0, Window()))
        for binding in bindings:
            with counter.window(include=in_thread()) as window:
                deliver(runtime, binding, event)
            rows.append(Row("Events", label, binding.function, 0, window))
    return rows


# -- the bench ----------------------------------------------------------------------------------
def run(runtime: Any) -> list[Row]:
    with CallCounter.for_convene() as counter:
        client = Client(runtime, counter)
        sig_operations(client)
        sign_in_flow(client)
        for area in (funding_operations, visits_operations, newsletter_operations):
            try:
                area(client)
            except RuntimeError as error:  # a changed API: report it, keep the other figures
                print(f"calls: {area.__name__} skipped: {error}", file=sys.stderr)
        return client.rows + consumer_events(runtime, counter)


def render(rows: list[Row]) -> str:
    lines = [
        "| area | operation | request / consumer | status | AWS calls | calls, in order | Scans "
        "| Query Count = ScannedCount |",
        "|---|---|---|---:|---:|---|---:|:-:|",
    ]
    for row in rows:
        window = row.window
        queries = window.queries
        balanced = "" if not queries else ("yes" if not window.wasted_reads else "**no**")
        lines.append(
            f"| {row.area} | {row.operation} | `{row.request}` | {row.status or ''} | {window.total} | "
            f"{window.summary()} | {len(window.scans)} | {balanced} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    import tempfile

    from bench.run import quiet_runtime

    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)) as runtime:
        print(render(run(runtime)))


if __name__ == "__main__":
    main()
