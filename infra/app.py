"""CDK app entry point: ``python -m infra.app`` (or ``cdk synth``) synthesizes offline.

Deployment settings come from CDK context (``cdk.json``, overridable with ``-c key=value``).
Run directly, the ``context`` of ``cdk.json`` is read too, so both ways synthesize the same
template. A synth for a deployment refuses placeholder settings (``cdk.json`` ships some), naming
each one; ``-c allow_placeholders=true`` synthesizes anyway, to inspect the template offline
(``make synth`` does). The tests build the app with their own settings.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import fields
from email.utils import parseaddr
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


#: Domains reserved for examples and tests (RFC 2606, RFC 6761): never a real deployment's.
_RESERVED_DOMAIN = re.compile(r"(?:^|\.)(?:example(?:\.(?:com|net|org))?|test|invalid|localhost)$", re.IGNORECASE)


def _reserved(address_or_url: str) -> bool:
    host = address_or_url.rsplit("@", 1)[-1].split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].rstrip(">")
    return bool(_RESERVED_DOMAIN.search(host.strip().lower()))


def placeholder_problems(settings: DeploymentSettings) -> list[str]:
    """What would make a deployment fail or mislead, one line per setting (empty: deployable)."""
    problems = []
    address = parseaddr(settings.sender_email)[1]
    if "@" not in address or _reserved(address):
        problems.append(
            f"sender_email ({settings.sender_email!r}) is a placeholder: give the From address, on a domain "
            "verified in SES with DKIM (-c sender_email='Community <no-reply@your.domain>')"
        )
    staff = [e.strip() for e in settings.staff_emails.split(",") if e.strip()]
    if not staff or any("@" not in e or _reserved(e) for e in staff):
        problems.append(
            f"staff_emails ({settings.staff_emails!r}) names no real address: give the community team's "
            "addresses, comma-separated (-c staff_emails=a@your.domain,b@your.domain)"
        )
    if settings.site_url and (_reserved(settings.site_url) or not settings.site_url.startswith("https://")):
        problems.append(
            f"site_url ({settings.site_url!r}) is a placeholder or not https: leave it out (the stack's own URL "
            "is used) or give the https URL the site is served at"
        )
    if settings.domain_name and _reserved(settings.domain_name):
        problems.append(f"domain_name ({settings.domain_name!r}) is a reserved example domain")
    if bool(settings.domain_name) != bool(settings.certificate_arn):
        problems.append(
            "domain_name and certificate_arn go together: the ACM certificate (in the stack's region) for the domain"
        )
    if settings.hosted_zone_id and not settings.domain_name:
        problems.append("hosted_zone_id needs domain_name (the record it creates is for that domain)")
    return problems


def build_app(
    outdir: str | None = None,
    *,
    nag: bool = True,
    context: dict[str, Any] | None = None,
    deployment: bool = False,
    **stack_kwargs: Any,
) -> tuple[cdk.App, ConveneStack]:
    """The app with its one stack; ``context`` and ``stack_kwargs`` (functions, tables, buckets,
    layer_dir) are for tests. ``deployment``: refuse placeholder settings (:class:`PlaceholderSettings`)."""
    # The CDK CLI passes CDK_OUTDIR; both must agree, so prefer it when present.
    outdir = os.environ.get("CDK_OUTDIR") or outdir or str(REPO_ROOT / "cdk.out")
    # Context given by the CLI (cdk.json, -c) takes precedence over this copy of cdk.json's.
    app = cdk.App(outdir=outdir, context={**cdk_json_context(), **(context or {})})
    settings = settings_from_context(app)
    allowed = str(app.node.try_get_context("allow_placeholders") or "").lower() in ("1", "true", "yes")
    if deployment and not allowed and (problems := placeholder_problems(settings)):
        raise PlaceholderSettings(problems)
    stack = ConveneStack(
        app,
        STACK_NAME,
        settings=settings,
        description="Convene: serverless community platform (built from schemas/declaration)",
        **stack_kwargs,
    )
    cdk.Tags.of(app).add("app", "convene")
    if nag:
        # cdk-nag 3.x is a policy-validation plugin: unacknowledged findings fail app.synth().
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return app, stack


class PlaceholderSettings(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            "Convene: not synthesizing a deployment with placeholder settings:\n"
            f"{lines}\n"
            "Set them with -c key=value (see docs/deploying.md), or pass -c allow_placeholders=true "
            "to synthesize a template only to read it."
        )


def main() -> None:
    try:
        app, _ = build_app(deployment=True)
    except PlaceholderSettings as refused:
        sys.exit(str(refused))
    app.synth()


if __name__ == "__main__":
    main()
