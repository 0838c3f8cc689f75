"""DynamoDB stream triggers, emulated as Lambda's event source mapping runs them, and the
outbox forwarder that is the declaration's one stream-triggered function."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from functions.outbox.forwarder import NotAnOutboxRecord, to_entry
from infra.local.provision import StreamBinding
from infra.local.streams import StreamPoller
from schemas.declaration import FUNCTIONS, StreamTrigger

pytestmark = pytest.mark.runtime


def stream_table(runtime: Any) -> tuple[str, str]:
    """A table of its own with a stream, on the runtime's moto: (name, stream ARN)."""
    ddb = runtime.client("dynamodb")
    name = f"stream-test-{uuid.uuid4().hex[:8]}"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    return name, ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def poller(runtime: Any, invoke: Callable[[dict[str, Any]], Any], **settings: Any) -> tuple[StreamPoller, str]:
    table, arn = stream_table(runtime)
    failed = runtime.client("sqs").create_queue(QueueName=f"{table}-failed")["QueueUrl"]
    trigger = StreamTrigger(name=table, table=table, **settings)
    return StreamPoller(runtime.client, StreamBinding("test", trigger, table, arn, failed), invoke), table


def put(runtime: Any, table: str, *ids: str) -> None:
    for item_id in ids:
        runtime.client("dynamodb").put_item(TableName=table, Item={"id": {"S": item_id}})


def drain(stream: StreamPoller, until: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not until():
        assert time.monotonic() < deadline, "the stream poller did not get there in time"
        stream.poll_once()
        time.sleep(0.02)


def ids(event: dict[str, Any]) -> list[str]:
    return [r["dynamodb"]["Keys"]["id"]["S"] for r in event["Records"]]


def test_only_records_matching_the_filter_reach_the_function_in_lambdas_shape(runtime) -> None:
    seen: list[dict[str, Any]] = []
    stream, table = poller(runtime, lambda e: seen.append(e) or {"batchItemFailures": []})
    ddb = runtime.client("dynamodb")
    put(runtime, table, "a")
    ddb.update_item(
        TableName=table,
        Key={"id": {"S": "a"}},
        UpdateExpression="SET x = :x",
        ExpressionAttributeValues={":x": {"N": "1"}},
    )
    ddb.delete_item(TableName=table, Key={"id": {"S": "a"}})
    put(runtime, table, "b")
    drain(stream, lambda: sum(len(e["Records"]) for e in seen) >= 2)
    stream.poll_once()
    records = [r for e in seen for r in e["Records"]]
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT"]
    assert [r["dynamodb"]["NewImage"]["id"]["S"] for r in records] == ["a", "b"]
    first = records[0]
    assert first["eventSource"] == "aws:dynamodb" and first["eventSourceARN"] == stream.binding.stream_arn
    assert first["awsRegion"] == "eu-west-2" and isinstance(first["dynamodb"]["ApproximateCreationDateTime"], float)
    json.dumps(seen)  # the event is plain JSON, as Lambda delivers it


def test_a_partial_failure_is_redelivered_from_the_first_failed_record(runtime) -> None:
    seen: list[list[str]] = []

    def invoke(event: dict[str, Any]) -> Any:
        seen.append(ids(event))
        if len(seen) == 1:  # the third and fifth fail once
            return {
                "batchItemFailures": [
                    {"itemIdentifier": r["dynamodb"]["SequenceNumber"]}
                    for r in event["Records"]
                    if ids({"Records": [r]})[0] in ("3", "5")
                ]
            }
        return {"batchItemFailures": []}

    stream, table = poller(runtime, invoke)
    put(runtime, table, "1", "2", "3", "4", "5")
    drain(stream, lambda: len(seen) >= 2)
    assert seen == [["1", "2", "3", "4", "5"], ["3", "4", "5"]]
    assert stream.delivered == 5


def test_a_failing_batch_is_halved_retried_then_sent_to_the_on_failure_queue(runtime) -> None:
    seen: list[list[str]] = []

    def invoke(event: dict[str, Any]) -> Any:
        seen.append(ids(event))
        if "poison" in ids(event):
            raise RuntimeError("the function crashed")
        return {"batchItemFailures": []}

    stream, table = poller(runtime, invoke, batch_size=4, max_retry_attempts=2)
    put(runtime, table, "ok1", "poison", "ok2", "ok3")
    drain(stream, lambda: stream.failed_batches == 1 and stream.delivered == 3)
    assert seen[0] == ["ok1", "poison", "ok2", "ok3"]
    assert seen[1] == ["ok1", "poison"]  # bisected
    assert ["ok1"] in seen and ["poison"] in seen  # isolated, then given up on after the retries
    assert seen[-1][-1] == "ok3"
    (message,) = runtime.client("sqs").receive_message(QueueUrl=stream.binding.failure_queue_url)["Messages"]
    info = json.loads(message["Body"])["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1 and info["streamArn"] == stream.binding.stream_arn


def forwarder_event(*images: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventID": str(n),
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "eu-west-2",
                "eventSourceARN": "arn:aws:dynamodb:eu-west-2:123456789012:table/outbox/stream/x",
                "dynamodb": {
                    "Keys": {"event_id": image["event_id"]},
                    "NewImage": image,
                    "SequenceNumber": str(100 + n),
                },
            }
            for n, image in enumerate(images)
        ]
    }


def outbox_image(detail: str, detail_type: str = "StreamTestHappened") -> dict[str, Any]:
    return {
        "event_id": {"S": uuid.uuid4().hex},
        "source": {"S": "convene"},
        "detail_type": {"S": detail_type},
        "detail": {"S": detail},
    }


def test_the_forwarder_turns_an_outbox_record_into_one_entry_with_a_json_object_detail() -> None:
    image = outbox_image('{"event_id": "e1", "x": 1}')
    assert to_entry(image, "bus") == {
        "Source": "convene",
        "DetailType": "StreamTestHappened",
        "Detail": '{"event_id": "e1", "x": 1}',
        "EventBusName": "bus",
    }
    for bad in (outbox_image('"a string, not an object"'), {"event_id": {"S": "x"}}):
        with pytest.raises(NotAnOutboxRecord):
            to_entry(bad, "bus")


def test_the_forwarder_reports_the_failed_record_and_holds_back_the_ones_after_it(runtime) -> None:
    event = forwarder_event(outbox_image('{"n": 1}'), outbox_image("[1, 2]"), outbox_image('{"n": 3}'))
    result = runtime.pools["outbox-forwarder"].invoke(event)
    assert result == {"batchItemFailures": [{"itemIdentifier": "101"}, {"itemIdentifier": "102"}]}
    assert runtime.pools["outbox-forwarder"].invoke(forwarder_event(outbox_image('{"n": 4}'))) == {
        "batchItemFailures": []
    }


def test_the_outbox_is_read_by_the_declared_forwarder_only(runtime) -> None:
    (forwarder,) = [f for f in FUNCTIONS if f.of_type(StreamTrigger)]
    assert [s.function for s in runtime.resources.streams] == [forwarder.name]
    assert [p.binding.function for p in runtime.stream_pollers] == [forwarder.name]
