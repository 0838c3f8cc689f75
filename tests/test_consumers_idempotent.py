"""Every event consumer, for every event type it handles, does its work once however often
the event is delivered (SQS and EventBridge deliver at least once)."""

from __future__ import annotations

import importlib
import json
import uuid
from typing import Any

import pytest

from infra.local.containers import LambdaContext
from schemas.declaration import FUNCTIONS, EventTrigger
from schemas.events import EVENT_TYPES

CONSUMED = [
    (function, detail_type)
    for function in FUNCTIONS
    for trigger in function.triggers
    if isinstance(trigger, EventTrigger) and trigger.pattern()["source"] == ["convene"]
    for detail_type in trigger.detail_types
]


def example(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A small valid instance of a pydantic model's JSON Schema."""
    if "$ref" in schema:
        return example(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "const" in schema:
        return schema["const"]
    if "examples" in schema:  # a field with a pattern says what fits it
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return example(next(s for s in schema["anyOf"] if s.get("type") != "null"), defs)
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        return {name: example(sub, defs) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example(schema["items"], defs)] if schema.get("minItems", 0) else []
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), int(schema.get("exclusiveMinimum", 0)) + 1)
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "email":
        return f"someone.{uuid.uuid4().hex[:8]}@example.org"
    if fmt == "date-time":
        return "2027-03-10T10:00:00+00:00"
    if fmt == "date":
        return "2027-03-10"
    return "x" * max(int(schema.get("minLength", 1)), 1)


def delivery(detail_type: str) -> dict[str, Any]:
    model = EVENT_TYPES[detail_type]
    schema = model.model_json_schema()
    data = example(schema, schema.get("$defs", {}))
    data["event_id"] = f"evt_{uuid.uuid4().hex}"  # one event, delivered three times
    event = model.model_validate(data)
    body = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "convene",
        "time": "2027-03-10T10:00:00Z",
        "region": "eu-west-2",
        "resources": [],
        "detail": json.loads(event.model_dump_json()),
    }
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "r",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:q",
                "awsRegion": "eu-west-2",
            }
        ]
    }


@pytest.mark.parametrize(("function", "detail_type"), CONSUMED, ids=[f"{f.name}-{d}" for f, d in CONSUMED])
def test_an_event_delivered_three_times_is_handled_once(runtime, monkeypatch, function, detail_type) -> None:
    handler = getattr(importlib.import_module(function.module), function.attribute)
    calls: list[Any] = []
    monkeypatch.setitem(handler.handlers, detail_type, calls.append)
    event = delivery(detail_type)
    for _ in range(3):
        context = LambdaContext(function.name, function.memory_mb, function.timeout_seconds, str(uuid.uuid4()), 0.0)
        assert handler(event, context) == {"batchItemFailures": []}
    assert len(calls) == 1


def test_a_consumer_records_through_the_current_persistence_layer(runtime, monkeypatch) -> None:
    """A local runtime started again in the same process makes a new persistence layer; a
    consumer built before must record through the new one, not a stale client (the call-count
    bench once saw redeliveries make no AWS call at all after another runtime had run)."""
    from functions.common import consumer as consumers

    function, detail_type = CONSUMED[0]
    handler = getattr(importlib.import_module(function.module), function.attribute)
    monkeypatch.setitem(handler.handlers, detail_type, lambda event: None)
    context = LambdaContext(function.name, function.memory_mb, function.timeout_seconds, str(uuid.uuid4()), 0.0)
    handler(delivery(detail_type), context)
    before = consumers._persistence()
    consumers._persistence.cache_clear()
    after = consumers._persistence()
    assert after is not before
    made: list[str] = []
    after.client.meta.events.register("before-call.dynamodb.*", lambda model, **_: made.append(model.name))
    assert handler(delivery(detail_type), context) == {"batchItemFailures": []}
    assert "PutItem" in made
