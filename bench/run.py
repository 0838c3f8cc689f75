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
import time
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


def pause_delivery(runtime: Any) -> None:
    """Stop the outbox pump and queue pollers: they poll moto every 50-250 ms, which would
    compete for the CPU with the cold starts being timed. (``stop()`` still joins them.)"""
    assert runtime.wait_until_idle(20), "events still in flight"
    if runtime.pump:
        runtime.pump.stopping.set()
    for poller in runtime.pollers:
        poller.stopping.set()
        poller.wake.set()
    time.sleep(0.5)


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


def write_results(section: str) -> None:
    text = README.read_text() if README.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text = text.rstrip() + f"\n\n## Results\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{section.strip()}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the benches and rewrite bench/README.md's results.")
    parser.add_argument("--runs", type=int, default=15, help="cold starts per variant")
    parser.add_argument("--importtime", type=int, default=5, help="-X importtime runs per handler")
    parser.add_argument("--no-write", action="store_true", help="print the results, leave README.md alone")
    parser.add_argument("--revision", help="what code was measured (default: git describe --always --dirty)")
    args = parser.parse_args()

    from bench import calls, coldstart

    started = datetime.now(UTC)
    about = machine()
    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)) as runtime:
        print("counting AWS calls ...", flush=True)
        rows = calls.run(runtime)
        pause_delivery(runtime)
        print(f"cold starts: {args.runs} runs per variant ...", flush=True)
        cold = coldstart.run(args.runs, args.importtime)
    took = (datetime.now(UTC) - started).total_seconds()
    section = "\n".join(
        [
            f"Measured {started:%Y-%m-%d %H:%M} UTC by `make bench` ({took:.0f} s) on code "
            f"{args.revision or revision()}. Machine: {about}",
            "",
            "### Cold start (issue 2)",
            "",
            coldstart.render(cold),
            "### AWS calls per operation",
            "",
            calls.render(rows),
        ]
    )
    print(section)
    if not args.no_write:
        write_results(section)
        print(f"wrote {README.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
