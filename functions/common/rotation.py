"""The signing keys secret's rotation function (Secrets Manager's four-step protocol).

Each version of the secret is one key. Rotation makes a new random key ``AWSPENDING``, checks it,
then moves ``AWSCURRENT`` to it; Secrets Manager moves ``AWSPREVIOUS`` to the key that was
current, so tokens it signed keep verifying (``functions.common.keys``) until they expire or the
next rotation. Nothing else ever writes a key: no stack update changes a version in use.

Secrets Manager calls this on the rotation schedule (or on ``aws secretsmanager rotate-secret``);
the tests call it the same way, step by step, against moto.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from .aws import client
from .keys import CURRENT, MIN_KEY_LENGTH

logger = logging.getLogger("convene")

PENDING = "AWSPENDING"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


class RotationRefused(ValueError):
    pass


def new_key() -> str:
    return secrets.token_urlsafe(48)  # 64 characters, 384 bits


def handler(event: dict[str, Any], context: Any = None) -> None:
    secret_id, token, step = event.get("SecretId"), event.get("ClientRequestToken"), event.get("Step")
    if not isinstance(secret_id, str) or not isinstance(token, str) or step not in STEPS:
        raise RotationRefused(f"not a rotation request: {sorted(event)}")
    sm = client("secretsmanager")
    versions = sm.describe_secret(SecretId=secret_id).get("VersionIdsToStages", {})
    if token not in versions and step != "createSecret":
        raise RotationRefused(f"version {token} of {secret_id} is not being rotated")
    if CURRENT in versions.get(token, []) and step != "createSecret":
        logger.info("version %s is already current", token)
        return
    if step == "createSecret":
        sm.get_secret_value(SecretId=secret_id, VersionStage=CURRENT)  # there is a current key
        if PENDING in versions.get(token, []):
            return  # a retried step: the pending key exists
        sm.put_secret_value(
            SecretId=secret_id, ClientRequestToken=token, SecretString=new_key(), VersionStages=[PENDING]
        )
    elif step == "setSecret":
        return  # the key is used only by Convene's functions: nothing outside to update
    elif step == "testSecret":
        value = sm.get_secret_value(SecretId=secret_id, VersionId=token, VersionStage=PENDING).get("SecretString", "")
        if not isinstance(value, str) or len(value) < MIN_KEY_LENGTH:
            raise RotationRefused("the pending key is too short to sign with")
    else:  # finishSecret
        current = next(version for version, stages in versions.items() if CURRENT in stages)
        sm.update_secret_version_stage(
            SecretId=secret_id, VersionStage=CURRENT, MoveToVersionId=token, RemoveFromVersionId=current
        )
        sm.update_secret_version_stage(SecretId=secret_id, VersionStage=PENDING, RemoveFromVersionId=token)
        logger.info("signing key rotated: %s is current, %s previous", token, current)


def rotate(secret_id: str, token: str | None = None) -> str:
    """All four steps, as Secrets Manager runs them (locally and in tests); the new version's id."""
    token = token or secrets.token_hex(16)
    for step in STEPS:
        handler({"SecretId": secret_id, "ClientRequestToken": token, "Step": step})
    return token
