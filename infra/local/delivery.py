"""Event delivery, as on AWS: outbox stream -> bus (what EventBridge Pipes does), and
bus -> rule -> SQS queue -> function in batches (what the Lambda event source mapping does),
with partial batch failures redelivered and, after the receive count, dead-lettered by SQS."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from .moto_server import REGION
from .provision import QueueBinding, Resources

logger = logging.getLogger("convene.local")


class OutboxPump:
    """Reads the outbox table's stream with the DynamoDB Streams API and puts each new
    event on the bus: INSERT records only, in stream order, as the Pipe's filter does."""

    def __init__(self, clients: Callable[[str], Any], resources: Resources, on_delivered: Callable[[], None]) -> None:
        self.streams = clients("dynamodbstreams")
        self.ddb = clients("dynamodb")
        self.events = clients("events")
        self.resources = resources
        self.on_delivered = on_delivered
        self._next_sequence: dict[str, int] = {}
        self._pending: dict[str, int] = {}
        self._reading = threading.Lock()
        self.forwarded = 0
        self.stopping = threading.Event()

    def _iterator(self, shard_id: str) -> str:
        # A fresh iterator on every poll: moto replaces a table's stream shard object when it
        # rolls back a cancelled transaction, and an old iterator would go on reading the
        # orphaned shard. We keep our own position instead.
        position = self._next_sequence.get(shard_id)
        request: dict[str, Any] = {"StreamArn": self.resources.stream_arn, "ShardId": shard_id}
        if position is None:
            request["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            request.update(ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=str(position))
        return str(self.streams.get_shard_iterator(**request)["ShardIterator"])

    def pump_once(self) -> int:
        # One reader at a time: the pump thread and wait_until_idle() both call this.
        with self._reading:
            return self._pump_once()

    def _pump_once(self) -> int:
        description = self.streams.describe_stream(StreamArn=self.resources.stream_arn)["StreamDescription"]
        moved = 0
        for shard in description["Shards"]:
            shard_id = shard["ShardId"]
            response = self.streams.get_records(ShardIterator=self._iterator(shard_id), Limit=100)
            inserts = [r for r in response.get("Records", []) if r.get("eventName") == "INSERT"]
            committed = self._committed([r["dynamodb"]["NewImage"]["event_id"]["S"] for r in inserts])
            forward: list[dict[str, Any]] = []
            for record in response.get("Records", []):
                sequence = int(record["dynamodb"]["SequenceNumber"])
                if record.get("eventName") == "INSERT":
                    image = record["dynamodb"]["NewImage"]
                    if image["event_id"]["S"] not in committed:
                        break  # a cancelled write: re-read from here next time, on the live shard
                    forward.append(
                        {
                            "Source": image["source"]["S"],
                            "DetailType": image["detail_type"]["S"],
                            "Detail": image["detail"]["S"],
                            "EventBusName": self.resources.bus_name,
                        }
                    )
                self._pending[shard_id] = sequence + 1
            for start in range(0, len(forward), 10):
                result = self.events.put_events(Entries=forward[start : start + 10])
                if result.get("FailedEntryCount"):
                    self._pending.pop(shard_id, None)
                    raise RuntimeError(f"put_events failed: {result}")
            moved += len(forward)
            if shard_id in self._pending:  # only once every event is on the bus: a failed put is retried
                self._next_sequence[shard_id] = self._pending.pop(shard_id)
        if moved:
            self.forwarded += moved
            self.on_delivered()
        return moved

    def _committed(self, event_ids: list[str]) -> set[str]:
        """Which of these outbox items really exist. moto (unlike DynamoDB) runs the writes of a
        transaction it then cancels, and a reader that took its shard iterator just before can
        see their stream records; an event whose outbox item is absent was never committed."""
        found: set[str] = set()
        table = self.resources.tables["outbox"]
        for start in range(0, len(event_ids), 100):
            request = {
                table: {
                    "Keys": [{"event_id": {"S": e}} for e in event_ids[start : start + 100]],
                    "ConsistentRead": True,
                    "ProjectionExpression": "event_id",
                }
            }
            while request:
                response = self.ddb.batch_get_item(RequestItems=request)
                found.update(item["event_id"]["S"] for item in response["Responses"].get(table, []))
                request = response.get("UnprocessedKeys") or {}
        return found

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                moved = self.pump_once()
            except Exception:
                logger.exception("outbox pump failed; retrying")
                moved = 0
                time.sleep(0.5)
            if not moved:
                self.stopping.wait(0.05)


def sqs_event(messages: list[dict[str, Any]], binding: QueueBinding) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping passes to the function."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": binding.queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


class QueuePoller:
    """One event source mapping: poll, invoke with a batch, delete what succeeded."""

    def __init__(
        self,
        clients: Callable[[str], Any],
        binding: QueueBinding,
        invoke: Callable[[dict[str, Any]], Any],
        wake: threading.Event,
        retry_delay_seconds: int | None = None,
    ) -> None:
        self.sqs = clients("sqs")
        self.binding = binding
        self.invoke = invoke
        self.wake = wake
        #: None: failed records wait out the queue's visibility timeout, exactly as on AWS.
        self.retry_delay_seconds = retry_delay_seconds
        self.stopping = threading.Event()
        self.batches = 0
        self.failures = 0

    def poll_once(self) -> int:
        response = self.sqs.receive_message(
            QueueUrl=self.binding.queue_url,
            MaxNumberOfMessages=min(self.binding.trigger.batch_size, 10),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,  # long polling would hold the serialized moto backend
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        self.batches += 1
        failed: set[str] = set()
        try:
            result = self.invoke(sqs_event(messages, self.binding))
            for failure in (result or {}).get("batchItemFailures", []):
                failed.add(failure["itemIdentifier"])
        except Exception:
            logger.exception("%s failed on a whole batch", self.binding.function)
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.binding.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        if failed:
            self.failures += len(failed)
            if self.retry_delay_seconds is not None:
                self.sqs.change_message_visibility_batch(
                    QueueUrl=self.binding.queue_url,
                    Entries=[
                        {
                            "Id": str(i),
                            "ReceiptHandle": m["ReceiptHandle"],
                            "VisibilityTimeout": self.retry_delay_seconds,
                        }
                        for i, m in enumerate(messages)
                        if m["MessageId"] in failed
                    ],
                )
        return len(messages)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                handled = self.poll_once()
            except Exception:
                logger.exception("polling %s failed; retrying", self.binding.queue_url)
                handled = 0
                time.sleep(0.5)
            if not handled:
                self.wake.wait(0.25)
                self.wake.clear()
