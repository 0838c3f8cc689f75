"""The local signing keys secret: in moto's Secrets Manager, one key per version, exactly as the
stack keeps it on AWS, so ``functions.common.keys`` and the rotation function run the same code.

The first version is seeded from ``.convene/dev-signing-keys.json`` (generated once and kept, so
links in old local emails still verify); a secret that already exists (state kept across
restarts) is left as it is.
"""

from __future__ import annotations

import json
from typing import Any

SECRET_NAME = "convene-local-signing-keys"


def provision_signing_keys(secretsmanager: Any, seed: str) -> str:
    """The secret's ARN, creating it with the newest key of ``seed`` (a JSON list) if needed."""
    try:
        return str(secretsmanager.describe_secret(SecretId=SECRET_NAME)["ARN"])
    except secretsmanager.exceptions.ResourceNotFoundException:
        pass
    keys = json.loads(seed)
    if not isinstance(keys, list) or not keys or not isinstance(keys[-1], str):
        raise ValueError("the dev signing keys must be a JSON list of strings")
    created = secretsmanager.create_secret(
        Name=SECRET_NAME, Description="Convene signing keys (local)", SecretString=keys[-1]
    )
    return str(created["ARN"])
