"""Follow-ups after an event (issue 11 §2): the follow-up send to 800 attendees, exactly one
email each, across redeliveries.

An event held 20 days ago with 800 confirmed attendees (sign-up items written through the events
repository's own item shape). Its 14-day follow-up is due; then, on the local runtime:

1. a first delivery that **fails part-way** (the worker's own ``send`` with a mailer that raises
   after 300 emails, as a Lambda timing out or SES throttling would);
2. the hourly schedule starts the follow-up (``followups-due``); its ``FollowupStarted`` goes
   through the outbox, the bus and the queue to the ``followups-worker`` function;
3. an event id the worker has not handled delivered twice (the first meets only the markers,
   the second Powertools idempotency), and once more under a new event id (markers again);
4. the schedule run again (the follow-up must not start twice).

Emails are counted in moto's SES (every message accepted, by recipient).

    .venv/bin/python bench/followups.py [--attendees 800] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections import Counter
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

START = "<!-- followups:start (written by bench/followups.py) -->"
END = "<!-- followups:end -->"
SUBJECT = "What did you take away from"
FAIL_AFTER = 300


class Crashed(Exception):
    pass


def seed(attendees: int) -> tuple[str, list[str]]:
    """An event held 20 days ago, its attendees, and its 14-day follow-up due now."""
    from functions.common.store import Put, Store
    from functions.events.domain import Event, EventKind
    from functions.events.repository import EventRepository
    from functions.followups import domain
    from functions.followups.repository import FollowupRepository
    from functions.places.domain import Format, ListingStatus, Signup, SignupStatus, WaitlistMode

    event_id = f"event_benchfu{uuid.uuid4().hex[:10]}"
    held = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)
    event = Event(
        listing_id=event_id,
        kind=EventKind.COMMUNITY_EVENT,
        title="Q community event: Leeds (bench)",
        description="A day of Open Space conversations.",
        format=Format.IN_PERSON,
        location="Leeds",
        joining_link="",
        starts_at=held,
        ends_at=held + timedelta(hours=7),
        signup_closes_at=held - timedelta(days=1),
        places=attendees,
        waitlist_mode=WaitlistMode.AUTOMATIC,
        offer_hours=24,
        status=ListingStatus.PUBLISHED,
        created_at=held - timedelta(days=30),
        created_by="bench@example.org",
    )
    events = EventRepository()
    events.import_event(event)
    store = Store()
    addresses = []
    for i in range(attendees):
        email = f"attendee{i:04d}.{event_id[-6:]}@example.org"
        signup = Signup(
            listing_id=event_id,
            member_id=f"mem_bench{i:04d}{event_id[-6:]}",
            signup_id=f"su_{i}",
            name=f"Attendee {i + 1}",
            email=email,
            status=SignupStatus.CONFIRMED,
            signed_up_at=held - timedelta(days=10, minutes=i),
        )
        store.write([Put(events._signup_item(event, signup))])
        addresses.append(email)
    change = domain.replan(None, event.ends_at, (14, 90))
    FollowupRepository(store).save_plan(event_id, event.title, event.ends_at, change, by="bench", now=held, new=True)
    return event_id, addresses


def emails_to(runtime: Any, addresses: set[str]) -> Counter[str]:
    from moto.ses.models import ses_backends

    from infra.local.moto_server import ACCOUNT_ID, REGION

    with runtime.moto.lock:
        sent = list(ses_backends[ACCOUNT_ID][REGION].sent_messages)
    counts: Counter[str] = Counter()
    for message in sent:
        # moto lists a raw message's recipient once from the call and once from its To header.
        for to in set(getattr(message, "destinations", None) or []):
            if to in addresses:
                counts[to] += 1
    return counts


def deliver(runtime: Any, detail: dict[str, Any]) -> Any:
    """Hand ``followups-worker`` one SQS record carrying ``FollowupStarted`` (a redelivery)."""
    body = json.dumps({"detail-type": "FollowupStarted", "source": "convene", "detail": detail})
    record = {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "bench",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "2"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:followups-worker",
        "awsRegion": "eu-west-2",
    }
    return runtime.pools["followups-worker"].invoke({"Records": [record]})


def run(runtime: Any, attendees: int) -> dict[str, Any]:
    from functions.followups import worker
    from functions.followups.service import FollowupService
    from infra.local.moto_server import ACCOUNT_ID, REGION  # noqa: F401 - SES's account, for emails_to
    from schemas.events.followups import FollowupStarted

    event_id, addresses = seed(attendees)
    wanted = set(addresses)
    steps: list[tuple[str, int, float]] = []

    def step(name: str, started: float) -> None:
        assert runtime.wait_until_idle(600), "still in flight after 10 minutes"
        steps.append((name, sum(emails_to(runtime, wanted).values()), time.perf_counter() - started))

    # 1. A delivery that fails part-way (the same send, a mailer that gives up after 300).
    started = time.perf_counter()
    sent, fail_after = 0, min(FAIL_AFTER, attendees // 2)

    def failing(signup: Any, event: Any, token: str) -> None:
        nonlocal sent
        if sent == fail_after:
            raise Crashed
        worker.email_one(signup, event, token)
        sent += 1

    with suppress(Crashed):
        FollowupService().send(FollowupStarted(gathering_id=event_id, day=14, title="bench"), failing)
    step(f"a first delivery fails after {fail_after} emails", started)

    # 2. The schedule starts it: the event goes through outbox, bus and queue to the worker.
    started = time.perf_counter()
    assert runtime.run_schedule("followups-due")["started"] == 1
    step("the hourly schedule starts it; the worker sends", started)
    send_seconds = steps[-1][2]

    # 3. Redeliveries: the same event twice (idempotency), then under a new event id (markers).
    outbox_detail = FollowupStarted(gathering_id=event_id, day=14, title="bench").model_dump(mode="json")
    started = time.perf_counter()
    for _ in range(2):
        same = {**outbox_detail, "event_id": "evt_bench_same_" + event_id}
        assert deliver(runtime, same) == {"batchItemFailures": []}
    assert deliver(runtime, {**outbox_detail, "event_id": f"evt_bench_new_{uuid.uuid4().hex}"}) == {
        "batchItemFailures": []
    }
    step("delivered 3 more times (twice one event id, once a new one)", started)

    # 4. The schedule again.
    started = time.perf_counter()
    assert runtime.run_schedule("followups-due")["started"] == 0
    step("the schedule runs again", started)

    counts = emails_to(runtime, wanted)
    return {
        "attendees": attendees,
        "steps": steps,
        "exactly_one": sum(1 for a in addresses if counts[a] == 1),
        "none": sum(1 for a in addresses if counts[a] == 0),
        "more": sum(1 for a in addresses if counts[a] > 1),
        "send_seconds": send_seconds,
        "resumed": attendees - fail_after,
    }


def render(result: dict[str, Any]) -> str:
    lines = [
        f"An event with {result['attendees']} confirmed attendees; its 14-day follow-up. Emails counted in "
        "moto's SES by recipient after each step (cumulative).",
        "",
        "| step | emails to attendees so far | seconds |",
        "|---|---:|---:|",
    ]
    for name, emails, seconds in result["steps"]:
        lines.append(f"| {name} | {emails} | {seconds:.1f} |")
    lines += [
        "",
        f"**Exactly one email each: {result['exactly_one']} of {result['attendees']}** "
        f"(none: {result['none']}, more than one: {result['more']}). After the failed delivery the worker sent "
        f"only the {result['resumed']} not yet emailed (one Query of the markers, then one marker Put per email), "
        f"in {result['send_seconds']:.1f} s on moto.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    import tempfile

    from bench.run import machine, quiet_runtime, revision, write_results

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--attendees", type=int, default=800)
    parser.add_argument("--write", action="store_true", help="rewrite the follow-up results in bench/README.md")
    args = parser.parse_args()
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)) as runtime:
        result = run(runtime, args.attendees)
    section = (
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `bench/followups.py` on code {revision()}. Machine: {machine()}\n\n"
        + render(result)
    )
    print(section)
    if args.write:
        write_results(section, START, END, "Results: the follow-up send (issue 11)")
    if result["exactly_one"] != result["attendees"]:
        raise SystemExit("not exactly one email each")


if __name__ == "__main__":
    main()
