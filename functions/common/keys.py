"""Signing keys for tokens and sessions, newest last (itsdangerous' rotation order).

The keys are the versions of one Secrets Manager secret (``SIGNING_KEYS_SECRET_ID``), each
version one key: ``AWSCURRENT`` signs, ``AWSCURRENT`` and ``AWSPREVIOUS`` verify. Rotation (the
secret's rotation function, ``functions.common.rotation``) adds a version and moves the labels,
so a link signed before a rotation verifies until it expires or until a second rotation; no
stack update writes a value into a version that is in use. Both stages are read at run time
through Powertools' parameters utility and cached for ``MAX_AGE_SECONDS``: a container picks up
a rotation within that time, and until then signs with the key that just became previous,
which every container still accepts. The local runtime keeps its keys in moto's Secrets
Manager the same way, so this is the code that runs in both places.

``CONVENE_SIGNING_KEYS`` (a JSON list, newest last) overrides the secret: for unit tests.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

CURRENT = "AWSCURRENT"
PREVIOUS = "AWSPREVIOUS"
MAX_AGE_SECONDS = 300
MIN_KEY_LENGTH = 32
#: The rotation schedule: a key verifies for at least this long after it stops signing, longer
#: than every link lives (a test checks) except unsubscribe links, which every issue renews.
ROTATION_DAYS = 365


class SigningKeysMissing(RuntimeError):
    pass


_providers: dict[str, Any] = {}
#: Until when the secret is known to have no AWSPREVIOUS version (not cached by Powertools).
_no_previous_until: dict[str, float] = {}


def _provider(stage: str) -> Any:
    """One Powertools provider per stage: its cache is keyed by name only, not by stage."""
    if stage not in _providers:
        # Imported here: the parameters utility is paid for only when keys are first needed.
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        from .aws import client

        _providers[stage] = SecretsProvider(boto3_client=client("secretsmanager"))
    return _providers[stage]


def _stage(secret_id: str, stage: str) -> str | None:
    if stage == PREVIOUS and _no_previous_until.get(secret_id, 0.0) > time.monotonic():
        return None
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        value = _provider(stage).get(secret_id, max_age=MAX_AGE_SECONDS, VersionStage=stage)
    except GetParameterError:
        if stage == CURRENT:
            raise
        # A secret that was never rotated has no previous version: ask again after max age.
        _no_previous_until[secret_id] = time.monotonic() + MAX_AGE_SECONDS
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def refresh() -> None:
    """Forget cached keys and clients (the next use reads the secret again)."""
    _providers.clear()
    _no_previous_until.clear()


def signing_keys() -> list[str]:
    """Every key that verifies, the one that signs last."""
    if (raw := os.environ.get("CONVENE_SIGNING_KEYS")) is not None:
        keys = json.loads(raw) if raw else []
    elif secret_id := os.environ.get("SIGNING_KEYS_SECRET_ID"):
        current = _stage(secret_id, CURRENT)
        previous = _stage(secret_id, PREVIOUS)
        keys = [k for k in (previous, current) if k]
    else:
        raise SigningKeysMissing("No signing keys configured (SIGNING_KEYS_SECRET_ID or CONVENE_SIGNING_KEYS)")
    if not isinstance(keys, list) or not keys or not all(_usable(k) for k in keys):
        raise SigningKeysMissing(f"Signing keys must be strings of at least {MIN_KEY_LENGTH} characters")
    return keys


def _usable(key: Any) -> bool:
    return isinstance(key, str) and len(key) >= MIN_KEY_LENGTH
