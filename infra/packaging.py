"""Packaging of Lambda code and dependencies without Docker.

The dependency layer is built by pip for the Lambda platform (``manylinux2014_aarch64``, the
runtime's CPython version, wheels only) into a cache under ``build/``, keyed by a hash of
``requirements-lambda.txt``, the target Python and this recipe: a second synth reuses it.
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
RECIPE_VERSION = "1"

#: ``Code.from_asset(REPO_ROOT, exclude=...)`` patterns (glob mode, last match wins, basename
#: matching for patterns without a slash). Everything is excluded, then the function and
#: declaration packages are let back in, keeping only Python sources and Jinja templates.
#: Directories must be un-excluded too, or CDK never walks into them.
CODE_EXCLUDES: tuple[str, ...] = (
    "*",
    ".*",  # "*" does not match dot-files (.venv, .git): exclude them explicitly
    "!functions",
    "!functions/**",
    "!schemas",
    "!schemas/**",
    "functions/**/*.*",
    "schemas/**/*.*",
    "!functions/**/*.py",
    "!schemas/**/*.py",
    "!functions/**/templates/**",
    "__pycache__",
    "*.pyc",
)


def python_version_of(runtime_name: str) -> str:
    """``python3.14`` -> ``3.14``."""
    if not runtime_name.startswith("python"):
        raise ValueError(f"not a Python runtime: {runtime_name}")
    return runtime_name.removeprefix("python")


def layer_hash(python_version: str, requirements: Path = REQUIREMENTS) -> str:
    digest = hashlib.sha256()
    for part in (RECIPE_VERSION, PLATFORM, python_version, requirements.read_text(encoding="utf-8")):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def build_layer(python_version: str, requirements: Path = REQUIREMENTS, cache_dir: Path = BUILD_DIR) -> Path:
    """Return a directory holding ``python/<packages>`` for a LayerVersion, building it if needed.

    The build goes to a temporary sibling and is renamed into place when complete, so an
    interrupted or concurrent build (pytest-xdist workers) never leaves a half-filled cache entry.
    """
    # No dot in the name: CDK would take ".14-…" for a file extension of the staged asset.
    target = cache_dir / f"layer-py{python_version.replace('.', '')}-{layer_hash(python_version, requirements)}"
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
        # .pyc compiled by the build machine's Python would be useless to the runtime's.
        "--no-compile",
        "--platform",
        PLATFORM,
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
        try:
            staging.rename(target)
        except OSError:
            if not target.is_dir():  # lost a race with another builder: theirs is as good as ours
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
