"""``make bench``: run every bench against one local runtime and rewrite the results section
of bench/README.md (between the ``results`` markers; the prose around it is kept).

    .venv/bin/python bench/run.py [--runs 15] [--importtime 5] [--no-write]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

README = ROOT / "bench" / "README.md"
START = "<!-- results:start (written by bench/run.py) -->"
END = "<!-- results:end -->"
ISSUE6_START = "<!-- issue6:start (written by bench/run.py) -->"
ISSUE6_END = "<!-- issue6:end -->"


@contextmanager
def quiet_runtime(state_dir: Path) -> Iterator[Any]:
    """One local runtime (moto server, tables, demo content, delivery) for the whole bench;
    its environment (endpoint, table names, signing keys ...) is left in ``os.environ``."""
    from infra.local.runtime import LocalRuntime

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    runtime = LocalRuntime(port=0, demo=True, run_schedules=False, state_dir=state_dir)
    runtime.start()
    try:
        yield runtime
    finally:
        runtime.stop()


def machine() -> str:
    import boto3
    import botocore

    try:
        from importlib.metadata import version

        powertools = version("aws-lambda-powertools")
        moto = version("moto")
        pydantic = version("pydantic")
    except Exception:  # pragma: no cover - metadata missing
        powertools = moto = pydantic = "?"
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{os.cpu_count()} CPUs (`nproc`), {model}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; boto3 {boto3.__version__}, botocore {botocore.__version__}, "
        f"aws-lambda-powertools {powertools}, pydantic {pydantic}, moto {moto}. Load average at start: {load}."
    )


def revision() -> str:
    import subprocess

    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"`{done.stdout.strip()}`"


def write_results(section: str, start: str = START, end: str = END, heading: str = "Results") -> None:
    text = README.read_text() if README.exists() else f"# Benchmarks\n\n{start}\n{end}\n"
    if start not in text or end not in text:
        text = text.rstrip() + f"\n\n## {heading}\n\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    README.write_text(f"{head}{start}\n{section.strip()}\n{end}{tail}")


def issue6(runtime: Any, args: argparse.Namespace) -> str:
    """Latency, newsletter throughput and monthly cost (issue 6), as one Markdown section."""
    from bench import cost, latency, newsletter_send

    print(f"latency: {args.latency_runs} SIG proposals ...", flush=True)
    lat = latency.run(runtime, args.latency_runs)
    print("cost: counting calls per operation ...", flush=True)
    ops = cost.measure_operations(runtime)
    sizes = [int(s) for s in args.newsletter_sizes.split(",")]
    points = newsletter_send.run(runtime, sizes, args.newsletter_budget)
    return "\n".join(
        [
            "### End-to-end latency: SIG proposal to staff review email",
            "",
            latency.render(lat),
            "### Newsletter send throughput",
            "",
            newsletter_send.render(points),
            "### Monthly AWS cost, 5,000 members",
            "",
            cost.render(ops, points[0] if points else None, len(runtime.resources.queues)),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the benches and rewrite bench/README.md's results.")
    parser.add_argument("--runs", type=int, default=15, help="cold starts per variant")
    parser.add_argument("--importtime", type=int, default=5, help="-X importtime runs per handler")
    parser.add_argument("--no-write", action="store_true", help="print the results, leave README.md alone")
    parser.add_argument("--revision", help="what code was measured (default: git describe --always --dirty)")
    parser.add_argument("--only-issue6", action="store_true", help="only latency, newsletter send and cost")
    parser.add_argument("--latency-runs", type=int, default=200)
    parser.add_argument("--newsletter-sizes", default="1000,10000")
    parser.add_argument("--newsletter-budget", type=float, default=420, help="seconds per newsletter point")
    args = parser.parse_args()
    # Read once, before any results are written: writing them dirties the tree.
    code = args.revision or revision()

    from bench import agenda, calls, coldstart, newsletter_send

    newsletter_send.prepare_environment()  # NEWSLETTER_SEND_RATE, before the runtime starts
    if args.only_issue6:
        started = datetime.now(UTC)
        about = machine()
        with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)) as runtime:
            body = issue6(runtime, args)
        took = (datetime.now(UTC) - started).total_seconds()
        section = (
            f"Measured {started:%Y-%m-%d %H:%M} UTC by `bench/run.py --only-issue6` ({took:.0f} s) on code "
            f"{code}. Machine: {about}\n\n{body}"
        )
        print(section)
        if not args.no_write:
            write_results(section, ISSUE6_START, ISSUE6_END, "Results: latency, newsletter throughput, cost (issue 6)")
            print(f"wrote {README.relative_to(ROOT)}")
        return

    started = datetime.now(UTC)
    about = machine()
    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)) as runtime:
        print("counting AWS calls ...", flush=True)
        rows = calls.run(runtime)
        body = issue6(runtime, args)
        # The pump and pollers poll moto every 50-250 ms: they would compete for the CPU with
        # the cold starts being timed.
        with runtime.delivery_paused():
            print(f"cold starts: {args.runs} runs per variant ...", flush=True)
            cold = coldstart.run(args.runs, args.importtime)
    took = (datetime.now(UTC) - started).total_seconds()
    section = "\n".join(
        [
            f"Measured {started:%Y-%m-%d %H:%M} UTC by `make bench` ({took:.0f} s) on code {code}. Machine: {about}",
            "",
            "### Cold start (issue 2)",
            "",
            coldstart.render(cold),
            "### AWS calls per operation",
            "",
            calls.render(rows),
        ]
    )
    print("agenda building (issue 10) ...", flush=True)
    agenda_points = agenda.run()
    agenda_section = f"Measured by `make bench` on code {code}.\n\n{agenda.render(agenda_points, 7)}"
    print(section)
    print(agenda_section)
    if not args.no_write:
        write_results(section)
        agenda.write(agenda_section)
        head = f"Measured {started:%Y-%m-%d %H:%M} UTC by `make bench` on code {code}."
        write_results(f"{head}\n\n{body}", ISSUE6_START, ISSUE6_END, "Results: latency, newsletter, cost (issue 6)")
        print(f"wrote {README.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
