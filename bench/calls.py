"""AWS API calls per request, per event and per schedule run: every API operation and page,
every consumer with every event type it handles, and every schedule.

Runs in-process against a started ``LocalRuntime``. Requests go over HTTP through the local
API Gateway exactly as clients send them. Events are delivered by the bench itself: while it
runs, the runtime's stream and queue pollers are stopped, and after each request the
bench moves the outbox onto the bus (``StreamPoller.poll_once``, which invokes the outbox
forwarder; its calls are not counted) and hands each message the
rules put in a queue to its consumer, one per batch, on the bench's own thread, as the SQS event
source mapping would. So each event is handled once, by a known invocation, and the events a
consumer writes are delivered in turn. Email links are followed from the mail SES (moto)
accepted. ``bench.counting`` hooks the functions' boto3 clients.

    .venv/bin/python bench/calls.py
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import calls_chain, calls_comments, calls_followups, calls_places  # noqa: E402
from bench.counting import CallCounter, Window, in_thread  # noqa: E402

#: Table headings by the package of the function that serves a request or handles an event.
AREAS = {
    "functions.auth": "Sign-in",
    "functions.account": "Account",
    "functions.sigs": "SIGs",
    "functions.funding": "Funding",
    "functions.visits": "Visits",
    "functions.newsletter": "Newsletter",
    "functions.events": "Events",
    "functions.site": "Site",
    "functions.team": "Team",
    "functions.openspace": "Open Space",
    "functions.chain": "Chain",
    "functions.comments": "Comments",
    "functions.followups": "Follow-ups",
}


@dataclass
class Row:
    area: str
    operation: str
    request: str
    status: int
    window: Window
    #: What the row is a scenario of: ``route_key``, ``event_key`` or ``schedule_key``.
    covers: str = ""
    #: False for a repeat (the same operation again, or a later delivery of an event type the
    #: table already shows): measured and checked, not printed.
    shown: bool = True


_PUT = "convene-bench-put-events"


def route_key(method: str, template: str) -> str:
    return f"{method.upper()} {template}"


def event_key(function: str, detail_type: str) -> str:
    return f"{function} <- {detail_type}"


def schedule_key(name: str) -> str:
    return f"schedule {name}"


def area_of(function: str) -> str:
    from schemas.declaration import function_named

    package = function_named(function).package
    return AREAS.get(package, package.rsplit(".", 1)[-1].capitalize())


@cache
def routes() -> frozenset[tuple[str, str]]:
    """(method, path template) of every route of every area, API and pages: the resolver the
    OpenAPI document is built from (``functions.site.openapi.docs_app``), with its docs page."""
    from functions.site.openapi import docs_app

    app = docs_app()
    # Powertools keeps its routes in these two lists; the coverage test checks that they hold
    # at least every operation of the OpenAPI document.
    return frozenset((r.method, r.openapi_path) for r in [*app._static_routes, *app._dynamic_routes])


@cache
def _patterns() -> list[tuple[str, str, re.Pattern[str]]]:
    found = []
    for method, template in routes():
        pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in re.split(r"(\{[^}]+\})", template))
        found.append((method, template, re.compile(pattern)))
    # A static route wins over a dynamic one (``/sigs/new`` over ``/sigs/{sig_id}``), as in the resolver.
    return sorted(found, key=lambda f: f[1].count("{"))


def template_of(method: str, path: str) -> str:
    """The route template a concrete path is served by (the path itself if none matches)."""
    bare = path.split("?", 1)[0]
    for m, template, pattern in _patterns():
        if m == method.upper() and pattern.fullmatch(bare):
            return template
    return bare


def shown_request(method: str, path: str) -> str:
    """``GET /api/sigs/{sig_id}``, with the query kept and link tokens elided."""
    text = f"{method.upper()} {template_of(method, path)}"
    query = urlparse(path).query
    if query:
        pairs = [(k, "…" if k == "token" else v) for k, vs in parse_qs(query).items() for v in vs]
        text += "?" + "&".join(f"{k}={v}" for k, v in pairs)
    return text


def token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


class Client:
    """A tiny HTTP client for the runtime, counting each request's calls."""

    def __init__(self, runtime: Any, counter: CallCounter) -> None:
        import requests

        self.runtime = runtime
        self.counter = counter
        self.http = requests.Session()
        self.rows: list[Row] = []
        self._shown: set[tuple[str, ...]] = set()

    def auth(self, email: str, *, staff: bool = False, name: str = "Bench Member") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.runtime.issue_session(email, staff=staff, name=name)}"}

    def record(self, row: Row, key: tuple[str, ...] = ()) -> Row:
        seen = key or (row.area, row.operation, row.covers)
        row.shown = row.shown and seen not in self._shown
        self._shown.add(seen)
        self.rows.append(row)
        return row

    def call(self, operation: str, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        from infra.local import gateway

        with self.counter.window() as window:
            response = self.http.request(method, self.runtime.url + path, allow_redirects=False, timeout=30, **kwargs)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code}, expected {expect}: {response.text[:300]}")
        found = gateway.match(self.runtime.routes, path.split("?", 1)[0])
        area = area_of(found[0]) if found else "?"
        covers = route_key(method, template_of(method, path))
        self.record(Row(area, operation, shown_request(method, path), response.status_code, window, covers))
        self.after(operation, window)
        return response

    def after(self, operation: str, window: Window) -> None:
        """Called after each counted request (the bench delivers the events it caused)."""

    def mail_link(self, to: str, marker: str) -> str:
        """Path and query of the newest link containing ``marker`` emailed to ``to``."""
        from infra.local.mailbox import sent_mail

        for message in sent_mail(self.runtime.moto.lock):  # newest first
            if to.lower() in (t.lower() for t in message.to):
                for link in message.links:
                    if marker in link:
                        parts = urlparse(link)
                        return f"{parts.path}?{parts.query}" if parts.query else parts.path
        raise LookupError(f"no link with {marker!r} was emailed to {to}")

    def mail_token(self, to: str) -> str:
        return token_of(self.mail_link(to, "token="))


# -- event delivery -------------------------------------------------------------------------------
class Bench(Client):
    """The client, and the delivery of every event a request or schedule causes (use it inside
    ``LocalRuntime.delivery_paused()``, as a context manager)."""

    def __init__(self, runtime: Any, counter: CallCounter) -> None:
        from functions.common import aws

        super().__init__(runtime, counter)
        self.sqs = runtime.client("sqs")
        self.staff_email = runtime.staff_emails.split(",")[0].strip()
        self._last: dict[str, tuple[Any, dict[str, Any]]] = {}
        #: (source, detail-type) of the events put on a bus since the queues were last read: by
        #: the outbox forwarder, by the SES stand-in, or (never, by the rules) a function directly.
        self._put: set[tuple[str, str]] = set()
        self._buses = [runtime.client("events"), aws.client("events")]
        for client in self._buses:
            client.meta.events.register("before-parameter-build.events.PutEvents", self._note, unique_id=_PUT)

    def __enter__(self) -> Bench:
        return self

    def __exit__(self, *_: object) -> None:
        for client in self._buses:
            client.meta.events.unregister("before-parameter-build.events.PutEvents", unique_id=_PUT)

    def _note(self, params: dict[str, Any], **_: Any) -> None:
        self._put.update((str(e.get("Source")), str(e.get("DetailType"))) for e in params.get("Entries", []))

    def after(self, operation: str, window: Window) -> None:
        # Events leave in a transaction with the change (the outbox); anything else would show as PutEvents.
        if any(c.operation in ("TransactWriteItems", "PutEvents") for c in window.calls):
            self.drain(operation)

    def drain(self, cause: str) -> None:
        """Deliver every event in the outbox, and those their consumers write in turn, until
        none is left. A queue is read only when an event its rule takes was put on a bus."""
        assert self.runtime.resources is not None
        while True:
            for stream in self.runtime.stream_pollers:
                while stream.poll_once():
                    pass
            put, self._put = self._put, set()
            if not put:
                return
            for binding in self.runtime.resources.queues:
                rule = binding.trigger
                if any(source == rule.source and kind in rule.detail_types for source, kind in put):
                    while message := self._receive(binding):
                        self._deliver(binding, message, cause)

    def sweep(self, cause: str) -> None:
        """Read every queue once, then drain: nothing is left for the runtime's own pollers."""
        self._put.update((b.trigger.source, t) for b in self.runtime.resources.queues for t in b.trigger.detail_types)
        self.drain(cause)

    def _receive(self, binding: Any) -> dict[str, Any] | None:
        response = self.sqs.receive_message(
            QueueUrl=binding.queue_url, MaxNumberOfMessages=1, AttributeNames=["All"], WaitTimeSeconds=0
        )
        messages = response.get("Messages", [])
        return messages[0] if messages else None

    def _invoke(self, binding: Any, message: dict[str, Any]) -> Window:
        from infra.local.delivery import sqs_event

        with self.counter.window(include=in_thread()) as window:
            result = self.runtime.pools[binding.function].invoke(sqs_event([message], binding))
        if (result or {}).get("batchItemFailures"):
            raise RuntimeError(f"{binding.function} failed on {message['Body'][:300]}")
        return window

    def _deliver(self, binding: Any, message: dict[str, Any], cause: str) -> None:
        detail_type = str(json.loads(message["Body"])["detail-type"])
        window = self._invoke(binding, message)
        self.sqs.delete_message(QueueUrl=binding.queue_url, ReceiptHandle=message["ReceiptHandle"])
        key = event_key(binding.function, detail_type)
        self._last[key] = (binding, message)
        row = Row(area_of(binding.function), f"{detail_type} (after: {cause})", binding.function, 0, window, key)
        self.record(row, (key,))

    def again(self, function: str, detail_type: str) -> None:
        """Deliver the last such event to the consumer once more (SQS delivers at least once)."""
        key = event_key(function, detail_type)
        binding, message = self._last[key]
        window = self._invoke(binding, message)
        self.record(Row(area_of(function), f"{detail_type} delivered again", function, 0, window, key))

    def schedule(self, operation: str, name: str, **extra: Any) -> Any:
        """Run a schedule on this thread, as EventBridge Scheduler invokes it (``extra``: the
        catch-up arguments some schedules take), then deliver what it caused."""
        function, _ = self.runtime.schedules()[name]
        with self.counter.window(include=in_thread()) as window:
            result = self.runtime.pools[function].invoke({"schedule": name, **extra})
        self.record(Row(area_of(function), operation, f"schedule {name}", 0, window, schedule_key(name)))
        self.drain(operation)
        return result

    def ses_event(self, operation: str, kind: str, email: str) -> None:
        """SES's bounce or complaint event, as its EventBridge destination publishes it."""
        from infra.local.ses_events import inject_ses_event

        inject_ses_event(self.runtime, kind, email)
        self.drain(operation)


# -- request bodies (shared with bench/cost.py) -------------------------------------------------
def _address(name: str) -> str:
    return f"bench.{name}.{uuid.uuid4().hex[:8]}@example.org"


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC).replace(microsecond=0) + delta).isoformat()


def form(body: dict[str, Any]) -> dict[str, str]:
    """An API body as the fields of the equivalent page's form."""
    return {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in body.items()}


def round_body(**changes: Any) -> dict[str, Any]:
    body = {
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
    return {**body, **changes}


def bid_body(**changes: Any) -> dict[str, Any]:
    body = {
        "title": f"A paid convener for the Third Sector SIG {uuid.uuid4().hex[:6]}",
        "summary": "Two days a month to convene the Third Sector SIG and its Open Space conversations.",
        "amount_pence": 2_000_00,
        "budget_lines": [
            {"description": "Convener days", "amount_pence": 1_500_00},
            {"description": "Venue and refreshments", "amount_pence": 500_00},
        ],
        "consent_to_be_named": True,
    }
    return {**body, **changes}


def visit_body(*, places: int, starts_in: timedelta = timedelta(days=30), **changes: Any) -> dict[str, Any]:
    body = {
        "title": "Harnessing the power of community organising",
        "host_organisation": "Northfield Community Organising Network",
        "description": "An online visit to learn how community organising builds power for change.",
        "format": "online",
        "joining_link": "https://meet.example.org/organising",
        "starts_at": _iso(starts_in),
        "ends_at": _iso(starts_in + timedelta(hours=2)),
        "places": places,
        "signup_closes_at": _iso(starts_in - timedelta(hours=12)),
        "waitlist_mode": "automatic",
    }
    return {**body, **changes}


# -- scenarios, one per area --------------------------------------------------------------------
def site(b: Bench) -> None:
    b.call("home page", "GET", "/", 200)
    b.call("OpenAPI document", "GET", "/api/openapi.json", 200)
    b.call("API documentation (Swagger UI)", "GET", "/api/docs", 200)


def canary(b: Bench) -> None:
    """The deployment canary ``convene smoke`` posts through the outbox (staff only)."""
    as_staff = b.auth(_address("operator"), staff=True)
    posted = b.call("post a canary (staff)", "POST", "/api/canaries", 202, headers=as_staff).json()
    b.sweep("canary")
    b.call("read a canary (staff)", "GET", f"/api/canaries/{posted['canary_id']}", 200, headers=as_staff)


def sign_in(b: Bench) -> None:
    for who, label in (("new", "new member"), ("known", "existing member")):
        email = _address(who)
        if who == "known":
            b.runtime.issue_session(email, name="Known Member")  # the member exists already
        b.call(f"sign-in request ({label})", "POST", "/api/auth/sign-in", 202, json={"email": email})
        token = b.mail_token(email)
        session = b.call(f"session creation ({label})", "POST", "/api/auth/sessions", 201, json={"token": token})
    b.call("session creation, link used twice", "POST", "/api/auth/sessions", 410, json={"token": token})
    bearer = {"Authorization": f"Bearer {session.json()['session_token']}"}
    b.call("who am I", "GET", "/api/auth/me", 200, headers=bearer)
    b.call("who am I, signed out", "GET", "/api/auth/me", 401)
    # The pages: the form, the emailed link's page, and its button.
    b.call("sign-in page", "GET", "/auth/sign-in?next=/sigs", 200)
    email = _address("browser")
    b.call("sign-in form", "POST", "/auth/sign-in", 200, data={"email": email, "name": "Robin", "next": "/sigs"})
    link = b.mail_link(email, "/auth/link?token=")
    page = b.call("sign-in link page", "GET", link, 200)
    binding = page.text.split('name="binding" value="', 1)[1].split('"', 1)[0]  # bound to this browser
    b.call("sign-in link: sign in", "POST", "/auth/link", 303, data={"token": token_of(link), "binding": binding})
    b.call("sign out", "POST", "/auth/sign-out", 303, headers=bearer)
    b.call("who am I, session ended", "GET", "/api/auth/me", 401, headers=bearer)
    again = {"Authorization": f"Bearer {b.runtime.issue_session(email)}"}
    b.call("sign out (API)", "DELETE", "/api/auth/sessions/current", 204, headers=again)
    everywhere = {"Authorization": f"Bearer {b.runtime.issue_session(email)}"}
    b.call("sign out everywhere (API)", "DELETE", "/api/auth/sessions", 200, headers=everywhere)


def sigs(b: Bench) -> str:
    """Returns an approved SIG."""
    proposer, co, joiner = _address("proposer"), _address("co"), _address("joiner")
    as_proposer, as_joiner, as_staff = b.auth(proposer), b.auth(joiner), b.auth(_address("staff"), staff=True)
    name = f"Bench SIG {uuid.uuid4().hex[:6]}"
    body = {"name": name, "purpose": "Measuring what a request costs.", "themes": ["bench"]}

    b.call("list", "GET", "/api/sigs", 200)
    b.call("list proposals (staff)", "GET", "/api/sigs?status=proposed", 200, headers=as_staff)
    created = b.call(
        "propose", "POST", "/api/sigs", 201, json={**body, "co_convener_emails": [co]}, headers=as_proposer
    )
    sig_id = created.json()["sig_id"]
    b.again("sig-notifications", "SigProposed")
    b.call("propose, name taken", "POST", "/api/sigs", 409, json=body, headers=as_joiner)
    b.call("get (proposer, proposed)", "GET", f"/api/sigs/{sig_id}", 200, headers=as_proposer)
    b.call("get, not visible", "GET", f"/api/sigs/{sig_id}", 404)
    review = b.mail_link(b.staff_email, f"/sigs/{sig_id}/review?token=")
    b.call("review link page (staff)", "GET", review, 200)
    decision = {"decision": "approve", "note": "Welcome"}
    b.call("decision: approve (staff)", "POST", f"/api/sigs/{sig_id}/decision", 200, json=decision, headers=as_staff)
    b.call("get", "GET", f"/api/sigs/{sig_id}", 200)
    b.call("join", "POST", f"/api/sigs/{sig_id}/members", 201, headers=as_joiner)
    b.call("join, already a member", "POST", f"/api/sigs/{sig_id}/members", 200, headers=as_joiner)
    invitation = b.mail_link(co, f"/sigs/{sig_id}/conveners/confirm?token=")
    b.call("co-convener invitation page", "GET", invitation, 200)
    confirm = {"token": token_of(invitation)}
    b.call("co-convener invitation: confirm", "POST", f"/sigs/{sig_id}/conveners/confirm", 200, data=confirm)
    b.call("members (convener)", "GET", f"/api/sigs/{sig_id}/members", 200, headers=as_proposer)
    b.call("leave", "DELETE", f"/api/sigs/{sig_id}/members/me", 204, headers=as_joiner)
    # The pages: directory, proposal form, a SIG's page, joining and leaving, the review link.
    b.call("directory page", "GET", "/sigs", 200)
    b.call("proposal form", "GET", "/sigs/new", 200, headers=as_proposer)
    proposal = form({"name": f"{name} bis", "purpose": "Measuring a page.", "themes": ["bench"]})
    made = b.call("proposal form: propose", "POST", "/sigs/new", 303, data=proposal, headers=as_proposer)
    rejected = made.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    b.call("SIG page (convener)", "GET", f"/sigs/{sig_id}", 200, headers=as_proposer)
    b.call("SIG page: join", "POST", f"/sigs/{sig_id}/join", 303, headers=as_joiner)
    b.call("SIG page: leave", "POST", f"/sigs/{sig_id}/leave", 303, headers=as_joiner)
    review = b.mail_link(b.staff_email, f"/sigs/{rejected}/review?token=")
    outcome = {"token": token_of(review), "decision": "reject", "note": "Not now"}
    b.call("review link: reject", "POST", f"/sigs/{rejected}/review", 200, data=outcome)
    b.call("review link used again (shows the outcome)", "POST", f"/sigs/{rejected}/review", 200, data=outcome)
    return str(sig_id)


def conveners(b: Bench) -> None:
    """A convener steps down, a member offers to convene the group, the team appoints them."""
    convener, offerer = b.auth(_address("convener")), b.auth(_address("offerer"), name="Offering Member")
    as_staff = b.auth(_address("staff"), staff=True)
    body = {"name": f"Bench convening SIG {uuid.uuid4().hex[:6]}", "purpose": "Measuring who convenes."}
    sig_id = b.call("propose", "POST", "/api/sigs", 201, json=body, headers=convener).json()["sig_id"]
    decision = {"decision": "approve", "note": ""}
    b.call("decision: approve (staff)", "POST", f"/api/sigs/{sig_id}/decision", 200, json=decision, headers=as_staff)
    b.call("SIG page: step down as convener", "POST", f"/sigs/{sig_id}/step-down", 303, headers=convener)
    b.call("SIG page: offer to convene", "POST", f"/sigs/{sig_id}/offer-to-convene", 303, headers=offerer)
    page = b.call("SIG page (staff, offers to convene)", "GET", f"/sigs/{sig_id}", 200, headers=as_staff)
    member_id = page.text.split(f"/sigs/{sig_id}/offers/", 1)[1].split("/", 1)[0]
    b.call(
        "SIG page: appoint a convener (staff)",
        "POST",
        f"/sigs/{sig_id}/offers/{member_id}/appoint",
        303,
        headers=as_staff,
    )


def funding(b: Bench) -> str:
    """Returns an open round."""
    as_staff = b.auth(_address("staff"), staff=True)
    panel = [_address("reviewer"), _address("reviewer")]
    made = b.call(
        "open a round (staff)", "POST", "/api/rounds", 201, json=round_body(reviewer_emails=panel), headers=as_staff
    )
    round_id = made.json()["round_id"]
    b.call("list open rounds", "GET", "/api/rounds", 200)
    b.call("round with budget (staff)", "GET", f"/api/rounds/{round_id}", 200, headers=as_staff)
    applicant = b.auth(_address("applicant"), name="Amara Okafor")
    bids = f"/api/rounds/{round_id}/bids"
    body = bid_body()
    funded = b.call("submit a bid", "POST", bids, 201, json=body, headers=applicant).json()["bid_id"]
    b.call("submit again (retry)", "POST", bids, 200, json=body, headers=applicant)
    b.call("my bids", "GET", "/api/bids", 200, headers=applicant)
    b.call("my bid", "GET", f"/api/bids/{funded}", 200, headers=applicant)
    b.call("bid history (staff)", "GET", f"/api/bids/{funded}/history", 200, headers=as_staff)
    for n, reviewer in enumerate(panel, start=1):
        link = b.mail_link(reviewer, f"/funding/bids/{funded}/review?token=")
        b.call(f"review link page (reviewer {n})", "GET", link, 200)
        verdict = {"token": token_of(link), "decision": "approve", "comment": "Well argued."}
        b.call(f"review link: approve (reviewer {n} of 2)", "POST", f"/funding/bids/{funded}/review", 200, data=verdict)
    b.call("review link page, link used", "GET", link, 410)
    b.call("export bids as CSV (staff)", "GET", f"/api/rounds/{round_id}/bids.csv", 200, headers=as_staff)

    # A bid from the page, rejected by the first review (two approvals can no longer be reached).
    page_bid = form({"title": f"Open Space for the Youth SIG {uuid.uuid4().hex[:6]}", "summary": "Three sessions."})
    page_bid |= {"amount_pence": "1,200", "line_description_1": "Facilitation", "line_amount_1": "1200"}
    page_bid |= {"consent_to_be_named": "yes", "request_key": uuid.uuid4().hex}
    sent = b.call("round page: bid", "POST", f"/funding/rounds/{round_id}/bids", 303, data=page_bid, headers=applicant)
    rejected = sent.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    link = b.mail_link(panel[0], f"/funding/bids/{rejected}/review?token=")
    verdict = {"token": token_of(link), "decision": "reject", "comment": "Out of scope."}
    b.call("review link: reject", "POST", f"/funding/bids/{rejected}/review", 200, data=verdict)
    late = b.mail_link(panel[1], f"/funding/bids/{rejected}/review?token=")
    verdict = {"token": token_of(late), "decision": "approve", "comment": ""}
    b.call("review link: review after the decision", "POST", f"/funding/bids/{rejected}/review", 409, data=verdict)

    # A co-applicant on the panel who confirms leaves too few reviewers: staff add two.
    short = bid_body(co_applicant_emails=[panel[0]])
    short_id = b.call("submit a bid (a reviewer is co-applicant)", "POST", bids, 201, json=short, headers=applicant)
    short_id = short_id.json()["bid_id"]
    # Named, the reviewer stays on the panel (staff are told why); confirmed, they leave it.
    invite = b.mail_link(panel[0], f"/funding/bids/{short_id}/co-applicants/confirm?token=")
    b.call("co-applicant invitation page", "GET", invite, 200)
    confirm = {"token": token_of(invite)}
    b.call(
        "co-applicant invitation: confirm", "POST", f"/funding/bids/{short_id}/co-applicants/confirm", 200, data=confirm
    )
    extra = {"email": _address("reviewer")}
    b.call("add a reviewer (staff)", "POST", f"/api/bids/{short_id}/reviewers", 200, json=extra, headers=as_staff)
    extra = {"email": _address("reviewer")}
    b.call(
        "bid page: add a reviewer (staff)",
        "POST",
        f"/funding/bids/{short_id}/reviewers",
        303,
        data=extra,
        headers=as_staff,
    )

    # Withdrawing, by the API and on the page.
    for label, path, status in (
        ("withdraw", "/api/bids/{}/withdraw", 200),
        ("bid page: withdraw", "/funding/bids/{}/withdraw", 303),
    ):
        bid_id = b.call("submit a bid", "POST", bids, 201, json=bid_body(), headers=applicant).json()["bid_id"]
        b.call(label, "POST", path.format(bid_id), status, headers=applicant)

    # A round whose pot holds one award: the second approved bid cannot be funded.
    judge = _address("reviewer")
    small = round_body(reviewer_emails=[judge], budget_pence=3_000_00, max_award_pence=2_000_00)
    small |= {"decision_rule": {"approvals_needed": 1}}
    small_id = b.call("open a round (staff)", "POST", "/api/rounds", 201, json=small, headers=as_staff).json()[
        "round_id"
    ]
    for n in (1, 2):
        bid_id = b.call("submit a bid", "POST", f"/api/rounds/{small_id}/bids", 201, json=bid_body(), headers=applicant)
        bid_id = bid_id.json()["bid_id"]
        link = b.mail_link(judge, f"/funding/bids/{bid_id}/review?token=")
        verdict = {"token": token_of(link), "decision": "approve", "comment": ""}
        label = "review link: approve" if n == 1 else "review link: approve, the pot is spent"
        b.call(label, "POST", f"/funding/bids/{bid_id}/review", 200, data=verdict)

    # The pages.
    b.call("rounds page", "GET", "/funding", 200)
    b.call("round page", "GET", f"/funding/rounds/{round_id}", 200, headers=applicant)
    b.call("round's staff page", "GET", f"/funding/rounds/{round_id}/staff", 200, headers=as_staff)
    b.call("my bids page", "GET", "/funding/bids", 200, headers=applicant)
    b.call("bid page (staff)", "GET", f"/funding/bids/{short_id}", 200, headers=as_staff)
    b.call("new round form (staff)", "GET", "/funding/rounds/new", 200, headers=as_staff)
    fields = form(round_body(budget_pence="20,000", max_award_pence="5,000")) | {"approvals_needed": "2"}
    b.call("new round form: open (staff)", "POST", "/funding/rounds/new", 303, data=fields, headers=as_staff)

    # The daily schedule: today, then as of the day reminders fall due and the end of review.
    b.schedule("daily run (today)", "funding-daily")
    ends = datetime.fromisoformat(made.json()["review_ends_at"])
    reminders = (datetime.now(UTC) + timedelta(days=4)).isoformat()
    b.schedule("daily run, reminders due (one round)", "funding-daily", as_of=reminders, round_id=round_id)
    after = (ends + timedelta(days=1)).isoformat()
    b.schedule("daily run, review period over (one round)", "funding-daily", as_of=after, round_id=round_id)
    return str(round_id)


def visits(b: Bench) -> str:
    """Returns a visit open for sign-up."""
    as_staff = b.auth(_address("staff"), staff=True)
    people = {n: _address(n) for n in ("ann", "ben", "cat", "dan", "eve", "fay", "xia", "yan", "zoe", "wes")}
    bearer = {n: b.auth(e, name=n.capitalize()) for n, e in people.items()}

    # An offer-mode visit with one place: a waiting list, offers, accepting, declining, expiring.
    body = visit_body(places=1, waitlist_mode="offer", offer_hours=24)
    offers = b.call("publish (staff)", "POST", "/api/visits", 201, json=body, headers=as_staff).json()["visit_id"]
    b.call("list upcoming", "GET", "/api/visits", 200)
    b.call("one visit", "GET", f"/api/visits/{offers}", 200)
    signups = f"/api/visits/{offers}/signups"
    b.call("sign up: confirmed", "POST", signups, 201, json={}, headers=bearer["ann"])
    b.call("sign up: waitlisted", "POST", signups, 201, json={}, headers=bearer["ben"])
    b.call("sign up again", "POST", signups, 200, json={}, headers=bearer["ben"])
    b.call("my sign-up", "GET", signups + "/me", 200, headers=bearer["ben"])
    for n in ("cat", "dan", "eve", "fay"):
        b.call(
            "sign up: waitlisted", "POST", signups, 201, json={"access_needs": "Step-free access"}, headers=bearer[n]
        )
    b.call("cancel my place", "DELETE", signups + "/me", 204, headers=bearer["ann"])  # offered to Ben
    link = b.mail_link(people["ben"], f"/visits/{offers}/offer?token=")
    b.call("offer link page", "GET", link, 200)
    decline = {"token": token_of(link), "decision": "decline"}
    b.call("offer link: decline", "POST", f"/visits/{offers}/offer", 200, data=decline)  # offered to Cat
    b.call("accept my offer", "POST", signups + "/me/acceptance", 200, headers=bearer["cat"])
    more = {"places": 2}
    b.call("change places (staff)", "PATCH", f"/api/visits/{offers}", 200, json=more, headers=as_staff)  # to Dan
    b.call("visit page: accept my offer", "POST", f"/visits/{offers}/accept", 303, headers=bearer["dan"])
    staff_page = f"/visits/{offers}/staff"
    b.call("staff page: change places", "POST", staff_page + "/places", 303, data={"places": "3"}, headers=as_staff)
    # Eve's offer runs out: move its expiry into the past, as the hours going by would.
    eve = b.call("my sign-up", "GET", signups + "/me", 200, headers=bearer["eve"]).json()
    _expire_offer(b, offers, eve["member_id"])
    b.schedule("offer expiry run", "visit-offer-expiry")  # offered to Fay
    link = b.mail_link(people["fay"], f"/visits/{offers}/offer?token=")
    accept = {"token": token_of(link), "decision": "accept"}
    b.call("offer link: accept", "POST", f"/visits/{offers}/offer", 200, data=accept)
    b.call("offer link, tampered", "GET", f"/visits/{offers}/offer?token=x{token_of(link)}", 400)
    b.call("attendees (staff)", "GET", f"/api/visits/{offers}/attendees", 200, headers=as_staff)
    b.call("attendees as CSV (staff)", "GET", f"/api/visits/{offers}/attendees.csv", 200, headers=as_staff)
    b.call("staff page", "GET", staff_page, 200, headers=as_staff)
    reason = {"reason": "The host has had to close for the day."}
    b.call("cancel the visit (staff)", "POST", f"/api/visits/{offers}/cancellation", 200, json=reason, headers=as_staff)

    # An automatic visit with one place: the page, a cancel link, a promotion, the team's cancellation.
    auto = b.call("publish (staff)", "POST", "/api/visits", 201, json=visit_body(places=1), headers=as_staff)
    auto = auto.json()["visit_id"]
    needs = {"access_needs": "", "dietary_needs": "Vegetarian", "note": ""}
    b.call("visit page: sign up", "POST", f"/visits/{auto}/signup", 303, data=needs, headers=bearer["xia"])
    for n in ("yan", "zoe"):
        b.call("sign up: waitlisted", "POST", f"/api/visits/{auto}/signups", 201, json={}, headers=bearer[n])
    b.call("visit page: leave the waiting list", "POST", f"/visits/{auto}/leave", 303, headers=bearer["zoe"])
    link = b.mail_link(people["xia"], f"/visits/{auto}/cancel-place?token=")
    b.call("cancel link page", "GET", link, 200)
    b.call("cancel link: cancel", "POST", f"/visits/{auto}/cancel-place", 200, data={"token": token_of(link)})
    b.call("my sign-ups", "GET", "/api/visits/signups/mine", 200, headers=bearer["yan"])
    b.call("my visits page", "GET", "/visits/mine", 200, headers=bearer["yan"])
    b.call("visit page", "GET", f"/visits/{auto}", 200, headers=bearer["yan"])
    b.call("visits page", "GET", "/visits", 200)
    cancel = {"reason": "Not enough interest.", "confirm": "yes"}
    b.call("staff page: cancel the visit", "POST", f"/visits/{auto}/staff/cancel", 303, data=cancel, headers=as_staff)

    # A visit starting tomorrow, published on the form: the reminder schedule.
    b.call("publish form (staff)", "GET", "/visits/new", 200, headers=as_staff)
    soon = form(visit_body(places=5, starts_in=timedelta(hours=36))) | {"location": "", "offer_hours": ""}
    made = b.call("publish form: publish (staff)", "POST", "/visits/new", 303, data=soon, headers=as_staff)
    tomorrow = made.headers["Location"].split("/")[2]
    b.call("sign up: confirmed", "POST", f"/api/visits/{tomorrow}/signups", 201, json={}, headers=bearer["wes"])
    b.schedule("reminder run", "visit-reminders")
    return str(tomorrow)


def openspace(b: Bench) -> tuple[str, str]:
    """The Bristol event as Open Space: marketplace, co-host link, marks, agenda, pin, harvest,
    proceedings. Returns the event and a harvested conversation."""
    from functions.places.repository import ts

    as_staff = b.auth(_address("host-team"), staff=True)
    people = {n: _address(n) for n in ("ada", "bo", "cy", "di", "ed")}
    bearer = {n: b.auth(e, name=n.capitalize()) for n, e in people.items()}
    start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=20)
    slots = [
        {"starts_at": (start + timedelta(hours=h)).isoformat(), "ends_at": (start + timedelta(hours=h + 1)).isoformat()}
        for h in (1, 3)
    ]
    body = visit_body(places=10, format="in_person", location="Watershed, Bristol", joining_link="")
    body.pop("host_organisation", None)
    body |= {
        "kind": "community_event",
        "title": "Q community event: Bristol",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=6)).isoformat(),
        "signup_closes_at": (start - timedelta(days=1)).isoformat(),
        "open_space": {
            "slots": slots,
            "spaces": [{"name": "Cinema 1", "capacity": 30}, {"name": "Breakout", "capacity": 8, "online": True}],
            "marketplace_closes_at": (start + timedelta(minutes=30)).isoformat(),
        },
    }
    made = b.http.post(b.runtime.url + "/api/events", json=body, headers=as_staff, timeout=30)
    if made.status_code != 201:
        raise RuntimeError(f"publishing the Open Space event: {made.status_code} {made.text[:300]}")
    event = made.json()["event_id"]
    for n in people:
        b.http.post(f"{b.runtime.url}/api/events/{event}/signups", json={}, headers=bearer[n], timeout=30)
    b.sweep("signing up for the Open Space event")
    api, page = f"/api/open-space/{event}", f"/open-space/{event}"
    proposal = {"title": "Cultivating kindness", "question": "How do we cultivate kindness under pressure?"}
    kindness = b.call(
        "propose a conversation",
        "POST",
        f"{api}/conversations",
        201,
        json=proposal | {"co_host_emails": [people["bo"]]},
        headers=bearer["ada"],
    ).json()["conversation_id"]
    failure = {"title": "Responding to failure", "question": "How do we respond to failure openly and safely?"}
    b.call("marketplace page: propose", "POST", f"{page}/conversations", 303, data=form(failure), headers=bearer["cy"])
    market = b.call("marketplace", "GET", api, 200, headers=bearer["di"]).json()
    other = next(c["conversation_id"] for c in market["conversations"] if c["conversation_id"] != kindness)
    b.call("marketplace page", "GET", page, 200, headers=bearer["di"])
    b.call("one conversation", "GET", f"{api}/conversations/{kindness}", 200)
    link = b.mail_link(people["bo"], "/open-space/co-host?token=")
    b.call("co-host link page", "GET", link, 200)
    b.call("co-host link: confirm", "POST", "/open-space/co-host", 200, data={"token": token_of(link), "name": "Bo"})
    for n in ("di", "ed"):
        b.call("mark a conversation", "POST", f"{api}/conversations/{kindness}/mark", 200, headers=bearer[n])
    b.call("marketplace page: mark", "POST", f"{page}/conversations/{other}/mark", 303, headers=bearer["di"])
    b.call("remove a mark", "DELETE", f"{api}/conversations/{other}/mark", 200, headers=bearer["di"])
    # The marketplace closes: the schedule builds the first agenda (as the minutes going by would).
    past = ts(datetime.now(UTC) - timedelta(minutes=1))
    b.runtime.client("dynamodb").update_item(
        TableName=b.runtime.resources.tables["main"],
        Key={"pk": {"S": f"OS#{event}"}, "sk": {"S": "MARKET"}},
        UpdateExpression="SET gsi1sk = :s",
        ExpressionAttributeValues={":s": {"S": f"{past}#{event}"}},
    )
    b.schedule("marketplace closing run", "openspace-agenda")
    pin = {"slot_id": market["slots"][1]["slot_id"]}
    b.call("pin a conversation (staff)", "POST", f"{api}/conversations/{other}/pin", 200, json=pin, headers=as_staff)
    unpin = {"slot_id": "", "space_id": ""}
    path = f"{page}/conversations/{other}/pin"
    b.call("marketplace page: pin (staff)", "POST", path, 303, data=unpin, headers=as_staff)
    b.call("rebuild the agenda (staff)", "POST", f"{api}/agenda", 200, headers=as_staff)
    b.call("agenda page: rebuild (staff)", "POST", f"{page}/agenda", 303, headers=as_staff)
    b.call("the agenda", "GET", f"{api}/agenda", 200)
    b.call("agenda page", "GET", f"{page}/agenda", 200)
    b.call("a conversation's calendar entry", "GET", f"{page}/conversations/{kindness}/calendar.ics", 200)
    # Its slot ends: the schedule sends the hosts the harvest link.
    b.runtime.client("dynamodb").update_item(
        TableName=b.runtime.resources.tables["main"],
        Key={"pk": {"S": f"OS#{event}"}, "sk": {"S": f"CONV#{kindness}"}},
        UpdateExpression="SET gsi1sk = :s",
        ExpressionAttributeValues={":s": {"S": f"{past}#{event}#{kindness}"}},
    )
    b.schedule("slot end run", "openspace-harvest")
    link = b.mail_link(people["ada"], "/open-space/harvest?token=")
    b.call("harvest link page", "GET", link, 200)
    harvest = {"discussed": "Kindness as a practice.", "next_steps": "A welcome event.", "keep_going": "Ada, Bo"}
    b.call("harvest link: record", "POST", "/open-space/harvest", 200, data=harvest | {"token": token_of(link)})
    b.call(
        "record a harvest (host)",
        "POST",
        f"{api}/conversations/{kindness}/harvest",
        200,
        json=harvest,
        headers=bearer["bo"],
    )
    addition = {"text": "A kindness check-in at the start of meetings."}
    path = f"{api}/conversations/{kindness}/harvest/additions"
    b.call("add to a harvest", "POST", path, 201, json=addition, headers=bearer["di"])
    path = f"{page}/conversations/{kindness}/harvest/additions"
    b.call("proceedings page: add to a harvest", "POST", path, 303, data=addition, headers=bearer["ed"])
    b.call("proceedings (staff, before publishing)", "GET", f"{api}/proceedings", 200, headers=as_staff)
    b.call("proceedings page (staff)", "GET", f"{page}/proceedings", 200, headers=as_staff)
    b.call("publish the proceedings (staff)", "POST", f"{api}/proceedings", 200, headers=as_staff)
    b.call("proceedings page: publish (staff)", "POST", f"{page}/proceedings", 303, headers=as_staff)
    return event, kindness


def _expire_offer(b: Bench, visit_id: str, member_id: str) -> None:
    """Move an offer's expiry a minute into the past (the item and its index key)."""
    from functions.visits.repository import offer_expiry_attributes

    lapsed = offer_expiry_attributes(visit_id, member_id, datetime.now(UTC) - timedelta(minutes=1))
    b.runtime.client("dynamodb").update_item(
        TableName=b.runtime.resources.tables["main"],
        Key={"pk": {"S": f"VISIT#{visit_id}"}, "sk": {"S": f"SIGNUP#{member_id}"}},
        UpdateExpression="SET " + ", ".join(f"{name} = :{name}" for name in lapsed),
        ExpressionAttributeValues={f":{name}": {"S": value} for name, value in lapsed.items()},
    )


def newsletter(b: Bench) -> None:
    as_staff = b.auth(_address("editor"), staff=True)
    reader, browser, bounced = _address("reader"), _address("browser"), _address("bounced")
    subscribe = {"email": reader, "name": "Reader"}
    b.call("subscribe", "POST", "/api/newsletter/subscriptions", 202, json=subscribe)
    link = b.mail_link(reader, "/newsletter/confirm?token=")
    b.call("confirm link page", "GET", link, 200)
    b.call("confirm link: confirm", "POST", "/newsletter/confirm", 200, data={"token": token_of(link)})
    b.call("subscribe again (confirmed)", "POST", "/api/newsletter/subscriptions", 202, json=subscribe)
    b.call("newsletter page", "GET", "/newsletter", 200)
    page = {"email": browser, "name": "Browser", "topics": ["events", "visits"]}
    b.call("newsletter page: subscribe", "POST", "/newsletter", 200, data=page)
    b.ses_event("SES bounce", "bounce", bounced)
    b.ses_event("SES complaint", "complaint", _address("complained"))

    # An issue approved by the editors' link, then one approved by the API.
    item = {"title": "Introducing Liberating Structures", "body": "A workshop in **May**.", "section": "workshops"}
    b.call("add an item (staff)", "POST", "/api/newsletter/items", 201, json=item, headers=as_staff)
    b.call("items waiting (staff)", "GET", "/api/newsletter/items", 200, headers=as_staff)
    issue_id = b.schedule("monthly assembly", "newsletter-monthly")["issue_id"]
    b.call("one issue, draft (staff)", "GET", f"/api/newsletter/issues/{issue_id}", 200, headers=as_staff)
    review = b.mail_link(b.staff_email, f"/newsletter/issues/{issue_id}/review?token=")
    b.call("review link page (editor)", "GET", review, 200)
    b.call(
        "review link: approve and send",
        "POST",
        f"/newsletter/issues/{issue_id}/review",
        200,
        data={"token": token_of(review)},
    )
    b.call("archive", "GET", "/api/newsletter/issues", 200)
    b.call("one issue", "GET", f"/api/newsletter/issues/{issue_id}", 200)
    b.call("archived issue page", "GET", f"/newsletter/issues/{issue_id}", 200)

    item = {"title": "Open Space in June", "body": "Bring a question.", "section": "events"}
    b.call("add an item (staff)", "POST", "/api/newsletter/items", 201, json=item, headers=as_staff)
    second = b.schedule("monthly assembly", "newsletter-monthly")["issue_id"]
    b.call("approve and send (staff)", "POST", f"/api/newsletter/issues/{second}/approval", 200, headers=as_staff)

    # The links in the issue: preferences, and the one-click unsubscribe mail clients send.
    link = b.mail_link(reader, "/newsletter/preferences?token=")
    b.call("preferences link page", "GET", link, 200)
    choice = {"token": token_of(link), "name": "Reader", "topics": ["events"]}
    b.call("preferences link: save", "POST", "/newsletter/preferences", 200, data=choice)
    link = b.mail_link(reader, "/newsletter/unsubscribe?token=")
    b.call("unsubscribe link page", "GET", link, 200)
    one_click = {"data": "List-Unsubscribe=One-Click", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
    b.call("one-click unsubscribe (mail client)", "POST", link, 200, **one_click)


def newsletter_editing(b: Bench) -> None:
    """The editors' pages: waiting items, a draft made now, shaped, sent back, then approved."""
    as_staff = b.auth(_address("editor"), staff=True)
    b.call("items page (editor)", "GET", "/newsletter/items", 200, headers=as_staff)
    b.call("add an item page", "GET", "/newsletter/items/new", 200, headers=as_staff)
    for title in ("A Liberating Structures workshop", "Building resilience: a series", "A spare item"):
        item = {"section": "workshops", "title": title, "body": "In **May**.", "link": ""}
        b.call("add an item page: add", "POST", "/newsletter/items/new", 303, data=item, headers=as_staff)
    waiting = b.http.get(b.runtime.url + "/api/newsletter/items", headers=as_staff, timeout=30).json()["items"]
    first, spare = waiting[0]["item_id"], waiting[-1]["item_id"]
    change = {"section": "events", "title": "A Liberating Structures workshop in May", "body": "Bring a question."}
    b.call("change an item page", "GET", f"/newsletter/items/{first}/edit", 200, headers=as_staff)
    b.call("change an item page: save", "POST", f"/newsletter/items/{first}/edit", 303, data=change, headers=as_staff)
    b.call("remove an item page", "GET", f"/newsletter/items/{spare}/remove", 200, headers=as_staff)
    b.call("remove an item page: remove", "POST", f"/newsletter/items/{spare}/remove", 303, headers=as_staff)
    made = b.call("make a draft now", "POST", "/newsletter/drafts", 303, headers=as_staff)
    draft = made.headers["Location"].removesuffix("/draft")
    b.call("draft page", "GET", f"{draft}/draft", 200, headers=as_staff)
    b.call("draft page: take an item out", "POST", f"{draft}/draft/items/{first}/remove", 303, headers=as_staff)
    b.call("draft page: send the test again", "POST", f"{draft}/draft/test", 303, headers=as_staff)
    note = {"note": "Add the series' dates, please."}
    b.call("draft page: send back", "POST", f"{draft}/draft/send-back", 303, data=note, headers=as_staff)
    again = b.call("make a draft now", "POST", "/newsletter/drafts", 303, headers=as_staff)
    draft = again.headers["Location"].removesuffix("/draft")
    b.call("draft page: approve and send", "POST", f"{draft}/draft/approve", 303, headers=as_staff)


def account(b: Bench, sig_id: str, round_id: str, visit_id: str) -> None:
    """Members active in every area see their data and erase their accounts."""
    alex, blake = _address("alex"), _address("blake")
    as_alex, as_blake = b.auth(alex, name="Alex"), b.auth(blake, name="Blake")
    b.call("join", "POST", f"/api/sigs/{sig_id}/members", 201, headers=as_alex)
    b.call("submit a bid", "POST", f"/api/rounds/{round_id}/bids", 201, json=bid_body(), headers=as_alex)
    for headers in (as_alex, as_blake):
        b.call("sign up: confirmed", "POST", f"/api/visits/{visit_id}/signups", 201, json={}, headers=headers)
    b.call("subscribe", "POST", "/api/newsletter/subscriptions", 202, json={"email": alex, "name": "Alex"})
    b.call("my data (JSON)", "GET", "/api/account/data", 200, headers=as_alex)
    b.call("account page", "GET", "/account", 200, headers=as_alex)
    b.call("account page: download my data", "GET", "/account/data.json", 200, headers=as_alex)
    b.call("name page", "GET", "/account/name?next=/", 200, headers=as_alex)
    b.call("name page: save", "POST", "/account/name", 303, data={"name": "Alex B", "next": "/"}, headers=as_alex)
    b.call("set my name", "PUT", "/api/account/name", 200, json={"name": "Alex Bell"}, headers=as_alex)
    confirm = {"confirm": "erase my account"}
    b.call("erase my account", "POST", "/api/account/erasure", 200, json=confirm, headers=as_alex)
    b.call("an erased member's session writes", "POST", f"/api/sigs/{sig_id}/members", 401, headers=as_alex)
    b.call("account page: erase my account", "POST", "/account/erase", 200, data=confirm, headers=as_blake)


def team(b: Bench) -> None:
    """The team home after every other area has given it something to count."""
    # One ListQueues, a GetQueueAttributes per dead-letter queue, one Query; writes only changes.
    b.schedule("dead-letter count", "team-dead-letters")
    as_staff = b.auth(_address("staff"), staff=True)
    b.call("team home", "GET", "/staff", 200, headers=as_staff)
    b.call("team home (API)", "GET", "/api/staff/summary", 200, headers=as_staff)
    member = b.auth(_address("member"))
    b.call("home page: My Q (signed in)", "GET", "/", 200, headers=member)


# -- the bench ----------------------------------------------------------------------------------
def run(runtime: Any, *, strict: bool = False) -> list[Row]:
    """Every scenario; ``strict`` raises on the first failure (tests) instead of reporting it and
    keeping the other areas' figures (the bench)."""
    with CallCounter.for_convene() as counter, runtime.delivery_paused(), Bench(runtime, counter) as b:
        found: dict[str, Any] = {}
        steps = [
            ("site", lambda: site(b)),
            ("sign_in", lambda: sign_in(b)),
            ("sigs", lambda: found.setdefault("sig", sigs(b))),
            ("conveners", lambda: conveners(b)),
            ("funding", lambda: found.setdefault("round", funding(b))),
            ("visits", lambda: found.setdefault("visit", visits(b))),
            ("newsletter", lambda: newsletter(b)),
            ("newsletter_editing", lambda: newsletter_editing(b)),
            ("visits team", lambda: calls_places.visits_team(b)),
            ("events", lambda: calls_places.events(b)),
            ("openspace", lambda: found.setdefault("openspace", openspace(b))),
            ("chain", lambda: calls_chain.chain(b, *found["openspace"])),
            ("comments", lambda: calls_comments.comments(b, found["openspace"][0])),
            ("followups", lambda: calls_followups.followups(b)),
            ("account", lambda: account(b, found["sig"], found["round"], found["visit"])),
            ("team", lambda: team(b)),
            ("canary", lambda: canary(b)),
        ]
        for name, step in steps:
            try:
                step()
            except (RuntimeError, LookupError, KeyError) as error:
                if strict:
                    raise
                print(f"calls: {name} stopped: {error!r}", file=sys.stderr)
                with suppress(Exception):
                    b.sweep(f"{name} (after a failure)")
        b.sweep("the end")
        return b.rows


def _table(rows: list[Row]) -> list[str]:
    lines = [
        "| operation | request / consumer | status | AWS calls | calls, in order | Scans "
        "| Query Count = ScannedCount |",
        "|---|---|---:|---:|---|---:|:-:|",
    ]
    for row in rows:
        window = row.window
        balanced = "" if not window.queries else ("yes" if not window.wasted_reads else "**no**")
        lines.append(
            f"| {row.operation} | `{row.request}` | {row.status or ''} | {window.total} | "
            f"{window.summary()} | {len(window.scans)} | {balanced} |"
        )
    return lines


def render(rows: list[Row]) -> str:
    """One table per area: its requests and pages, then the events its consumers handle and its schedules."""
    kinds = {"request": 0, "event": 0, "schedule": 0}
    for row in rows:
        kinds["schedule" if row.covers.startswith("schedule ") else "event" if " <- " in row.covers else "request"] += 1
    scans = sum(len(r.window.scans) for r in rows)
    wasted = sum(len(r.window.wasted_reads) for r in rows)
    lines = [
        f"{len(rows)} measured: {kinds['request']} requests, {kinds['event']} event deliveries, "
        f"{kinds['schedule']} schedule runs ({len({r.covers for r in rows})} distinct operations, event types per "
        f"consumer and schedules). Scans: {scans}. Queries that read items they did not return: {wasted}. "
        "Shown: the first of each; repeats are measured and checked but not listed.",
    ]
    areas = list(dict.fromkeys([*AREAS.values(), *(r.area for r in rows)]))
    for area in areas:
        mine = [r for r in rows if r.area == area and r.shown]
        mine.sort(key=lambda r: (" <- " in r.covers, r.covers.startswith("schedule ")))  # stable: requests first
        if mine:
            lines += ["", f"#### {area}", "", *_table(mine)]
    return "\n".join(lines) + "\n"


def main() -> None:
    import tempfile

    from bench.run import quiet_runtime

    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)) as runtime:
        print(render(run(runtime)))


if __name__ == "__main__":
    main()
