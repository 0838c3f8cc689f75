"""Monthly AWS cost for a community of 5,000 members (issue 6), from counted calls.

Each operation below is run once over HTTP on the local runtime; its window counts every call
the functions' own clients make on every thread (the request and every consumer it sets off,
until ``wait_until_idle``), and each function pool's invocation counter gives the Lambda
invocations. The newsletter issue's per-recipient figures come from ``newsletter_send``.
Volumes, durations and prices are assumptions, stated in the output; prices are AWS list
prices for eu-west-2 (London) as I remember them, not fetched (no internet here): check them.

    .venv/bin/python bench/cost.py
"""

from __future__ import annotations

import math
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.counting import CallCounter, Window  # noqa: E402

MEMBERS = 5000
SUBSCRIBERS = 3000
API_SECONDS = 0.2  # assumed average warm duration of an API invocation
CONSUMER_SECONDS = 0.3  # ... and of an event consumer invocation (newsletter-send: see below)
SEND_RATE = 10  # NEWSLETTER_SEND_RATE default: a 50-recipient send batch sleeps ~5 s

#: eu-west-2 list prices, USD, from memory (not fetched). Free tiers ignored.
PRICES = {
    "API Gateway REST requests": (3.70, 1e6, "per million requests (first 333 M)"),
    "Lambda requests": (0.20, 1e6, "per million invocations"),
    "Lambda GB-seconds": (0.0000166667, 1, "per GB-second (x86)"),
    "DynamoDB write request units": (0.7067, 1e6, "per million WRU, on-demand"),
    "DynamoDB read request units": (0.1415, 1e6, "per million RRU, on-demand"),
    "SES emails": (0.10, 1e3, "per 1,000 emails"),
    "EventBridge events": (1.00, 1e6, "per million custom events"),
    "EventBridge Pipes requests": (0.40, 1e6, "per million (outbox stream -> bus)"),
    "SQS requests": (0.40, 1e6, "per million requests"),
    "SQS idle polling": (0.40, 1e6, "per million requests"),
    "S3 GET requests": (0.00042, 1e3, "per 1,000 GET"),
    "S3 PUT requests": (0.0053, 1e3, "per 1,000 PUT"),
}


@dataclass
class Op:
    label: str
    per_month: float
    volume_note: str
    calls: Window = field(default_factory=Window)
    api: int = 0
    consumers: Counter[str] = field(default_factory=Counter)


def _units(window: Window) -> tuple[float, float]:
    """(RRU, WRU): items assumed at most 1 KB (write) / 4 KB (read), strongly consistent reads
    (1 RRU per item fetched by key; a Query pays per 4 KB read, items taken as ~0.5 KB; a read
    finding nothing still costs 1), transactions 2x."""
    reads = writes = 0.0
    for call in window.calls:
        if call.service != "dynamodb":
            continue
        op = call.operation
        if op in ("PutItem", "UpdateItem", "DeleteItem"):
            writes += 1
        elif op == "BatchWriteItem":
            writes += call.items or 1
        elif op == "TransactWriteItems":
            writes += 2 * (call.items or 1)
        elif op == "GetItem":
            reads += 1
        elif op == "BatchGetItem":
            reads += call.items or 1
        elif op == "TransactGetItems":
            reads += 2 * (call.items or 1)
        elif op in ("Query", "Scan"):  # by size read: items assumed ~0.5 KB, 8 to a 4 KB unit
            reads += max(1, math.ceil((call.scanned or 0) / 8))
    return reads, writes


class Driver:
    def __init__(self, runtime: Any, counter: CallCounter) -> None:
        import requests

        from schemas.declaration import FUNCTIONS, ApiTrigger

        self.runtime = runtime
        self.counter = counter
        self.http = requests.Session()
        self.api_functions = {f.name for f in FUNCTIONS if any(isinstance(t, ApiTrigger) for t in f.triggers)}

    def measure(self, op: Op, action: Any) -> Op:
        runtime = self.runtime
        assert runtime.wait_until_idle(30)
        before = {name: pool.invocations for name, pool in runtime.pools.items()}
        with self.counter.window(include=lambda c: True) as window:
            action()
            assert runtime.wait_until_idle(30)
        op.calls = window
        for name, pool in runtime.pools.items():
            n = pool.invocations - before[name]
            if n and name in self.api_functions:
                op.api += n
            elif n:
                op.consumers[name] += n
        return op

    def post(self, path: str, expect: int, **kwargs: Any) -> Any:
        response = self.http.post(self.runtime.url + path, timeout=30, **kwargs)
        if response.status_code != expect:
            raise RuntimeError(f"POST {path}: {response.status_code} {response.text[:200]}")
        return response


def _address(name: str) -> str:
    return f"bench.cost.{name}.{uuid.uuid4().hex[:8]}@example.org"


def measure_operations(runtime: Any) -> list[Op]:

    from bench.calls import Client, bid_body, round_body, visit_body

    ops: list[Op] = []
    with CallCounter.for_convene() as counter:
        d = Driver(runtime, counter)
        client = Client(runtime, counter)
        bearer = client.auth(_address("member"))
        staff = client.auth(_address("staff"), staff=True)

        def page_view() -> None:
            d.http.get(runtime.url + "/api/sigs", headers=bearer, timeout=30).raise_for_status()

        def sign_in() -> None:
            email = _address("signin")
            d.post("/api/auth/sign-in", 202, json={"email": email})
            runtime.wait_until_idle(30)
            d.post("/api/auth/sessions", 201, json={"token": client.mail_token(email)})

        sig_ids: list[str] = []

        def propose() -> None:
            body = {"name": f"Cost SIG {uuid.uuid4().hex[:6]}", "purpose": "Costing a proposal.", "themes": ["bench"]}
            sig_ids.append(d.post("/api/sigs", 201, json=body, headers=client.auth(_address("p"))).json()["sig_id"])

        def approve() -> None:
            d.post(f"/api/sigs/{sig_ids[-1]}/decision", 200, json={"decision": "approve", "note": ""}, headers=staff)

        def join() -> None:
            d.post(f"/api/sigs/{sig_ids[-1]}/members", 201, headers=client.auth(_address("j")))

        round_ids: list[str] = []
        round_ids.append(d.post("/api/rounds", 201, json=round_body(), headers=staff).json()["round_id"])

        def bid() -> None:
            d.post(f"/api/rounds/{round_ids[0]}/bids", 201, json=bid_body(), headers=client.auth(_address("b")))

        visit = visit_body(places=1000)
        visit_id = d.post("/api/visits", 201, json=visit, headers=staff).json()["visit_id"]

        def visit_signup() -> None:
            d.post(f"/api/visits/{visit_id}/signups", 201, json={}, headers=client.auth(_address("v")))

        def subscribe() -> None:
            d.post("/api/newsletter/subscriptions", 202, json={"email": _address("reader"), "name": "Reader"})

        plan = [
            ("page view: `GET /api/sigs` (signed in)", 20 * MEMBERS, "20 per member", page_view),
            ("sign-in: request + link email + session", 2 * MEMBERS, "2 per member", sign_in),
            ("SIG proposal (+ staff review emails)", 10, "10 a month", propose),
            ("SIG approval (staff, + convener emails)", 10, "10 a month", approve),
            ("join a SIG", 0.2 * MEMBERS, "1 per 5 members", join),
            ("funding bid", 30, "30 a month", bid),
            ("visit sign-up", 0.1 * MEMBERS, "1 per 10 members", visit_signup),
            ("newsletter subscription (+ confirm email)", 100, "100 a month", subscribe),
        ]
        for label, volume, note, action in plan:
            try:
                ops.append(d.measure(Op(label, volume, note), action))
            except (RuntimeError, AssertionError, IndexError) as error:
                print(f"cost: {label} skipped: {error}", file=sys.stderr)
    return ops


@dataclass
class Usage:
    label: str
    per_month: float
    volume_note: str
    api: float
    invocations: float
    gb_seconds: float
    rru: float
    wru: float
    emails: float
    events: float
    s3_get: float
    s3_put: float


def _memory_gb(name: str) -> float:
    from schemas.declaration import FUNCTIONS

    return {f.name: f.memory_mb for f in FUNCTIONS}[name] / 1024


def usage_of(op: Op) -> Usage:
    calls = op.calls.by_operation()
    rru, wru = _units(op.calls)
    consumer_invocations = sum(op.consumers.values())
    # API invocations: the function serving the route; all API functions here declare the same memory.
    gb_s = op.api * API_SECONDS * 0.5 + sum(n * CONSUMER_SECONDS * _memory_gb(f) for f, n in op.consumers.items())
    return Usage(
        op.label,
        op.per_month,
        op.volume_note,
        op.api,
        op.api + consumer_invocations,
        gb_s,
        rru,
        wru,
        calls["ses.SendRawEmail"] + calls["sesv2.SendEmail"],
        consumer_invocations,  # one event per consumer delivery (ops run one at a time)
        calls["s3.GetObject"],
        calls["s3.PutObject"],
    )


def newsletter_usage(point: Any, subscribers: int = SUBSCRIBERS) -> Usage:
    """One monthly issue to ``subscribers``, scaled from a measured send (per recipient)."""
    scale = subscribers / point.recipients
    rru, wru = _units(_window_of(point.calls))
    batches = math.ceil(subscribers / 50)
    send_gb = _memory_gb("newsletter-send")
    gb_s = batches * (50 / SEND_RATE) * send_gb + 2 * CONSUMER_SECONDS * _memory_gb("newsletter-fanout")
    return Usage(
        f"newsletter issue to {subscribers:,} (scaled from {point.recipients:,} measured)",
        1,
        "1 a month",
        1,
        batches + 2,
        gb_s,
        rru * scale,
        wru * scale,
        point.calls["ses.SendRawEmail"] * scale,
        batches + 1,
        point.calls["s3.GetObject"] * scale,
        point.calls["s3.PutObject"] * scale,
    )


def _window_of(calls: Counter[str]) -> Window:
    """A window with the counted operations (item counts unknown: 1 item each, except the
    send's batch calls, counted at 50 items: one batch read per 50 recipients)."""
    from bench.counting import Call

    window = Window()
    for name, n in calls.items():
        service, operation = name.split(".", 1)
        items = 50 if operation in ("BatchGetItem", "BatchWriteItem") else None
        window.calls.extend(Call(service, operation, "", items=items) for _ in range(n))
    return window


def render(ops: list[Op], newsletter_point: Any, queues: int) -> str:
    usages = [usage_of(op) for op in ops]
    if newsletter_point is not None:
        usages.append(newsletter_usage(newsletter_point))
    lines = [
        f"**Assumptions.** {MEMBERS:,} members, {SUBSCRIBERS:,} newsletter subscribers, one issue a month. "
        f"Lambda at the declared memory (`memory_mb`, 512 MB for every function now), {API_SECONDS * 1000:.0f} ms "
        f"average per API invocation and {CONSUMER_SECONDS * 1000:.0f} ms per consumer invocation, except "
        f"`newsletter-send`: a batch of 50 at the default `NEWSLETTER_SEND_RATE` of {SEND_RATE}/s sleeps "
        f"{50 / SEND_RATE:.0f} s. DynamoDB items ≤ 1 KB written / ≤ 4 KB read: 1 WRU per write, 2 per "
        "transaction item, 1 RRU per item got by key and per 4 KB a Query reads (items ~0.5 KB; strongly consistent; "
        "an empty read still 1). One EventBridge "
        "event, one Pipes request and 3 SQS requests (send, receive, delete) per consumer delivery. Idle SQS "
        f"long polling by the Lambda event source mappings: ~648,000 requests per queue-month ({queues} queues: "
        "5 pollers x 3 a minute). Cold starts, CloudWatch Logs, data transfer, Secrets Manager "
        "($0.40/secret-month) and storage (MBs) are left out; free tiers ignored.",
        "",
        "Per operation (counted on the local runtime: calls of the functions' own clients, the request and "
        "every consumer it triggers):",
        "",
        "| operation | per month | assumption | API requests | Lambda invocations | GB-s | RRU | WRU "
        "| SES emails | events | S3 GET | S3 PUT |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for u in usages:
        lines.append(
            f"| {u.label} | {u.per_month:,.0f} | {u.volume_note} | {u.api:g} | {u.invocations:g} | {u.gb_seconds:.2f} "
            f"| {u.rru:g} | {u.wru:g} | {u.emails:g} | {u.events:g} | {u.s3_get:g} | {u.s3_put:g} |"
        )
    total = Counter[str]()
    for u in usages:
        m = u.per_month
        total["API Gateway REST requests"] += u.api * m
        total["Lambda requests"] += u.invocations * m
        total["Lambda GB-seconds"] += u.gb_seconds * m
        total["DynamoDB write request units"] += u.wru * m
        total["DynamoDB read request units"] += u.rru * m
        total["SES emails"] += u.emails * m
        total["EventBridge events"] += u.events * m
        total["EventBridge Pipes requests"] += u.events * m
        total["SQS requests"] += 3 * u.events * m
        total["S3 GET requests"] += u.s3_get * m
        total["S3 PUT requests"] += u.s3_put * m
    total["SQS idle polling"] = 648_000 * queues
    lines += [
        "",
        "Per month: quantity = Σ (per operation x per month); cost = quantity / unit x price "
        "(eu-west-2 list prices in USD as I remember them, not fetched: check before quoting).",
        "",
        "| item | quantity / month | price (USD) | unit | cost / month (USD) |",
        "|---|---:|---:|---|---:|",
    ]
    grand = 0.0
    for item, (price, unit, unit_note) in PRICES.items():
        cost = total[item] / unit * price
        grand += cost
        lines.append(f"| {item} | {total[item]:,.0f} | {price:g} | {unit_note} | {cost:.2f} |")
    lines.append(f"| **total** | | | | **{grand:.2f}** |")
    return "\n".join(lines) + "\n"


def main() -> None:
    import tempfile

    from bench import newsletter_send
    from bench.run import quiet_runtime

    newsletter_send.prepare_environment()
    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)) as runtime:
        ops = measure_operations(runtime)
        [point] = newsletter_send.run(runtime, [200])
        print(render(ops, point, len(runtime.resources.queues)))


if __name__ == "__main__":
    main()
