"""Packaging of Lambda code and dependencies without Docker.

The dependency layer is built by pip for the Lambda platform (``manylinux2014_aarch64``, the
runtime's CPython version, wheels only) into a cache under ``build/``, keyed by a hash of
``requirements-lambda.txt``, the target Python and this recipe: a second synth reuses it.

Both the layer and the code asset ship bytecode: ``/opt`` and ``/var/task`` are read-only on
Lambda, so without ``.pyc`` every cold start compiles every module it imports in memory. The
bytecode is compiled by an interpreter of the runtime's own version (the magic number must
match) with ``unchecked-hash`` invalidation, so the zip's timestamps do not matter, and with the
paths the files have on Lambda, so tracebacks name ``/var/task/...`` and ``/opt/python/...``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = REPO_ROOT / "requirements-lambda.txt"
BUILD_DIR = REPO_ROOT / "build"
PLATFORM = "manylinux2014_aarch64"
#: Bump when the pip invocation below changes, so cached layers built the old way are not reused.
RECIPE_VERSION = "2"


def python_version_of(runtime_name: str) -> str:
    """``python3.14`` -> ``3.14``."""
    if not runtime_name.startswith("python"):
        raise ValueError(f"not a Python runtime: {runtime_name}")
    return runtime_name.removeprefix("python")


def layer_hash(python_version: str, requirements: Path = REQUIREMENTS, platform: str = PLATFORM) -> str:
    digest = hashlib.sha256()
    for part in (RECIPE_VERSION, platform, python_version, requirements.read_text(encoding="utf-8")):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def build_layer(
    python_version: str, requirements: Path = REQUIREMENTS, cache_dir: Path = BUILD_DIR, platform: str = PLATFORM
) -> Path:
    """Return a directory holding ``python/<packages>`` for a LayerVersion, building it if needed.

    The build goes to a temporary sibling and is renamed into place when complete, so an
    interrupted or concurrent build (pytest-xdist workers) never leaves a half-filled cache entry.
    """
    # No dot in the name: CDK would take ".14-…" for a file extension of the staged asset.
    # (Another platform than Lambda's is only for benches on this machine: bench/coldstart_packaged.py.)
    kind = "layer" if platform == PLATFORM else f"layer-{platform}"
    target = (
        cache_dir / f"{kind}-py{python_version.replace('.', '')}-{layer_hash(python_version, requirements, platform)}"
    )
    if target.is_dir():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = cache_dir / f".{target.name}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--quiet",
        # Compiled below by the runtime's Python version, with the paths it has on Lambda.
        "--no-compile",
        "--platform",
        platform,
        "--only-binary=:all:",
        "--python-version",
        python_version,
        "--implementation",
        "cp",
        "--target",
        str(staging / "python"),
        "-r",
        str(requirements),
    ]
    try:
        # Output is captured (pip's index warnings are noise here) and shown only when pip fails.
        # S603: the command is built above from constants and this repository's paths only.
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            output = f"{result.stdout}{result.stderr}"
            raise RuntimeError(f"building the Lambda layer failed:\n{' '.join(command)}\n{output}")
        # Console scripts are useless in a layer (and point at this machine's interpreter).
        shutil.rmtree(staging / "python" / "bin", ignore_errors=True)
        compile_bytecode(staging / "python", python_version, LAYER_MOUNT)
        try:
            staging.rename(target)
        except OSError:
            if not target.is_dir():  # lost a race with another builder: theirs is as good as ours
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


#: Where Lambda puts a layer's ``python/`` directory, and the code asset.
LAYER_MOUNT = "/opt/python"
CODE_MOUNT = "/var/task"
#: What the code asset holds: the function and declaration packages' Python and templates.
CODE_PACKAGES = ("functions", "schemas")


def interpreter_for(python_version: str) -> str:
    """An interpreter of exactly ``python_version`` (the bytecode's magic number must match)."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == python_version:
        return sys.executable
    candidates = [
        shutil.which(f"python{python_version}"),
        *sorted(str(p) for p in Path.home().glob(f".pyenv/versions/{python_version}.*/bin/python{python_version}")),
    ]
    for candidate in candidates:
        if not candidate:
            continue
        probe = subprocess.run(  # noqa: S603 - a python interpreter found on this machine
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == python_version:
            return candidate
    raise RuntimeError(
        f"Python {python_version} (the Lambda runtime) is needed to compile the packaged bytecode; "
        f"install it (pyenv install {python_version}) or run `make synth`, whose venv uses it."
    )


def compile_bytecode(directory: Path, python_version: str, mounted_at: str) -> None:
    """``__pycache__/*.cpython-XY.pyc`` for every module under ``directory``, compiled by
    Python ``python_version`` with unchecked-hash invalidation, named as if at ``mounted_at``."""
    command = [
        interpreter_for(python_version),
        "-m",
        "compileall",
        "-q",
        "-j",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
        "-s",
        str(directory),
        "-p",
        mounted_at,
        str(directory),
    ]
    # Some packages ship Python 2 or template files named .py that do not compile (exit 1); a
    # module that does not compile is not importable on Lambda either, so it needs no bytecode.
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode not in (0, 1) or not any(directory.rglob("*.pyc")):
        raise RuntimeError(f"compiling bytecode failed:\n{' '.join(command)}\n{result.stdout}{result.stderr}")


def code_sources(root: Path = REPO_ROOT) -> list[Path]:
    """The files of the code asset: Python sources and Jinja templates of the function and
    declaration packages (relative to ``root``), no caches."""
    files: list[Path] = []
    for package in CODE_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            relative = path.relative_to(root)
            if not path.is_file() or "__pycache__" in relative.parts:
                continue
            if path.suffix == ".py" or "templates" in relative.parts[:-1]:
                files.append(relative)
    return files


def build_code(python_version: str, root: Path = REPO_ROOT, cache_dir: Path = BUILD_DIR) -> Path:
    """The code asset's directory (sources, templates and their bytecode), cached by content."""
    sources = code_sources(root)
    digest = hashlib.sha256(f"{RECIPE_VERSION}\0{python_version}\0".encode())
    for relative in sources:
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update((root / relative).read_bytes() + b"\0")
    target = cache_dir / f"code-py{python_version.replace('.', '')}-{digest.hexdigest()[:20]}"
    if target.is_dir():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = cache_dir / f".{target.name}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for relative in sources:
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / relative, staging / relative)
        compile_bytecode(staging, python_version, CODE_MOUNT)
        try:
            staging.rename(target)
        except OSError:
            if not target.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    # Old builds of the code are useless once the sources changed; keep the cache small.
    for old in cache_dir.glob(f"code-py{python_version.replace('.', '')}-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    return target
