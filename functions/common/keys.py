"""Signing keys for tokens and sessions, newest last (itsdangerous' rotation order).

Locally the keys come from ``CONVENE_SIGNING_KEYS`` (a JSON list the dev runtime generates);
on AWS from the Secrets Manager secret named by ``SIGNING_KEYS_SECRET_ID`` (a JSON list too),
fetched once per container and cached by Powertools' parameters utility.
Rotation: append a new key; keep the previous one until every token it signed has expired.
"""

from __future__ import annotations

import json
import os


class SigningKeysMissing(RuntimeError):
    pass


def signing_keys() -> list[str]:
    raw = os.environ.get("CONVENE_SIGNING_KEYS")
    if raw is None and (secret_id := os.environ.get("SIGNING_KEYS_SECRET_ID")):
        # Imported here: only deployed functions pay for the parameters utility.
        from aws_lambda_powertools.utilities import parameters

        raw = str(parameters.get_secret(secret_id, max_age=300))
    if not raw:
        raise SigningKeysMissing("No signing keys configured (CONVENE_SIGNING_KEYS or SIGNING_KEYS_SECRET_ID)")
    keys = json.loads(raw)
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and len(k) >= 32 for k in keys):
        raise SigningKeysMissing("Signing keys must be a JSON list of strings of at least 32 characters")
    return keys
