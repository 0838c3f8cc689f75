"""Lazily created AWS clients, one per service per container (warm invocations reuse them).

Creating a client costs ~100 ms, so it happens on first use, never at import. Locally,
``AWS_ENDPOINT_URL`` points every client at the moto server.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.config import Config

_CONFIG = Config(
    retries={"max_attempts": 4, "mode": "standard"},
    connect_timeout=3,
    read_timeout=10,
    # Keeps DynamoDB Streams calls on the regional endpoint (moto serves no account endpoint).
    account_id_endpoint_mode="disabled",
)


@cache
def client(service: str) -> Any:
    import boto3

    return boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]
