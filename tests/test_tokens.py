"""Email-link and session tokens: signed (HMAC-SHA256), purpose-bound, expiring, rotating."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from functions.common import tokens

OLD_KEY = "o" * 40
NEW_KEY = "n" * 40


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CONVENE_SIGNING_KEYS", json.dumps([OLD_KEY]))
    yield


def test_a_token_verifies_for_its_purpose_and_carries_its_claims() -> None:
    token = tokens.issue("sig-review", "staff@example.org", sig_id="sig_1")
    claims = tokens.verify(token, "sig-review")
    assert claims.subject == "staff@example.org"
    assert claims.data == {"sig_id": "sig_1"}
    assert claims.expires_at - claims.issued_at == tokens.LIFETIMES["sig-review"].total_seconds()
    assert len(claims.jti) >= 16


def test_each_token_has_its_own_id() -> None:
    first = tokens.verify(tokens.issue("sign-in", "a@example.org"), "sign-in")
    second = tokens.verify(tokens.issue("sign-in", "a@example.org"), "sign-in")
    assert first.jti != second.jti


def test_the_signature_is_hmac_sha256() -> None:
    token = tokens.issue("sign-in", "a@example.org")
    signature = token.rsplit(".", 1)[1]
    assert len(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))) == 32


@pytest.mark.parametrize("position", [5, 20, -3])
def test_a_token_with_one_bit_changed_is_refused(position: int) -> None:
    token = tokens.issue("sign-in", "a@example.org")
    chars = list(token)
    chars[position] = "A" if chars[position] != "A" else "B"
    with pytest.raises(tokens.TokenRejected) as rejected:
        tokens.verify("".join(chars), "sign-in")
    assert rejected.value.code in ("invalid", "malformed")


def test_a_token_for_another_purpose_is_refused_and_says_so() -> None:
    token = tokens.issue("sign-in", "a@example.org")
    with pytest.raises(tokens.TokenRejected) as rejected:
        tokens.verify(token, "sig-review")
    assert rejected.value.code == "wrong-purpose"
    assert "different action" in rejected.value.reason


def test_an_expired_token_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    token = tokens.issue("sign-in", "a@example.org")
    import itsdangerous.timed

    later = itsdangerous.timed.time.time() + tokens.LIFETIMES["sign-in"].total_seconds() + 5
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    with pytest.raises(tokens.TokenRejected) as rejected:
        tokens.verify(token, "sign-in")
    assert rejected.value.code == "expired"


def test_keys_rotate_the_previous_key_still_verifies(monkeypatch: pytest.MonkeyPatch) -> None:
    signed_with_old = tokens.issue("sign-in", "a@example.org")
    monkeypatch.setenv("CONVENE_SIGNING_KEYS", json.dumps([OLD_KEY, NEW_KEY]))
    assert tokens.verify(signed_with_old, "sign-in").subject == "a@example.org"
    signed_with_new = tokens.issue("sign-in", "b@example.org")
    monkeypatch.setenv("CONVENE_SIGNING_KEYS", json.dumps([NEW_KEY]))
    assert tokens.verify(signed_with_new, "sign-in").subject == "b@example.org"
    with pytest.raises(tokens.TokenRejected):  # the retired key no longer verifies anything
        tokens.verify(signed_with_old, "sign-in")


@pytest.mark.parametrize("garbage", ["", "x", "a.b.c", "." * 10, "é" * 30, "A" * 5000])
def test_garbage_is_refused_not_crashed_on(garbage: str) -> None:
    with pytest.raises(tokens.TokenRejected):
        tokens.verify(garbage, "sign-in")


def test_unknown_purposes_cannot_be_issued() -> None:
    with pytest.raises(ValueError):
        tokens.issue("make-me-admin", "a@example.org")
