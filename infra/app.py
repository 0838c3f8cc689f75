"""CDK app entry point: ``python -m infra.app`` (or ``cdk synth``) synthesizes offline.

Deployment settings come from CDK context (``cdk.json``, overridable with ``-c key=value``).
Run directly, the ``context`` of ``cdk.json`` is read too, so both ways synthesize the same
template; placeholders below keep synth working when a setting is absent.
"""

from __future__ import annotations

import json
import os
from dataclasses import fields
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from .packaging import REPO_ROOT
from .stack import ConveneStack, DeploymentSettings

STACK_NAME = "Convene"


def cdk_json_context(path: Path = REPO_ROOT / "cdk.json") -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")).get("context", {}))
    except FileNotFoundError:
        return {}


def settings_from_context(app: cdk.App) -> DeploymentSettings:
    values: dict[str, Any] = {}
    for field in fields(DeploymentSettings):
        value = app.node.try_get_context(field.name)
        if value is None or value == "":
            continue  # the dataclass default (a placeholder) applies
        if field.name == "staff_emails" and isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        values[field.name] = int(value) if field.type == "int" else str(value)
    return DeploymentSettings(**values)


def build_app(outdir: str | None = None, *, nag: bool = True, **stack_kwargs: Any) -> tuple[cdk.App, ConveneStack]:
    """The app with its one stack; ``stack_kwargs`` (functions, tables, buckets, layer_dir) are for tests."""
    # The CDK CLI passes CDK_OUTDIR; both must agree, so prefer it when present.
    outdir = os.environ.get("CDK_OUTDIR") or outdir or str(REPO_ROOT / "cdk.out")
    # Context given by the CLI (cdk.json, -c) takes precedence over this copy of cdk.json's.
    app = cdk.App(outdir=outdir, context=cdk_json_context())
    stack = ConveneStack(
        app,
        STACK_NAME,
        settings=settings_from_context(app),
        description="Convene: serverless community platform (built from schemas/declaration)",
        **stack_kwargs,
    )
    cdk.Tags.of(app).add("app", "convene")
    if nag:
        # cdk-nag 3.x is a policy-validation plugin: unacknowledged findings fail app.synth().
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return app, stack


def main() -> None:
    app, _ = build_app()
    app.synth()


if __name__ == "__main__":
    main()
