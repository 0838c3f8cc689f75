"""`convene dev` as people live with it (issue 9), measured on the real command in a child
process, as a developer runs it:

- idle CPU: after start-up settles, the CPU time the process uses over a window with no
  request, as a share of one core (from /proc/<pid>/stat);
- stop: SIGTERM with 32 clients keeping requests in flight (SIG proposals), until the process
  has exited (``Popen.wait``), several times;
- start-up: until ``GET /api/sigs`` answers, with an empty state (``--fresh``) and with a state
  of 10,000 extra table items restored.

    .venv/bin/python bench/dev.py [--idle 60] [--stops 5] [--items 10000]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLIENTS = 32


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Dev:
    def __init__(self, state: Path, *args: str) -> None:
        import requests

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "CONVENE_STATE_DIR": str(state)}
        for leaked in ("AWS_ENDPOINT_URL", "CONVENE_SIGNING_KEYS", "SITE_URL"):
            env.pop(leaked, None)
        self.log = (state / f"console-{self.port}.log").open("w")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.cli", "dev", "--port", str(self.port), *args],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"convene dev exited; see {self.log.name}")
            try:
                if requests.get(self.url + "/api/sigs", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.05)
        self.start_seconds = time.perf_counter() - started

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> float:
        started = time.perf_counter()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()
        return time.perf_counter() - started


@dataclass
class Results:
    idle_seconds: float = 0.0
    idle_share: float = 0.0
    stops: list[float] = field(default_factory=list)
    stop_requests: list[int] = field(default_factory=list)
    start_empty: float = 0.0
    start_restored: float = 0.0
    restored_items: int = 0


def idle(state: Path, seconds: float) -> float:
    dev = Dev(state, "--fresh")
    time.sleep(10)  # the first save and the demo's events settle
    before, began = dev.cpu_seconds(), time.perf_counter()
    time.sleep(seconds)
    share = (dev.cpu_seconds() - before) / (time.perf_counter() - began)
    dev.stop()
    return share


def stop_under_load(state: Path) -> tuple[float, int]:
    import requests

    dev = Dev(state, "--fresh", "--no-demo")
    token = requests.post(dev.url + "/_local/token", json={"email": "busy@example.org"}, timeout=30).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    done = threading.Event()
    answered = [0]

    def busy() -> None:
        with requests.Session() as http:
            while not done.is_set():
                body = {"name": f"Busy {uuid.uuid4().hex[:10]} SIG", "purpose": "Keeping the runtime busy."}
                try:
                    http.post(dev.url + "/api/sigs", json=body, headers=headers, timeout=60)
                    answered[0] += 1
                except requests.RequestException:
                    return

    workers = [threading.Thread(target=busy) for _ in range(CLIENTS)]
    for worker in workers:
        worker.start()
    while answered[0] < 2 * CLIENTS:
        time.sleep(0.02)
    took = dev.stop()
    done.set()
    for worker in workers:
        worker.join()
    return took, answered[0]


def startup(state: Path, items: int) -> tuple[float, float]:
    """(empty, restored with ``items`` more items)."""
    import boto3

    dev = Dev(state, "--fresh", "--no-demo")
    empty = dev.start_seconds
    # The items go in through the runtime's own moto (its URL is in /_local/status).
    ddb = boto3.client(
        "dynamodb",
        endpoint_url=_moto_url(dev),
        region_name="eu-west-2",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    for start in range(0, items, 25):
        ddb.batch_write_item(
            RequestItems={
                "convene-local-main": [
                    {
                        "PutRequest": {
                            "Item": {
                                "pk": {"S": f"BENCH#{n}"},
                                "sk": {"S": "ITEM"},
                                "text": {"S": "x" * 200},
                                "n": {"N": str(n)},
                            }
                        }
                    }
                    for n in range(start, min(items, start + 25))
                ]
            }
        )
    time.sleep(2)  # saved within a second
    dev.stop()
    restored = Dev(state, "--no-demo")
    took = restored.start_seconds
    restored.stop()
    return empty, took


def _moto_url(dev: Dev) -> str:
    import requests

    status = requests.get(dev.url + "/_local/status", timeout=30).json()
    return str(status["moto_url"])


def run(idle_seconds: float, stops: int, items: int) -> Results:
    results = Results(idle_seconds=idle_seconds, restored_items=items)
    with tempfile.TemporaryDirectory() as directory:
        state = Path(directory)
        print(f"idle CPU over {idle_seconds:.0f} s ...", flush=True)
        results.idle_share = idle(state, idle_seconds)
        for n in range(stops):
            print(f"stop under load {n + 1}/{stops} ...", flush=True)
            took, answered = stop_under_load(state)
            results.stops.append(took)
            results.stop_requests.append(answered)
        print(f"start-up, empty and with {items} items ...", flush=True)
        results.start_empty, results.start_restored = startup(state, items)
    return results


def render(r: Results) -> str:
    return (
        "\n".join(
            [
                "| measure | result | target |",
                "|---|---:|---:|",
                f"| idle CPU over {r.idle_seconds:.0f} s (share of one core) | {r.idle_share * 100:.1f}% | under 2% |",
                f"| stop after SIGTERM, {CLIENTS} clients with requests in flight (max of {len(r.stops)}) | "
                f"{max(r.stops):.2f} s (each: {', '.join(f'{s:.2f}' for s in r.stops)}) | under 2 s |",
                f"| start-up, empty state | {r.start_empty:.1f} s | |",
                f"| start-up, {r.restored_items:,} items restored | {r.start_restored:.1f} s | under 5 s |",
            ]
        )
        + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=float, default=60)
    parser.add_argument("--stops", type=int, default=5)
    parser.add_argument("--items", type=int, default=10000)
    args = parser.parse_args()
    print(render(run(args.idle, args.stops, args.items)))


if __name__ == "__main__":
    main()
