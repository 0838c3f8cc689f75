"""The "taken forward" page of an event (issue 11): AWS calls and items read per request, for an
event with 60 conversations and 200 things taken forward from them.

The chain is built by the ``chain-links`` consumer's own functions (``functions.chain.links``),
in this process against the runtime's moto: 60 ``ConversationProposed``, then 200 public steps
with origins, as the domain events would bring them: 40 SIGs approved from conversations, 40
funded bids for those SIGs (so each reaches its conversation through the SIG), 40 visits and
40 events published from conversations, 40 newsletter items naming a bid. Then the page and the
API are requested over HTTP through the local API Gateway, with ``bench.counting`` hooking the
function's clients; median wall time of ``--runs`` requests each (moto, not DynamoDB: a
Query here is ~15-20 ms, so time is indicative only).

    .venv/bin/python bench/chain.py [--runs 9] [--write]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

START = "<!-- chain:start (written by bench/chain.py) -->"
END = "<!-- chain:end -->"
CONVERSATIONS, PER_KIND = 60, 40  # 5 kinds x 40 = 200 linked items
THEMES = ("inclusion", "kindness", "failure", "collaboration", "patients", "accessibility", "coaching", "resilience")


def seed(runtime: Any) -> str:
    """An event with its chain; returns the event id."""
    from functions.chain import links
    from functions.events.domain import Event, EventKind
    from functions.events.repository import EventRepository
    from functions.places.domain import Format, ListingStatus, WaitlistMode
    from schemas.events.events import EventPublished
    from schemas.events.funding import BidApproved
    from schemas.events.newsletter import NewsletterItemAdded
    from schemas.events.openspace import ConversationProposed
    from schemas.events.origins import Origin
    from schemas.events.sigs import SigApproved
    from schemas.events.visits import VisitPublished

    rng = random.Random(11)
    event_id = f"event_bench{uuid.uuid4().hex[:10]}"
    held = datetime.now(UTC) - timedelta(days=90)
    EventRepository().import_event(
        Event(
            listing_id=event_id,
            kind=EventKind.COMMUNITY_EVENT,
            title="Q community event: Bristol (bench)",
            description="Sixty Open Space conversations.",
            format=Format.IN_PERSON,
            location="Bristol",
            joining_link="",
            starts_at=held,
            ends_at=held + timedelta(hours=7),
            signup_closes_at=held - timedelta(days=1),
            places=400,
            waitlist_mode=WaitlistMode.AUTOMATIC,
            offer_hours=24,
            status=ListingStatus.PUBLISHED,
            created_at=held - timedelta(days=30),
            created_by="bench@example.org",
        )
    )
    conversations = []
    for i in range(CONVERSATIONS):
        cid = f"conv_bench{i:02d}{uuid.uuid4().hex[:6]}"
        title = f"Conversation {i + 1}"
        links.conversation_proposed(
            ConversationProposed(
                gathering_id=event_id,
                conversation_id=cid,
                title=title,
                question=title,
                host_name=f"Host {i + 1}",
                themes=rng.sample(THEMES, 2),
                host_member_id=f"mem_host{i}",
            )
        )
        conversations.append(Origin(kind="conversation", id=cid, event_id=event_id, title=title))
    at = held
    sigs, bids = [], []
    for i in range(PER_KIND):
        at += timedelta(hours=6)
        sig_id = f"sig_bench{uuid.uuid4().hex[:10]}"
        links.sig_approved(
            SigApproved(
                sig_id=sig_id,
                name=f"Bench SIG {i + 1}",
                purpose="x" * 40,
                proposer_email=f"p{i}@example.org",
                proposer_name=f"Proposer {i + 1}",
                convener_emails=[f"p{i}@example.org"],
                decided_by="team@example.org",
                note="",
                origins=[rng.choice(conversations)],
                proposer_id=f"mem_p{i}",
                occurred_at=at,
            )
        )
        sigs.append(Origin(kind="sig", id=sig_id, title=f"Bench SIG {i + 1}"))
    for i in range(PER_KIND):
        at += timedelta(hours=6)
        bid_id = f"bid_bench{uuid.uuid4().hex[:10]}"
        sig = sigs[i]
        links.bid_approved(
            BidApproved(
                bid_id=bid_id,
                round_id="rnd_bench",
                round_name="Supporting Q Connections",
                title=f"A convener for {sig.title}",
                summary="Two days a month.",
                amount_pence=150000,
                applicant_id=f"mem_a{i}",
                applicant_email=f"a{i}@example.org",
                applicant_name=f"Applicant {i + 1}",
                sig_id=sig.id,
                sig_name=sig.title,
                consent_to_be_named=i % 2 == 0,
                origins=[sig],
                occurred_at=at,
            )
        )
        bids.append(Origin(kind="bid", id=bid_id, title=f"A convener for {sig.title}"))
    start = held + timedelta(days=120)
    for i in range(PER_KIND):
        at += timedelta(hours=6)
        links.visit_published(
            VisitPublished(
                visit_id=f"visit_bench{uuid.uuid4().hex[:10]}",
                title=f"Visit {i + 1}",
                host_organisation="A trust",
                description="x" * 40,
                format="online",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                places=20,
                places_left=20,
                signup_closes_at=start,
                origins=[rng.choice(conversations)],
                occurred_at=at,
            )
        )
        at += timedelta(hours=6)
        links.event_published(
            EventPublished(
                gathering_id=f"event_benchf{uuid.uuid4().hex[:10]}",
                kind="workshop",
                title=f"Workshop {i + 1}",
                description="x" * 40,
                format="online",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                places=30,
                signup_closes_at=start,
                origins=[rng.choice(conversations)],
                occurred_at=at,
            )
        )
        at += timedelta(hours=6)
        links.item_added(
            NewsletterItemAdded(
                item_id=f"nli_bench{uuid.uuid4().hex[:10]}",
                title=f"News {i + 1}",
                section="funding",
                origins=[bids[i]],
                occurred_at=at,
            )
        )
    return event_id


def measure(runtime: Any, event_id: str, runs: int) -> list[dict[str, Any]]:
    import requests

    from bench.counting import CallCounter

    rows = []
    session = requests.Session()
    with CallCounter.for_convene() as counter:
        for name, path in (
            ("page", f"/chain/events/{event_id}"),
            ("API", f"/api/chain/events/{event_id}"),
            ("across events (API)", "/api/chain"),
        ):
            times: list[float] = []
            windows = []
            for _ in range(runs):
                with counter.window() as measured:
                    started = time.perf_counter()
                    response = session.get(runtime.url + path, timeout=60)
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text[:300]
                windows.append(measured)
            window = windows[-1]
            followed = response.json().get("followed_count") if path.startswith("/api/chain/events") else None
            rows.append(
                {
                    "request": f"GET {path.replace(event_id, '{event_id}')}",
                    "name": name,
                    "calls": window.summary(),
                    "total": window.total,
                    "queries": len(window.queries),
                    "scans": len(window.scans),
                    "read": sum(c.scanned or 0 for c in window.queries),
                    "returned": sum(c.count or 0 for c in window.queries),
                    "ms": statistics.median(times),
                    "followed": followed,
                    "bytes": len(response.content),
                }
            )
    return rows


def render(rows: list[dict[str, Any]], runs: int) -> str:
    lines = [
        f"An event with {CONVERSATIONS} conversations (2 themes each) and {5 * PER_KIND} things taken forward "
        f"({PER_KIND} each of SIGs, funded bids reached through their SIG, visits, events and newsletter items "
        f"reached through a bid). Calls: the function's own AWS calls for one request; items read: summed over "
        f"its Queries (`ScannedCount`); time: median of {runs} requests on moto (indicative only).",
        "",
        "| request | AWS calls | Queries | Scans | items read (returned) | response bytes | median ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| `{r['request']}` | {r['calls']} | {r['queries']} | {r['scans']} | {r['read']} ({r['returned']}) "
            f"| {r['bytes']:,} | {r['ms']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    import tempfile

    from bench.run import machine, quiet_runtime, revision, write_results

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--write", action="store_true", help="rewrite the chain results in bench/README.md")
    args = parser.parse_args()
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)) as runtime:
        event_id = seed(runtime)
        rows = measure(runtime, event_id, args.runs)
    section = (
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `bench/chain.py` on code {revision()}. Machine: {machine()}\n\n"
        + render(rows, args.runs)
    )
    print(section)
    if args.write:
        write_results(section, START, END, "Results: the taken-forward page (issue 11)")


if __name__ == "__main__":
    main()
