"""Cold start from the packaged assets, as on Lambda: read-only code, no bytecode cache written.

``bench/coldstart.py`` runs the handlers from the work tree, whose ``__pycache__`` is warm: it
never sees what a read-only ``/var/task`` and ``/opt`` cost when the package ships no ``.pyc``
(every module compiled in memory at every cold start). This bench copies the code asset and
the dependency layer exactly as ``infra/packaging.py`` builds them into a temporary directory,
makes the copy read-only, and runs each handler child from it with ``PYTHONDONTWRITEBYTECODE``,
twice over: as packaged (with the ``.pyc`` compiled for the runtime's Python) and with every
``__pycache__`` removed (what was shipped before). boto3/botocore come from the venv, as the
Lambda runtime provides its own (compiled) copy.

The layer is built for this machine's platform (``manylinux2014_x86_64`` here) with the same
recipe as Lambda's ``aarch64`` one: compiled extensions for another CPU cannot load here.

    .venv/bin/python bench/coldstart_packaged.py [--runs 9]
"""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")  # infra.stack imports aws_cdk

from bench.coldstart import CHILD, PYTHON, Sample, Variant, event_for, run_once  # noqa: E402

#: (function, path, expected status): a JSON route and an HTML page.
REQUESTS = (("sigs", "/api/sigs", 200), ("site", "/", 200), ("auth", "/api/auth/me", 401))


def read_only(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def packaged_copies(workdir: Path) -> dict[str, tuple[Path, Path]]:
    """``{"with .pyc": (code, layer), "without .pyc": (code, layer)}``, read-only copies."""
    from infra import packaging
    from infra.stack import LAMBDA_PYTHON

    machine = {"x86_64": "manylinux2014_x86_64", "aarch64": "manylinux2014_aarch64"}[platform.machine()]
    layer = packaging.build_layer(LAMBDA_PYTHON, platform=machine)
    code = packaging.build_code(LAMBDA_PYTHON)
    copies = {}
    for name, keep_bytecode in (("with .pyc", True), ("without .pyc", False)):
        target = workdir / name.replace(" ", "-").replace(".", "")
        ignore = None if keep_bytecode else shutil.ignore_patterns("__pycache__")
        shutil.copytree(code, target / "task", ignore=ignore)
        shutil.copytree(layer / "python", target / "opt" / "python", ignore=ignore)
        read_only(target)
        copies[name] = (target / "task", target / "opt" / "python")
    return copies


def environment(code: Path, layer: Path) -> dict[str, str]:
    env = dict(os.environ)
    runtime_site = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]  # boto3, as on Lambda
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([str(code), str(layer), *runtime_site]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def check_origin(env: dict[str, str], code: Path, layer: Path) -> None:
    """The child imports the packaged copies, not the work tree or the venv."""
    probe = "import functions, pydantic, jinja2; print(functions.__file__, pydantic.__file__, jinja2.__file__)"
    out = subprocess.run([*PYTHON, "-c", probe], env=env, capture_output=True, text=True, check=True, cwd="/")
    origin_functions, origin_pydantic, origin_jinja = out.stdout.split()
    assert origin_functions.startswith(str(code)), origin_functions
    assert origin_pydantic.startswith(str(layer)) and origin_jinja.startswith(str(layer)), out.stdout


def run(runs: int) -> str:
    from schemas.declaration import FUNCTIONS

    handlers = {f.name: f.handler for f in FUNCTIONS}
    with tempfile.TemporaryDirectory() as workdir:
        copies = packaged_copies(Path(workdir))
        variants: list[tuple[str, Variant, dict[str, str]]] = []
        for copy, (code, layer) in copies.items():
            env = environment(code, layer)
            check_origin(env, code, layer)
            for function, path, status in REQUESTS:
                spec = {"handler": handlers[function], "event": event_for(path, function)}
                name = f"{function}: GET {path}"
                variants.append((copy, Variant(name, "handler", [CHILD, "handler", json.dumps(spec)], status), env))
        samples: dict[tuple[str, str], list[Sample]] = defaultdict(list)
        for _copy, variant, env in variants:  # warm-up: files in the page cache (no bytecode is written)
            run_once(variant, env)
        order = list(variants)
        shuffle = random.Random(3)
        for _ in range(runs):
            shuffle.shuffle(order)
            for copy, variant, env in order:
                samples[(copy, variant.name)].append(run_once(variant, env))
        for copy, (code, _) in copies.items():  # nothing was written anywhere in the copies
            assert ("without" in copy) != any(code.rglob("*.pyc")), copy
    return render(runs, samples)


def _median(samples: list[Sample], field: str) -> float:
    values = sorted(getattr(s, field) for s in samples)
    return values[len(values) // 2]


def render(runs: int, samples: dict[tuple[str, str], list[Sample]]) -> str:
    lines = [
        f"Medians of {runs} interleaved runs; read-only packaged copies, `PYTHONDONTWRITEBYTECODE=1`, "
        "`python -S` with the code and the layer on `PYTHONPATH` as on Lambda.",
        "",
        "| handler: request | package | wall ms | CPU ms | imports ms | first request ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    names = sorted({name for _, name in samples})
    for name in names:
        for copy in ("without .pyc", "with .pyc"):
            found = samples[(copy, name)]
            lines.append(
                f"| {name} | {copy} | {_median(found, 'wall_ms'):.0f} | {_median(found, 'cpu_ms'):.0f} | "
                f"{_median(found, 'import_ms'):.0f} | {_median(found, 'request_ms'):.0f} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    from bench.run import quiet_runtime

    with tempfile.TemporaryDirectory() as state, quiet_runtime(Path(state)):
        print(render_header() + run(args.runs))


def render_header() -> str:
    return f"Python {sys.version.split()[0]} on {platform.machine()}\n\n"


if __name__ == "__main__":
    main()
