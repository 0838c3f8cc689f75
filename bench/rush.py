"""A rush (issue 9): 200 members sign up at once for a visit with 10 places, from 32 concurrent
clients, against the local runtime; side by side, in the same run and against the same moto
server, the floor: 200 bare ``TransactWriteItems`` of the same shape (the visit's counters
updated under a condition, the sign-up put, the outbox record put) from 32 threads.

The sign-ups go through everything a real one does (local API Gateway, the visits function's
container, its session check, reads, the transaction, the answer); the floor is only what the
serialized backend must do. Each run checks the answer: exactly 10 confirmed and waiting-list
positions 1..190.

    .venv/bin/python bench/rush.py [--rounds 3] [--clients 32] [--profile]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIGNUPS = 200
PLACES = 10


@dataclass
class Round:
    signups_per_second: float
    floor_per_second: float
    confirmed: int
    positions_ok: bool
    lock_wait_ms: list[float] = field(default_factory=list)
    lock_held_ms: list[float] = field(default_factory=list)


def _visit(runtime: Any, staff: dict[str, str]) -> str:
    import requests

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    body = {
        "title": "A rush for ten places",
        "host_organisation": "Bench Organisation",
        "description": "Two hundred members want ten places.",
        "format": "online",
        "joining_link": "https://meet.example.org/rush",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "places": PLACES,
        "signup_closes_at": (start - timedelta(days=1)).isoformat(),
        "waitlist_mode": "automatic",
    }
    response = requests.post(runtime.url + "/api/visits", json=body, headers=staff, timeout=30)
    response.raise_for_status()
    return str(response.json()["visit_id"])


def _sessions(count: int) -> list[dict[str, str]]:
    from functions.auth.service import open_session
    from functions.common.ids import new_id
    from functions.members.model import Member

    sessions = []
    for n in range(count):
        member = Member(
            member_id=new_id("mem"), email=f"rush{n}.{uuid.uuid4().hex[:6]}@example.org", name="R", created_at=""
        )
        sessions.append({"Authorization": f"Bearer {open_session(member, local=True).token}"})
    return sessions


class LockTimer:
    """How long each moto request waited for the dispatch lock and held it."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.waited: list[float] = []
        self.held: list[float] = []

    def __enter__(self) -> LockTimer:
        moto = self.runtime.moto
        real = moto.lock
        timer = self

        class Timed:
            def __enter__(self) -> None:
                asked = time.perf_counter()
                real.acquire()
                self.got = time.perf_counter()
                timer.waited.append((self.got - asked) * 1000)

            def __exit__(self, *_: object) -> None:
                timer.held.append((time.perf_counter() - self.got) * 1000)
                real.release()

            def acquire(self, *a: Any, **k: Any) -> bool:
                return bool(real.acquire(*a, **k))

            def release(self) -> None:
                real.release()

        self._real = real
        moto.lock = Timed()
        return self

    def __exit__(self, *_: object) -> None:
        self.runtime.moto.lock = self._real


def _in_client_process(target: Any, *args: Any) -> Any:
    """Run ``target(*args)`` in a separate process, as real clients are: 32 client threads in
    the runtime's own interpreter would compete with it for the one interpreter lock, and the
    bench would measure that instead of the runtime."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(target, args)


def _post_all(url: str, sessions: list[dict[str, str]], clients: int) -> tuple[float, list[tuple[int, Any]]]:
    import requests

    local = threading.local()

    def attempt(auth: dict[str, str]) -> tuple[int, Any]:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        response = local.http.post(url, json={}, headers=auth, timeout=120)
        return response.status_code, response.json()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        responses = list(pool.map(attempt, sessions))
    return time.perf_counter() - started, responses


def rush(runtime: Any, clients: int, staff: dict[str, str]) -> tuple[float, list[tuple[int, Any]]]:
    visit_id = _visit(runtime, staff)
    sessions = _sessions(SIGNUPS)
    url = f"{runtime.url}/api/visits/{visit_id}/signups"
    took, responses = _in_client_process(_post_all, url, sessions, clients)
    return SIGNUPS / took, responses


def floor(runtime: Any, clients: int) -> float:
    """200 transactions of a sign-up's shape, straight to moto from a client process: the
    serialized backend's rate."""
    tables = runtime.resources.tables
    took = _in_client_process(_transact_all, tables["main"], tables["outbox"], clients)
    return SIGNUPS / float(took)


def _transact_all(table: str, outbox: str, clients: int) -> float:
    import boto3
    from botocore.config import Config

    visit = f"VISIT#floor-{uuid.uuid4().hex[:8]}"
    config = Config(retries={"max_attempts": 1}, max_pool_connections=clients)
    ddb = boto3.session.Session().client("dynamodb", config=config)
    ddb.put_item(TableName=table, Item={"pk": {"S": visit}, "sk": {"S": "VISIT"}, "taken": {"N": "0"}})

    def one(n: int) -> None:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": {"S": visit}, "sk": {"S": "VISIT"}},
                        "UpdateExpression": "ADD taken :one",
                        "ConditionExpression": "taken < :lots",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":lots": {"N": "100000"}},
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": visit}, "sk": {"S": f"SIGNUP#{n}"}, "status": {"S": "confirmed"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": outbox,
                        "Item": {
                            "event_id": {"S": f"floor-{uuid.uuid4().hex}"},
                            "source": {"S": "bench.floor"},
                            "detail_type": {"S": "FloorWritten"},
                            "detail": {"S": "{}"},
                        },
                    }
                },
            ]
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(SIGNUPS)))
    return time.perf_counter() - started


def check(responses: list[tuple[int, Any]]) -> tuple[int, bool]:
    statuses = Counter(status for status, _ in responses)
    if statuses != {201: SIGNUPS}:
        raise RuntimeError(f"not every sign-up was answered 201: {statuses}")
    results = [body for _, body in responses]
    confirmed = sum(1 for r in results if r["status"] == "confirmed")
    positions = sorted(r["position"] for r in results if r["status"] == "waitlisted")
    return confirmed, positions == list(range(1, SIGNUPS - PLACES + 1))


def run(runtime: Any, rounds: int = 3, clients: int = 32, profile: bool = False) -> list[Round]:
    staff = {"Authorization": f"Bearer {runtime.issue_session(runtime.staff_emails.split(',')[0], staff=True)}"}
    results = []
    for _ in range(rounds):
        runtime.wait_until_idle(120)
        with LockTimer(runtime) as timer:
            rate, responses = rush(runtime, clients, staff)
        confirmed, positions_ok = check(responses)
        runtime.wait_until_idle(120)  # the 200 emails go out before the floor is measured
        floor_rate = floor(runtime, clients)
        results.append(Round(rate, floor_rate, confirmed, positions_ok, timer.waited, timer.held))
    if profile:
        _profile(runtime, clients, staff)
    return results


def _profile(runtime: Any, clients: int, staff: dict[str, str]) -> None:
    """One more rush under cProfile (all threads): where a sign-up's time goes."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    threading.setprofile(lambda *_: None)
    profiler.enable()
    rush(runtime, clients, staff)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def render(rounds: list[Round], clients: int) -> str:
    lines = [
        f"{SIGNUPS} sign-ups for {PLACES} places from {clients} concurrent clients; then, against the same moto "
        f"server, {SIGNUPS} bare `TransactWriteItems` of a sign-up's shape from {clients} threads (the floor).",
        "",
        "| round | sign-ups/s | floor tx/s | ratio | confirmed | positions 1..190 "
        "| moto lock wait p50 / p95 ms | held p50 / p95 ms |",
        "|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for n, r in enumerate(rounds, 1):
        wait, held = sorted(r.lock_wait_ms) or [0.0], sorted(r.lock_held_ms) or [0.0]
        lines.append(
            f"| {n} | {r.signups_per_second:.0f} | {r.floor_per_second:.0f} | "
            f"{r.signups_per_second / r.floor_per_second:.2f} | {r.confirmed} | {'yes' if r.positions_ok else 'NO'} | "
            f"{statistics.median(wait):.1f} / {wait[int(0.95 * (len(wait) - 1))]:.1f} | "
            f"{statistics.median(held):.1f} / {held[int(0.95 * (len(held) - 1))]:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    import tempfile

    from bench.run import quiet_runtime

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)) as runtime:
        print(render(run(runtime, args.rounds, args.clients, args.profile), args.clients))


if __name__ == "__main__":
    main()
