"""Lazily created AWS clients, one per service per container (warm invocations reuse them).

Creating a client costs ~100 ms, so it happens on first use, never at import. Locally,
``AWS_ENDPOINT_URL`` points every client at the moto server. Clients come from botocore, not
boto3: the functions use plain client calls only, and importing boto3 (its resources and S3
transfer manager) would add ~15 ms to every cold start.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.config import Config

from .coldstart import collector_paused

_CONFIG = Config(
    retries={"max_attempts": 4, "mode": "standard"},
    connect_timeout=3,
    read_timeout=10,
    # Keeps DynamoDB Streams calls on the regional endpoint (moto serves no account endpoint).
    account_id_endpoint_mode="disabled",
)


@cache
def client(service: str) -> Any:
    # The client (its service model, endpoint rules and handlers: tens of thousands of objects)
    # lives as long as the container, as the handler module's imports do, and is built in the
    # first request: without the collector walking it again and again meanwhile (~4 ms).
    with collector_paused():
        import botocore.session

        return botocore.session.get_session().create_client(service, config=_CONFIG)
