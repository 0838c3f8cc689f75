"""End-to-end latency (issue 6): from a form POST to the resulting email, on the local runtime.

The action: a signed-in member proposes a SIG with ``POST /api/sigs`` (JSON API, bearer session
token from ``runtime.issue_session``, made before the clock starts; a fresh member per run).
The clock runs from just before the POST until the staff review email for that SIG ("New SIG
proposal to review: <name>") is in moto's SES backend, the store behind ``/_local/mail.json``.
The backend is read in-process under ``runtime.moto.lock`` every 10 ms, looking only at
messages newer than those present before the POST: polling the JSON viewer instead would
parse and serialise every stored email on each look and dominate the figure.

The path measured: API Gateway -> sigs function (transaction with the outbox record) ->
outbox pump (DynamoDB Streams + Pipes on AWS) -> EventBridge -> SQS -> sig-notifications
consumer -> SES. Locally the outbox pump and queue pollers poll (50-250 ms), which is most
of the figure; on AWS the stream, Pipes and the SQS event source mapping have their own delays.

    .venv/bin/python bench/latency.py [--runs 200] [--budget 150]
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

POLL_SECONDS = 0.01


@dataclass
class Latency:
    runs_asked: int
    response_ms: list[float] = field(default_factory=list)
    email_ms: list[float] = field(default_factory=list)
    timeouts: int = 0
    note: str = ""


def _sent(runtime: Any) -> list[Any]:
    from moto.ses.models import ses_backends

    from infra.local.moto_server import ACCOUNT_ID, REGION

    with runtime.moto.lock:
        return list(ses_backends[ACCOUNT_ID][REGION].sent_messages)


def _is_review(message: Any, subject: str) -> bool:
    raw = getattr(message, "raw_data", None) or ""
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    return subject in text


def run(runtime: Any, runs: int = 200, budget: float = 150, per_run_timeout: float = 10) -> Latency:
    import requests

    http = requests.Session()
    result = Latency(runs)
    began = time.perf_counter()
    runtime.wait_until_idle(30)
    for n in range(runs):
        if time.perf_counter() - began > budget:
            result.note = f"stopped after {n} runs: the {budget:.0f} s budget was spent"
            break
        tag = uuid.uuid4().hex[:8]
        name = f"Latency {tag}"
        subject = f"New SIG proposal to review: {name}"
        headers = {"Authorization": f"Bearer {runtime.issue_session(f'bench.latency.{tag}@example.org')}"}
        body = {"name": name, "purpose": "Measuring how long an email takes.", "themes": ["bench"]}
        before = len(_sent(runtime))
        start = time.perf_counter()
        response = http.post(runtime.url + "/api/sigs", json=body, headers=headers, timeout=30)
        responded = time.perf_counter()
        if response.status_code != 201:
            raise RuntimeError(f"POST /api/sigs: {response.status_code} {response.text[:200]}")
        found = False
        while time.perf_counter() - start < per_run_timeout:
            if any(_is_review(m, subject) for m in _sent(runtime)[before:]):
                found = True
                break
            time.sleep(POLL_SECONDS)
        arrived = time.perf_counter()
        if not found:
            result.timeouts += 1
            continue
        result.response_ms.append((responded - start) * 1000)
        result.email_ms.append((arrived - start) * 1000)
    return result


def _stats(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered), p95, ordered[-1]


def render(result: Latency) -> str:
    done = len(result.email_ms)
    if not done:
        return f"No run completed ({result.timeouts} timed out). {result.note}\n"
    lines = [
        f"{done} runs of {result.runs_asked} asked ({result.timeouts} timed out after 10 s)"
        f"{'; ' if result.note else ''}{result.note}. A signed-in member (bearer session token, JSON API) "
        "proposes a SIG; moto's SES "
        f"backend read in-process every {POLL_SECONDS * 1000:.0f} ms. p95 = the value at rank ceil(0.95 n).",
        "",
        "| from just before `POST /api/sigs` until ... | median ms | p95 ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for label, values in (
        ("the 201 response", result.response_ms),
        ("the staff review email is in the local mail store", result.email_ms),
    ):
        median, p95, top = _stats(values)
        lines.append(f"| {label} | {median:.0f} | {p95:.0f} | {top:.0f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    import argparse
    import tempfile

    from bench.run import quiet_runtime

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--budget", type=float, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)) as runtime:
        print(render(run(runtime, args.runs, args.budget)))


if __name__ == "__main__":
    main()
