"""Open Space agenda building (issue 10): time, and attendee clashes against first come.

The event: 60 conversations, 5 time slots, 12 spaces (9 rooms of 15 to 80 seats and 3 online
breakout rooms of 25), 400 attendees. Interest marks are drawn from a fixed seed per event:
each attendee marks 3 to 8 conversations, chosen with a popularity that follows themes (each
conversation has one of 8 themes; each attendee cares about 2 themes and picks from them 3
times as often) and a long tail (a few conversations draw a crowd). Conversations are proposed
by 52 different hosts (8 host two conversations) and a third have a confirmed co-host.

Timed: ``build_agenda`` (the whole call: the problem's indexing, the first-come baseline it
compares with, the placement search, the local search, the explanations), in this process,
one thread, as one Lambda invocation would run it; median of ``--runs`` calls per event, after
one discarded warm-up. *Clashes*: for each attendee, each pair of conversations they marked
(or host) that share a slot. *First come*: the conversations in the order proposed, each in the
earliest slot where its hosts are free and a space is left, the smallest free space that fits.

    .venv/bin/python bench/agenda.py [--runs 7] [--events 5] [--write]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from functions.openspace.agenda import Conversation, Slot, Space, build_agenda, first_come  # noqa: E402

START = "<!-- agenda:start (written by bench/agenda.py and bench/run.py) -->"
END = "<!-- agenda:end -->"

CONVERSATIONS, SLOTS, SPACES, ATTENDEES, THEMES = 60, 5, 12, 400, 8


def event(seed: int) -> tuple[list[Conversation], list[Slot], list[Space]]:
    rng = random.Random(seed)
    slots = [Slot(f"slot-{i}", f"{10 + i}:00") for i in range(SLOTS)]
    rooms = [80, 60, 50, 40, 30, 30, 25, 20, 15]
    spaces = [Space(f"room-{i}", f"Room {i + 1}", cap) for i, cap in enumerate(rooms)]
    spaces += [Space(f"online-{i}", f"Breakout {i + 1}", 25, online=True) for i in range(SPACES - len(rooms))]
    people = [f"attendee-{i:03d}" for i in range(ATTENDEES)]
    hosts = people[:52]
    host_of = hosts + rng.sample(hosts, CONVERSATIONS - len(hosts))
    rng.shuffle(host_of)
    theme = [rng.randrange(THEMES) for _ in range(CONVERSATIONS)]
    appeal = [rng.paretovariate(1.5) for _ in range(CONVERSATIONS)]
    marks: list[set[str]] = [set() for _ in range(CONVERSATIONS)]
    for person in people:
        liked = set(rng.sample(range(THEMES), 2))
        weights = [appeal[c] * (3 if theme[c] in liked else 1) for c in range(CONVERSATIONS)]
        chosen: set[int] = set()
        want = rng.randint(3, 8)
        while len(chosen) < want:
            chosen.add(rng.choices(range(CONVERSATIONS), weights=weights)[0])
        for c in chosen:
            marks[c].add(person)
    conversations = []
    for c in range(CONVERSATIONS):
        co_host = {rng.choice(people)} if rng.random() < 1 / 3 else set()
        conversations.append(
            Conversation(
                id=f"conv-{c:02d}",
                title=f"Conversation {c + 1}",
                hosts=frozenset({host_of[c], *co_host}),
                interested=frozenset(marks[c]),
                proposed=f"2026-10-12T09:{c:02d}:00Z",
            )
        )
    return conversations, slots, spaces


@dataclass
class Point:
    seed: int
    marks: int
    median_ms: float
    max_ms: float
    cpu_ms: float
    clashes: int
    first_come_clashes: int
    seats_short: int
    first_come_seats_short: int
    unplaced: int
    first_come_unplaced: int


def run(runs: int = 7, events: int = 5) -> list[Point]:
    points = []
    for seed in range(1, events + 1):
        conversations, slots, spaces = event(seed)
        agenda = build_agenda(conversations, slots, spaces)  # warm-up, and the result
        times, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            again = build_agenda(conversations, slots, spaces)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert again == agenda, "the same input must give the same agenda"
        baseline = first_come(conversations, slots, spaces)
        assert baseline.attendee_clashes == agenda.first_come_clashes
        points.append(
            Point(
                seed=seed,
                marks=sum(len(c.interested) for c in conversations),
                median_ms=statistics.median(times),
                max_ms=max(times),
                cpu_ms=statistics.median(cpu),
                clashes=agenda.attendee_clashes,
                first_come_clashes=baseline.attendee_clashes,
                seats_short=agenda.seats_short,
                first_come_seats_short=baseline.seats_short,
                unplaced=len(agenda.unplaced),
                first_come_unplaced=len(baseline.unplaced),
            )
        )
    return points


def render(points: list[Point], runs: int) -> str:
    lines = [
        f"{CONVERSATIONS} conversations, {SLOTS} slots, {SPACES} spaces, {ATTENDEES} attendees; one event per seed. "
        f"Time: median (max) wall time of {runs} calls of `build_agenda` in one thread, and the median CPU "
        "time of this process per call (steadier when the machine is shared). Ratio: first-come clashes / "
        "builder's clashes.",
        "",
        "| seed | interest marks | wall ms | CPU ms | attendee clashes: builder | first come | ratio "
        "| seats short: builder | first come | unplaced: builder / first come |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in points:
        ratio = p.first_come_clashes / p.clashes if p.clashes else float("inf")
        lines.append(
            f"| {p.seed} | {p.marks} | {p.median_ms:.0f} ({p.max_ms:.0f}) | {p.cpu_ms:.0f} "
            f"| {p.clashes} | {p.first_come_clashes} | {ratio:.2f}x | {p.seats_short} | {p.first_come_seats_short} "
            f"| {p.unplaced} / {p.first_come_unplaced} |"
        )
    total, fc = sum(p.clashes for p in points), sum(p.first_come_clashes for p in points)
    slowest = max(p.median_ms for p in points)
    slowest_cpu = max(p.cpu_ms for p in points)
    lines += [
        "",
        f"Over the {len(points)} events: {total} attendee clashes against {fc} for first come "
        f"({fc / max(total, 1):.2f}x fewer); slowest median {slowest:.0f} ms wall, {slowest_cpu:.0f} ms CPU.",
        "",
    ]
    return "\n".join(lines)


def write(section: str) -> None:
    from bench.run import write_results

    write_results(section, START, END, "Results: Open Space agenda building (issue 10)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--events", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="rewrite the agenda results in bench/README.md")
    args = parser.parse_args()
    from datetime import UTC, datetime

    from bench.run import machine, revision

    started = datetime.now(UTC)
    points = run(args.runs, args.events)
    section = (
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `bench/agenda.py` on code {revision()}. "
        f"Machine: {machine()}\n\n{render(points, args.runs)}"
    )
    print(section)
    if args.write:
        write(section)


if __name__ == "__main__":
    main()
