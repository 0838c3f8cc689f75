"""Cold start of each declared API function against a floor, side by side (issue 2).

For every function with an API trigger, a fresh interpreter imports the function's handler
module and serves one representative request (built by the local API Gateway,
``infra.local.gateway.to_event``) against the local moto server. The floor is a fresh
interpreter that only creates a boto3 DynamoDB client and makes one call on the main table:
the same Query ``GET /api/sigs`` makes. Variants run interleaved, in a shuffled order each
round, so drifts in machine load hit them all alike.

Measured: wall time from ``Popen`` until the child's response line arrives on its stdout
(interpreter start + imports + first request; teardown excluded); the child's CPU time
(user + system, interpreter start included) at that moment, which shared, noisy machines
disturb far less than wall time; and, inside the child, the import and first-request times.
An import ladder (fresh interpreters importing one more layer of the sigs handler's stack
each) prices each layer in CPU time, and ``python -X importtime`` runs of the handler
children attribute the import cost to packages and to the project imports that pull them in.

    .venv/bin/python bench/coldstart.py [--runs 15]
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHILD = str(ROOT / "bench" / "child.py")
PROJECT_PACKAGES = ("functions", "schemas")
TARGET_RATIO = 1.5

#: A representative GET per API function (a route of its OpenAPI document, or its page).
#: The status each answers; ``None`` accepts any answer below 500 (shown in the table).
REQUESTS: dict[str, tuple[str, int | None]] = {
    "sigs": ("/api/sigs", 200),
    "auth": ("/api/auth/me", 401),  # no session: answered without any AWS call
    "site": ("/", 200),
    "account": ("/api/account/data", None),  # no session
    "funding": ("/api/rounds", None),
    "visits": ("/api/visits", None),
    "events": ("/api/events", None),
    "newsletter": ("/api/newsletter/issues", None),
    # An unknown event: the route, its validation and one GetItem, answered 404.
    "openspace": ("/api/open-space/event_unknown", 404),
    # The demo's Bristol event: a page's comments (one Query) and its published takeaways.
    "comments": ("/api/comments?target=taken-forward:event_demobristolheld", 200),
    "followups": ("/api/followups/events/event_demobristolheld/takeaways", 200),
}
#: Further requests worth knowing: an HTML page pays for Jinja on top of the API path.
EXTRA_REQUESTS: tuple[tuple[str, str, int | None], ...] = (("sigs", "/sigs", 200),)

#: The sigs handler's stack, one layer more per rung (each rung also imports the ones above).
LADDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("boto3 + DynamoDB client (the floor without its call)", ()),
    ("+ pydantic BaseModel", ("pydantic.main",)),
    ("+ Powertools event_handler (`APIGatewayRestResolver`)", ("aws_lambda_powertools.event_handler",)),
    (
        "+ its OpenAPI validation (`openapi.params`, `openapi_validation`)",
        (
            "aws_lambda_powertools.event_handler.openapi.params",
            "aws_lambda_powertools.event_handler.middlewares.openapi_validation",
        ),
    ),
    ("+ `functions.common.http`, `functions.common.store`", ("functions.common.http", "functions.common.store")),
    ("+ `functions.sigs.handler` (= the sigs handler's imports)", ("functions.sigs.handler",)),
)


@dataclass
class Variant:
    name: str
    kind: str  # bare | floor | handler | ladder
    argv: list[str]
    expect: int | None
    function: str = ""
    path: str = ""
    handler: str = ""


@dataclass
class Sample:
    wall_ms: float
    cpu_ms: float
    status: int
    main_ms: float
    import_ms: float
    request_ms: float


@dataclass
class ImportNode:
    name: str
    self_us: int
    cumulative_us: int
    children: list[ImportNode] = field(default_factory=list)


@dataclass
class Breakdown:
    """Import cost of one handler child, medians over the importtime runs (ms)."""

    handler: str
    handler_import_ms: float
    #: project module -> third-party module it imports first, the cumulative cost, and the
    #: part of it spent in modules the floor does not import (what makes the difference)
    edges: list[tuple[str, str, float, float]]
    #: third-party imports made while serving the first request (lazy imports)
    during_request: list[tuple[str, float]]
    #: self time of modules the floor does not import, by top-level package
    excess_by_package: list[tuple[str, float]]
    excess_total_ms: float
    #: project modules whose own body is slow (pydantic models, regexes ...)
    project_self: list[tuple[str, float]]


@dataclass
class Result:
    runs: int
    samples: dict[str, list[Sample]]
    variants: list[Variant]
    breakdowns: list[Breakdown]
    floor: str


# -- what to run --------------------------------------------------------------------------------
def api_functions() -> list[Any]:
    from schemas.declaration import FUNCTIONS, ApiTrigger

    return [f for f in FUNCTIONS if f.of_type(ApiTrigger)]


def request_for(function: Any) -> tuple[str, int | None]:
    if function.name in REQUESTS:
        return REQUESTS[function.name]
    from schemas.declaration import ApiTrigger

    prefixes = [p for t in function.of_type(ApiTrigger) for p in t.prefixes]
    api = [p for p in prefixes if p.startswith("/api")]
    return (api or prefixes)[0], None


def event_for(path: str, function: str) -> dict[str, Any]:
    """The proxy event the local API Gateway would pass for ``GET path``."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from infra.local import gateway

    request = Request(EnvironBuilder(path=path, method="GET", headers={"Accept": "*/*"}).get_environ())
    found = gateway.match(gateway.route_table(), request.path)
    if found is None or found[0] != function:
        raise ValueError(f"GET {path} is not served by {function}: {found}")
    _, resource, proxy = found
    return gateway.to_event(request, resource, proxy)


def floor_spec(call: str) -> dict[str, Any]:
    table = os.environ["MAIN_TABLE"]
    if call == "query":  # exactly what GET /api/sigs asks DynamoDB
        return {
            "call": "query",
            "params": {
                "TableName": table,
                "IndexName": "gsi1",
                "KeyConditionExpression": "#pk = :pk",
                "ExpressionAttributeNames": {"#pk": "gsi1pk"},
                "ExpressionAttributeValues": {":pk": {"S": "SIGS#approved"}},
            },
        }
    return {
        "call": "get",
        "params": {
            "TableName": table,
            "Key": {"pk": {"S": "SIG#sig_demo1"}, "sk": {"S": "SIG"}},
            "ConsistentRead": True,
        },
    }


def variants() -> list[Variant]:
    found = [
        Variant("bare interpreter", "bare", [CHILD, "bare"], 0),
        Variant("floor: boto3 client + Query", "floor", [CHILD, "floor", json.dumps(floor_spec("query"))], 200),
        Variant("floor: boto3 client + GetItem", "floor", [CHILD, "floor", json.dumps(floor_spec("get"))], 200),
    ]
    requests = [(f, *request_for(f)) for f in api_functions()]
    by_name = {f.name: f for f in api_functions()}
    requests += [(by_name[name], path, status) for name, path, status in EXTRA_REQUESTS if name in by_name]
    modules: list[str] = []
    for rung, (name, more) in enumerate(LADDER, 1):
        modules += more
        spec = json.dumps({"client": True, "modules": modules})
        found.append(Variant(f"ladder {rung}: {name}", "ladder", [CHILD, "imports", spec], 0))
    for function, path, status in requests:
        spec = {"handler": function.handler, "event": event_for(path, function.name)}
        found.append(
            Variant(
                f"{function.name}: GET {path}",
                "handler",
                [CHILD, "handler", json.dumps(spec)],
                status,
                function=function.name,
                path=path,
                handler=function.handler,
            )
        )
    return found


# -- running ------------------------------------------------------------------------------------
def child_environment(root: Path = ROOT) -> dict[str, str]:
    """The runtime's environment (endpoint, tables, keys ...). Children run with ``-S`` and
    find the code and its dependencies on PYTHONPATH, as on Lambda (``/var/task``, the
    layer): without ``site``, the editable install's ``.pth`` finder (about 20 ms of pathlib
    and friends at every start) does not inflate every variant."""
    import sysconfig

    env = dict(os.environ)
    paths = dict.fromkeys([str(root), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


#: Interpreter flags of every child: no ``site`` (see ``child_environment``).
PYTHON = [sys.executable, "-S"]


def run_once(variant: Variant, env: dict[str, str]) -> Sample:
    with tempfile.TemporaryFile("w+") as stderr:  # a file: a chatty child cannot block on a full pipe
        started = time.perf_counter()
        process = subprocess.Popen([*PYTHON, *variant.argv], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr)
        assert process.stdout is not None
        line = process.stdout.readline().decode()
        wall = (time.perf_counter() - started) * 1000
        process.communicate(timeout=60)
        stderr.seek(0)
        errors = stderr.read()
    if not line:
        raise RuntimeError(f"{variant.name} failed:\n{errors}")
    result = json.loads(line)
    status = result["status"]
    if status != variant.expect and (variant.expect is not None or status >= 500):
        raise RuntimeError(f"{variant.name} answered {result['status']}, expected {variant.expect}:\n{errors}")
    return Sample(
        wall, result["cpu_ms"], status, result["main_ms"], result.get("import_ms", 0.0), result.get("request_ms", 0.0)
    )


def measure(found: list[Variant], env: dict[str, str], runs: int, seed: int = 2) -> dict[str, list[Sample]]:
    samples: dict[str, list[Sample]] = defaultdict(list)
    for variant in found:  # warm-up: bytecode caches written, files in the page cache
        run_once(variant, env)
    order = list(found)
    shuffle = random.Random(seed)
    for _ in range(runs):
        shuffle.shuffle(order)
        for variant in order:
            samples[variant.name].append(run_once(variant, env))
    return dict(samples)


# -- import breakdown ---------------------------------------------------------------------------
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


def parse_importtime(stderr: str) -> list[ImportNode]:
    """The import tree, top-level nodes in import order (children are printed before their
    parent, indented two spaces per level)."""
    pending: dict[int, list[ImportNode]] = defaultdict(list)
    for line in stderr.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        self_us, cumulative_us, indent, name = match.groups()
        depth = (len(indent) - 1) // 2
        node = ImportNode(name, int(self_us), int(cumulative_us), pending.pop(depth + 1, []))
        pending[depth].append(node)
    return pending.get(0, [])


def _walk(nodes: list[ImportNode], parent: str = "") -> Any:
    for node in nodes:
        yield parent, node
        yield from _walk(node.children, node.name)


def _excess(node: ImportNode, known: set[str]) -> float:
    """Self time (ms) of the modules under ``node`` (itself included) not in ``known``."""
    return sum(n.self_us for _, n in _walk([node]) if n.name not in known) / 1000


def _is_project(module: str) -> bool:
    return module.split(".", maxsplit=1)[0] in PROJECT_PACKAGES


def importtime_runs(argv: list[str], env: dict[str, str], runs: int) -> list[list[ImportNode]]:
    trees = []
    for _ in range(runs):
        done = subprocess.run(
            [*PYTHON, "-X", "importtime", *argv], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
        trees.append(parse_importtime(done.stderr))
    return trees


def breakdown(variant: Variant, floor_modules: set[str], env: dict[str, str], runs: int = 5) -> Breakdown:
    module = variant.handler.split(":")[0]
    handler_ms: list[float] = []
    edges: dict[tuple[str, str], list[float]] = defaultdict(list)
    edges_excess: dict[tuple[str, str], list[float]] = defaultdict(list)
    lazy: dict[str, list[float]] = defaultdict(list)
    excess: dict[str, list[float]] = defaultdict(list)
    excess_total: list[float] = []
    project_self: dict[str, list[float]] = defaultdict(list)
    for tree in importtime_runs(variant.argv, env, runs):
        names = [n.name for n in tree]
        position = names.index(module)
        handler_ms.append(tree[position].cumulative_us / 1000)
        for node in tree[position + 1 :]:
            lazy[node.name].append(node.cumulative_us / 1000)
        per_package: dict[str, float] = defaultdict(float)
        for parent, node in _walk(tree[position:]):
            if parent and _is_project(parent) and not _is_project(node.name):
                edges[(parent, node.name)].append(node.cumulative_us / 1000)
                edges_excess[(parent, node.name)].append(_excess(node, floor_modules))
            if _is_project(node.name):
                project_self[node.name].append(node.self_us / 1000)
            if node.name not in floor_modules:
                per_package[node.name.split(".")[0]] += node.self_us / 1000
        for package, ms in per_package.items():
            excess[package].append(ms)
        excess_total.append(sum(per_package.values()))

    def median(values: list[float]) -> float:
        return round(statistics.median(values + [0.0] * (runs - len(values))), 1)

    return Breakdown(
        handler=variant.handler,
        handler_import_ms=median(handler_ms),
        edges=sorted(
            ((p, c, median(v), median(edges_excess[(p, c)])) for (p, c), v in edges.items()), key=lambda e: -e[2]
        ),
        during_request=sorted(((n, median(v)) for n, v in lazy.items()), key=lambda e: -e[1]),
        excess_by_package=sorted(((p, median(v)) for p, v in excess.items()), key=lambda e: -e[1]),
        excess_total_ms=median(excess_total),
        project_self=sorted(((n, median(v)) for n, v in project_self.items()), key=lambda e: -e[1]),
    )


def floor_modules(variant: Variant, env: dict[str, str], runs: int = 2) -> set[str]:
    return {node.name for tree in importtime_runs(variant.argv, env, runs) for _, node in _walk(tree)}


# -- the bench ----------------------------------------------------------------------------------
def run(runs: int = 15, importtime: int = 5) -> Result:
    """Needs a started ``LocalRuntime`` in this process (its environment is passed on)."""
    found = variants()
    env = child_environment()
    samples = measure(found, env, runs)
    floor = next(v for v in found if v.kind == "floor")
    known = floor_modules(floor, env)
    handlers = [v for v in found if v.kind == "handler" and v.path == request_for_name(v.function)]
    breakdowns = [breakdown(v, known, env, importtime) for v in handlers]
    return Result(runs, samples, found, breakdowns, floor.name)


def request_for_name(function: str) -> str:
    return next(request_for(f)[0] for f in api_functions() if f.name == function)


def _median(samples: list[Sample], attribute: str) -> float:
    return statistics.median(getattr(s, attribute) for s in samples)


def _quartiles(samples: list[Sample], attribute: str) -> tuple[float, float]:
    values = sorted(getattr(s, attribute) for s in samples)
    if len(values) < 4:
        return values[0], values[-1]
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def ratios(result: Result) -> dict[str, tuple[float, float]]:
    """(wall, CPU) ratio of each variant's median to the floor's."""
    floor = result.samples[result.floor]
    wall, cpu = _median(floor, "wall_ms"), _median(floor, "cpu_ms")
    return {
        name: (_median(samples, "wall_ms") / wall, _median(samples, "cpu_ms") / cpu)
        for name, samples in result.samples.items()
    }


def render(result: Result) -> str:
    floor = result.samples[result.floor]
    floor_wall, floor_cpu = _median(floor, "wall_ms"), _median(floor, "cpu_ms")
    bare = result.samples["bare interpreter"]
    found = ratios(result)
    lines = [
        f"Medians of {result.runs} interleaved runs per variant (interquartile range in brackets). "
        f"Ratios against **{result.floor}** ({floor_wall:.0f} ms wall, {floor_cpu:.0f} ms CPU). "
        "*wall* = spawn to response line; *CPU* = the child's user + system time at that moment; "
        "*imports* = the handler module's import (floor: `import boto3` + client creation); "
        "*first request* = the handler call (floor: its one DynamoDB call); *startup* = wall - time "
        "in the child script (interpreter start).",
        "",
        "| variant | status | wall ms | CPU ms | CPU min | ratio wall | ratio CPU | ≤ 1.5x | startup | imports "
        "| first request |",
        "|---|---:|---:|---:|---:|---:|---:|:-:|---:|---:|---:|",
    ]
    for variant in result.variants:
        if variant.kind == "ladder":
            continue
        samples = result.samples[variant.name]
        wall, cpu = _median(samples, "wall_ms"), _median(samples, "cpu_ms")
        (wall_low, wall_high), (cpu_low, cpu_high) = _quartiles(samples, "wall_ms"), _quartiles(samples, "cpu_ms")
        wall_ratio, cpu_ratio = found[variant.name]
        verdict = ""
        if variant.kind == "handler":
            verdict = "yes" if max(wall_ratio, cpu_ratio) <= TARGET_RATIO else "**no**"
        startup = statistics.median(s.wall_ms - s.main_ms for s in samples)
        imports = "" if variant.kind == "bare" else f"{_median(samples, 'import_ms'):.0f}"
        first = "" if variant.kind == "bare" else f"{_median(samples, 'request_ms'):.0f}"
        lines.append(
            f"| {variant.name} | {samples[0].status or ''} | {wall:.0f} ({wall_low:.0f}–{wall_high:.0f}) | "
            f"{cpu:.0f} ({cpu_low:.0f}–{cpu_high:.0f}) | {min(s.cpu_ms for s in samples):.0f} | "
            f"{wall_ratio:.2f} | {cpu_ratio:.2f} | {verdict} | "
            f"{startup:.0f} | {imports} | {first} |"
        )
    lines += [
        "",
        f"From bare interpreter to floor: +{floor_wall - _median(bare, 'wall_ms'):.0f} ms wall, "
        f"+{floor_cpu - _median(bare, 'cpu_ms'):.0f} ms CPU: boto3, one DynamoDB client, one call.",
        "",
    ]
    ladder = [v for v in result.variants if v.kind == "ladder"]
    if ladder:
        lines += [
            "#### Import ladder: what each layer of the sigs handler's stack costs",
            "",
            "Each rung is a fresh interpreter that creates the DynamoDB client and imports this layer "
            "and every layer above it, in this order (a layer's price depends on what came before: "
            "it pays for what it is first to import). No request is served. The layer's price is "
            "taken on the minimum CPU time of the runs (the work is deterministic: noise only adds).",
            "",
            "| rung | CPU ms, median | CPU ms, min | layer's price, CPU ms | wall ms, median |",
            "|---|---:|---:|---:|---:|",
        ]
        previous: float | None = None
        for variant in ladder:
            samples = result.samples[variant.name]
            cpu, least, wall = _median(samples, "cpu_ms"), min(s.cpu_ms for s in samples), _median(samples, "wall_ms")
            more = "" if previous is None else f"{least - previous:+.0f}"
            lines.append(f"| {variant.name.split(': ', 1)[1]} | {cpu:.0f} | {least:.0f} | {more} | {wall:.0f} |")
            previous = least
        lines.append("")
    for b in result.breakdowns:
        lines += [
            f"#### `{b.handler}`: import {b.handler_import_ms:.0f} ms under `-X importtime`",
            "",
            "Medians of the importtime runs; importtime inflates times and this machine is noisy: read "
            "them as proportions. The first project module to import a package pays for all of it.",
            "",
            f"Modules the floor does not import: {b.excess_total_ms:.0f} ms of self time; by package: "
            + ", ".join(f"{p} {ms:.0f}" for p, ms in b.excess_by_package[:9] if ms >= 1)
            + ".",
            "",
            "| project module | imports first | cumulative ms | of which not in the floor |",
            "|---|---|---:|---:|",
        ]
        lines += [f"| `{p}` | `{c}` | {ms:.0f} | {extra:.0f} |" for p, c, ms, extra in b.edges[:10] if ms >= 3]
        slow = [f"`{n}` {ms:.0f}" for n, ms in b.project_self if ms >= 2]
        if slow:
            lines += ["", "Project modules' own import-time work (self ms): " + ", ".join(slow[:8]) + "."]
        lazy = [f"`{n}` {ms:.0f}" for n, ms in b.during_request if ms >= 1]
        if lazy:
            lines += ["", "Imported while serving the first request (ms): " + ", ".join(lazy[:6]) + "."]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--importtime", type=int, default=5)
    args = parser.parse_args()
    from bench.run import quiet_runtime

    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)):
        print(render(run(args.runs, args.importtime)))


if __name__ == "__main__":
    main()
