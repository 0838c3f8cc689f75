"""Forwards each new outbox item to the event bus: one DynamoDB stream INSERT record becomes
one EventBridge ``PutEvents`` entry.

This is the only code that shapes a domain event for the bus, on AWS (a Lambda function on
the outbox table's stream, through an event source mapping that lets only INSERT records
through) and locally (``convene dev`` emulates the same mapping and invokes this handler).

A record that cannot be put is reported in ``batchItemFailures``; every record after it in
the batch is reported too, without being sent, so the retry re-delivers from the first
failure and the bus sees the outbox's order. Records that keep failing go to the mapping's
on-failure destination after its bounded retries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from functions.common.aws import client
from functions.common.settings import settings


class NotAnOutboxRecord(ValueError):
    """The record's new image lacks what an outbox item always has."""


class EventRejected(RuntimeError):
    """EventBridge refused the entry (throttled, or an invalid event)."""


def to_entry(image: Mapping[str, Any], bus_name: str) -> dict[str, str]:
    """The ``PutEvents`` entry for an outbox item's stream image (DynamoDB JSON).

    ``detail`` is stored as a JSON document in a string attribute; it is checked to be a JSON
    object here, so a malformed item fails loudly instead of reaching the bus as a string."""
    try:
        source = image["source"]["S"]
        detail_type = image["detail_type"]["S"]
        detail = image["detail"]["S"]
    except (KeyError, TypeError) as error:
        raise NotAnOutboxRecord(f"outbox record without {error}") from None
    if not isinstance(json.loads(detail), dict):
        raise NotAnOutboxRecord("an outbox record's detail must be a JSON object")
    return {"Source": source, "DetailType": detail_type, "Detail": detail, "EventBusName": bus_name}


processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


class _Batch:
    """Per invocation: once a record failed, the ones after it are not sent."""

    failed = False


def _forward(record: DynamoDBRecord) -> None:
    if _Batch.failed:
        raise EventRejected("not sent: an earlier record of this batch failed, and order is kept")
    try:
        entry = to_entry(record.raw_event["dynamodb"]["NewImage"], settings().event_bus_name)
        result = client("events").put_events(Entries=[entry])
        if result.get("FailedEntryCount"):
            failure = result["Entries"][0]
            raise EventRejected(f"{failure.get('ErrorCode')}: {failure.get('ErrorMessage')}")
    except Exception:
        _Batch.failed = True
        raise


def handler(event: dict[str, Any], context: Any) -> Any:
    _Batch.failed = False
    return process_partial_response(event=event, record_handler=_forward, processor=processor, context=context)
