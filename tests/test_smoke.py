"""``convene smoke`` against the local runtime, on its root (a custom domain) and on its stage
prefix (the stage URL): every check passes, and it fails when events stop flowing."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.gateway import STAGE
from infra.preflight import passed
from infra.smoke import smoke
from tests.conftest import STAFF


@pytest.mark.parametrize("prefix", ["", f"/{STAGE}"])
def test_smoke_passes_end_to_end(runtime: Any, prefix: str) -> None:
    token = runtime.issue_session(STAFF, staff=True)
    checks = smoke(runtime.url + prefix, staff_token=token, timeout=30)
    assert passed(checks) and all(c.ok for c in checks), [c.line() for c in checks]
    assert {c.name for c in checks} >= {
        "home page",
        "links stay on the site",
        "OpenAPI",
        "sign-in request",
        "canary event",
    }


def test_smoke_fails_when_events_stop(runtime: Any) -> None:
    token = runtime.issue_session(STAFF, staff=True)
    with runtime.delivery_paused():
        checks = smoke(runtime.url, staff_token=token, timeout=3)
    (canary,) = [c for c in checks if c.name == "canary event"]
    assert not canary.ok and canary.blocking and "still posted" in canary.detail
    assert not passed(checks)


def test_smoke_without_a_staff_token_says_the_canary_was_not_checked(runtime: Any) -> None:
    checks = smoke(runtime.url, timeout=3)
    (canary,) = [c for c in checks if c.name == "canary event"]
    assert not canary.ok and not canary.blocking and "not checked" in canary.detail


def test_the_commands_print_each_check_and_exit_non_zero_on_failure(runtime: Any, capsys: Any) -> None:
    from infra.cli import main
    from infra.local.moto_server import REGION

    main(["smoke", runtime.url, "--staff-token", runtime.issue_session(STAFF, staff=True), "--timeout", "30"])
    assert "[ok  ] canary event" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="FAIL lines"):
        main(["preflight", "--region", REGION])  # cdk.json's placeholders, an unverified sender
    out = capsys.readouterr().out
    assert "[FAIL] settings: sender_email" in out and "SES sending" in out
