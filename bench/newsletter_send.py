"""Newsletter send throughput (issue 6): recipients per second and AWS calls per recipient, on
the local runtime, from the editor's approval until SES (moto) has accepted the last email.

Subscribers are made confirmed straight through the repository (``import_subscribers``, as
``tests/test_newsletter_send.py`` does); one staff item is added, ``newsletter-monthly`` is run,
and the clock starts just before ``POST /api/newsletter/issues/{id}/approval``. Emails are
counted in moto's SES backend in this process (under ``runtime.moto.lock``), twice a second.
Between points the subscribers, their sent records and their emails are deleted again.

``NEWSLETTER_SEND_RATE`` (emails per second, default 10, read by
``functions.newsletter.throttle.send_rate`` from the environment on every batch) would cap
the local figure at 10/s: ``prepare_environment()`` sets it to 100000 in ``os.environ``
before the runtime starts, so the figure is what the local machinery can do. On AWS the
SES account's sending rate (and this setting, kept below it) is the real cap.

    .venv/bin/python bench/newsletter_send.py [--sizes 1000,10000] [--budget 420]
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.counting import CallCounter  # noqa: E402

BENCH_SEND_RATE = "100000"
SCHEDULE = "newsletter-monthly"


def prepare_environment() -> None:
    """Lift the send throttle; call before the runtime starts (the functions read it)."""
    os.environ["NEWSLETTER_SEND_RATE"] = BENCH_SEND_RATE
    os.environ["CONVENE_SES_MAX_SEND_RATE"] = str(int(BENCH_SEND_RATE) * 2)  # the local SES quota it paces to


@dataclass
class Point:
    subscribers: int
    recipients: int
    seconds: float
    calls: Counter[str]
    invocations: dict[str, int]
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.recipients / self.seconds if self.seconds else 0.0

    def per_recipient(self, prefix: str = "") -> float:
        total = sum(n for name, n in self.calls.items() if name.startswith(prefix))
        return total / self.recipients if self.recipients else 0.0


def _messages(runtime: Any) -> list[Any]:
    from moto.ses.models import ses_backends

    from infra.local.moto_server import ACCOUNT_ID, REGION

    with runtime.moto.lock:
        return list(ses_backends[ACCOUNT_ID][REGION].sent_messages)


def readers(tag: str, count: int, status: str = "confirmed") -> list[Any]:
    """``count`` subscribers (``reader00000.<tag>@example.org`` ...) to import directly: the
    send is what is measured or tested, not a thousand double opt-ins."""
    from functions.common.ids import utcnow
    from functions.newsletter.domain import Subscriber, SubscriberStatus

    now = utcnow().isoformat()
    return [
        Subscriber(
            subscriber_id=f"sub_{tag}{n:05d}",
            email=f"reader{n:05d}.{tag}@example.org",
            name="",
            topics=(),
            status=SubscriberStatus(status),
            created_at=now,
            confirmed_at=now,
        )
        for n in range(count)
    ]


def _forget(runtime: Any, subscribers: list[Any], issue_id: str) -> None:
    """Delete the point's subscribers, sent records and emails (as the test does)."""
    from moto.ses.models import ses_backends

    from functions.common.store import Store, to_attributes
    from infra.local.moto_server import ACCOUNT_ID, REGION

    store = Store()
    keys = [(f"SUBSCRIBER#{s.subscriber_id}", "SUBSCRIBER") for s in subscribers]
    keys += [(f"NLEMAIL#{s.email}", "SUBSCRIBER") for s in subscribers]
    keys += [(r["pk"], r["sk"]) for r in store.query(f"NEWSLETTER#{issue_id}", sk_prefix="SENT#")]
    table = store.table_name("main")
    for start in range(0, len(keys), 25):
        deletes = [{"DeleteRequest": {"Key": to_attributes({"pk": p, "sk": s})}} for p, s in keys[start : start + 25]]
        store.ddb.batch_write_item(RequestItems={table: deletes})
    addresses = {s.email for s in subscribers}
    with runtime.moto.lock:
        backend = ses_backends[ACCOUNT_ID][REGION]
        backend.sent_messages[:] = [
            m for m in backend.sent_messages if not set(getattr(m, "destinations", None) or []) & addresses
        ]


def measure(runtime: Any, count: int, timeout: float = 300) -> Point:
    import requests

    from functions.newsletter.repository import NewsletterRepository

    assert os.environ.get("NEWSLETTER_SEND_RATE") == BENCH_SEND_RATE, "call prepare_environment() first"
    http = requests.Session()
    staff = {"Authorization": f"Bearer {runtime.issue_session('bench.editor@example.org', staff=True)}"}
    tag = uuid.uuid4().hex[:6]
    subscribers = readers(tag, count)
    assert NewsletterRepository().import_subscribers(subscribers) == count
    item = {"title": f"Bench issue {tag}", "body": "Throughput.", "section": "news"}
    made = http.post(runtime.url + "/api/newsletter/items", json=item, headers=staff, timeout=30)
    assert made.status_code == 201, made.text
    assert runtime.wait_until_idle(60)
    issue_id = runtime.run_schedule(SCHEDULE)["issue_id"]
    assert issue_id, "no issue was drafted"
    assert runtime.wait_until_idle(60)
    addresses = {s.email for s in subscribers}
    before = len(_messages(runtime))
    pools = {name: pool.invocations for name, pool in runtime.pools.items()}
    note = ""
    with CallCounter.for_convene() as counter, counter.window(include=lambda c: True) as window:
        started = time.perf_counter()
        approved = http.post(f"{runtime.url}/api/newsletter/issues/{issue_id}/approval", headers=staff, timeout=60)
        assert approved.status_code == 200, approved.text
        deadline = started + timeout
        while True:
            messages = _messages(runtime)[before:]
            ours = sum(1 for m in messages if set(getattr(m, "destinations", None) or []) & addresses)
            if ours >= count:
                break
            if time.perf_counter() > deadline:
                note = f"stopped after {timeout:.0f} s with {ours} of {count} sent"
                break
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        recipients = len(_messages(runtime)) - before  # the demo's confirmed readers too
        runtime.wait_until_idle(60)  # the last claims become `sent`: counted, not timed
    invocations = {name: pool.invocations - pools[name] for name, pool in runtime.pools.items()}
    _forget(runtime, subscribers, issue_id)
    return Point(count, recipients, seconds, window.by_operation(), {k: v for k, v in invocations.items() if v}, note)


def run(runtime: Any, sizes: list[int], budget: float = 420) -> list[Point]:
    """Measure each size; skip (and say so) a size the previous point says would not finish
    within ``budget`` seconds, measuring a smaller one that fits instead."""
    points: list[Point] = []
    for size in sizes:
        if points:
            last = points[-1]
            projected = size / last.per_second if last.per_second else float("inf")
            if projected > budget:
                fits = int(last.per_second * budget * 0.5 // 500 * 500)
                if fits <= last.subscribers:
                    print(f"newsletter: {size} skipped (~{projected:.0f} s projected)", flush=True)
                    continue
                print(f"newsletter: {size} would take ~{projected:.0f} s; measuring {fits} instead", flush=True)
                point = measure(runtime, fits, timeout=budget)
                point.note = (point.note + "; " if point.note else "") + (
                    f"instead of {size:,} (projected {projected:.0f} s at the rate above, "
                    f"over the {budget:.0f} s budget)"
                )
                points.append(point)
                continue
        print(f"newsletter: sending to {size} ...", flush=True)
        points.append(measure(runtime, size, timeout=budget))
    return points


def render(points: list[Point]) -> str:
    lines = [
        f"`NEWSLETTER_SEND_RATE={BENCH_SEND_RATE}` for the bench (set in the environment before the runtime "
        "started; the default, 10/s, would cap this figure at 10 recipients/s). Time from just before the "
        "approval POST until moto's SES backend holds the last email; *recipients* includes the demo's "
        "confirmed readers. Calls are those of the functions' own clients (approval request, fan-out, "
        "send consumers, their idempotency records), all threads; the runtime's own SQS/EventBridge "
        "plumbing is not counted.",
        "",
        "| confirmed subscribers | recipients | seconds | recipients / s | SES calls / recipient "
        "| AWS calls / recipient | DynamoDB calls / recipient | Lambda invocations | calls by operation | note |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for p in points:
        ops = ", ".join(f"{name} {n}" for name, n in p.calls.most_common())
        invoked = ", ".join(f"{name} {n}" for name, n in sorted(p.invocations.items()))
        lines.append(
            f"| {p.subscribers:,} | {p.recipients:,} | {p.seconds:.1f} | {p.per_second:.0f} | "
            f"{p.per_recipient('ses.'):.2f} | {p.per_recipient():.2f} | {p.per_recipient('dynamodb.'):.2f} | "
            f"{invoked} | {ops} | {p.note} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    import argparse
    import tempfile

    from bench.run import quiet_runtime

    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--budget", type=float, default=420)
    args = parser.parse_args()
    prepare_environment()
    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)) as runtime:
        print(render(run(runtime, [int(s) for s in args.sizes.split(",")], args.budget)))


if __name__ == "__main__":
    main()
