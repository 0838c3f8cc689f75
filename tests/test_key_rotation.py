"""Signing keys rotate with Secrets Manager's version stages (issue 12, point 4), on moto: a link
signed before a rotation still verifies after it, until it expires or a second rotation."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import itsdangerous.timed
import pytest

from functions.common import keys, rotation, tokens
from functions.common.aws import client


@pytest.fixture()
def secret(runtime: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A secret of its own (the runtime's keys stay as they are), made as the stack makes it."""
    assert runtime.wait_until_idle(30)
    monkeypatch.delenv("CONVENE_SIGNING_KEYS", raising=False)
    name = f"keys-{uuid.uuid4().hex[:8]}"
    arn = client("secretsmanager").create_secret(Name=name, SecretString=rotation.new_key())["ARN"]
    monkeypatch.setenv("SIGNING_KEYS_SECRET_ID", arn)
    keys.refresh()
    yield arn
    monkeypatch.undo()
    keys.refresh()
    client("secretsmanager").delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)


def stages(secret_id: str) -> dict[str, list[str]]:
    return dict(client("secretsmanager").describe_secret(SecretId=secret_id)["VersionIdsToStages"])


def test_a_link_signed_before_a_rotation_verifies_after_it_until_a_second(secret: str) -> None:
    assert len(keys.signing_keys()) == 1  # never rotated: no previous key
    before = tokens.issue("sig-review", "staff@q.org", sig_id="sig_1")

    first = rotation.rotate(secret)
    keys.refresh()  # what MAX_AGE_SECONDS does in a warm container
    assert stages(secret)[first] == ["AWSCURRENT"]
    assert len(keys.signing_keys()) == 2
    assert tokens.verify(before, "sig-review").data == {"sig_id": "sig_1"}
    after = tokens.issue("sig-review", "staff@q.org", sig_id="sig_2")
    current = client("secretsmanager").get_secret_value(SecretId=secret, VersionStage="AWSCURRENT")["SecretString"]
    assert keys.signing_keys()[-1] == current  # the new key signs

    rotation.rotate(secret)
    keys.refresh()
    assert tokens.verify(after, "sig-review").data == {"sig_id": "sig_2"}  # signed by the now previous key
    with pytest.raises(tokens.TokenRejected) as rejected:
        tokens.verify(before, "sig-review")  # its key is gone after two rotations
    assert rejected.value.code == "invalid"


def test_a_link_signed_before_a_rotation_still_expires(secret: str, monkeypatch: pytest.MonkeyPatch) -> None:
    link = tokens.issue("sign-in", "member@q.org")
    rotation.rotate(secret)
    keys.refresh()
    assert tokens.verify(link, "sign-in").subject == "member@q.org"
    later = time.time() + tokens.LIFETIMES["sign-in"].total_seconds() + 60

    class Later:
        @staticmethod
        def time() -> float:
            return later

    monkeypatch.setattr(itsdangerous.timed, "time", Later)
    with pytest.raises(tokens.TokenRejected) as rejected:
        tokens.verify(link, "sign-in")
    assert rejected.value.code == "expired"


def test_a_retried_step_does_not_make_a_second_pending_key(secret: str) -> None:
    token = uuid.uuid4().hex
    request = {"SecretId": secret, "ClientRequestToken": token, "Step": "createSecret"}
    rotation.handler(request)
    pending = client("secretsmanager").get_secret_value(SecretId=secret, VersionStage="AWSPENDING")["SecretString"]
    rotation.handler(request)
    again = client("secretsmanager").get_secret_value(SecretId=secret, VersionStage="AWSPENDING")["SecretString"]
    assert again == pending
    for step in ("setSecret", "testSecret", "finishSecret"):
        rotation.handler({**request, "Step": step})
    assert "AWSCURRENT" in stages(secret)[token]
    with pytest.raises(rotation.RotationRefused):
        rotation.handler({"SecretId": secret, "Step": "dance"})


def test_every_link_but_unsubscribe_outlives_one_rotation_period() -> None:
    """A key verifies for at least one rotation period after it stops signing. Unsubscribe links
    live ten years; every issue carries a fresh one."""
    for purpose, lifetime in tokens.LIFETIMES.items():
        if purpose != "newsletter-unsubscribe":
            assert lifetime.days <= keys.ROTATION_DAYS, purpose
