"""DynamoDB stream event source mappings, emulated as Lambda runs them: read the table's
stream through the DynamoDB Streams API, let only records matching the declared filters
through, invoke the function with the event shape Lambda builds, and honour its answer.

- ``batchItemFailures`` (sequence numbers): the batch is retried from the first failed record,
  as Lambda does with ``ReportBatchItemFailures``; records before it count as done.
- A function error: the batch is retried, halved first when the trigger declares
  ``bisect_batch_on_error``; after ``max_retry_attempts`` (or once its oldest record is older
  than ``max_record_age_seconds``) the batch's description goes to the on-failure queue and
  the mapping moves past it, exactly as on AWS.

Nothing here knows what the function does: the outbox's forwarder is one such function.
The poller sleeps until the table's stream gets a record (moto tells the runtime, see
``moto_patches.stream_listeners``), a retry falls due, or a slow safety poll.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.events.models import EventPattern

from .moto_server import REGION
from .provision import StreamBinding

logger = logging.getLogger("convene.local")

#: Without a wake-up, look at the stream this often anyway (a missed signal costs this much).
SAFETY_POLL_SECONDS = 5.0
#: First wait before retrying a failed batch; doubled per attempt up to the maximum.
RETRY_DELAY_SECONDS = 0.2
MAX_RETRY_DELAY_SECONDS = 5.0


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A stream record as Lambda passes it to the function."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


class StreamPoller:
    def __init__(
        self,
        clients: Callable[[str], Any],
        binding: StreamBinding,
        invoke: Callable[[dict[str, Any]], Any],
        *,
        before_batch: Callable[[], object] = lambda: None,
    ) -> None:
        self.streams = clients("dynamodbstreams")
        #: Called before each read of the stream (the runtime lets requests in flight go first).
        self.before_batch = before_batch
        self.sqs = clients("sqs")
        self.binding = binding
        self.trigger = binding.trigger
        self.invoke = invoke
        self.filters = [EventPattern.load(json.dumps(p)) for p in self.trigger.filters]
        self.wake = threading.Event()
        self.stopping = threading.Event()
        #: Next sequence number to read, per shard (None: the declared starting position).
        self.position: dict[str, int] = {}
        self._reading = threading.Lock()
        self._attempts = 0
        self._batch_limit = self.trigger.batch_size
        self._retry_at = 0.0
        #: The stream's shards, described once: a local table's stream keeps its one shard.
        self._shard_ids: list[str] | None = None
        self.delivered = 0
        self.failed_batches = 0

    # -- reading ---------------------------------------------------------------------------------
    def _records(self, shard_id: str, limit: int = 100) -> list[dict[str, Any]]:
        position = self.position.get(shard_id)
        request: dict[str, Any] = {"StreamArn": self.binding.stream_arn, "ShardId": shard_id}
        if position is None:
            request["ShardIteratorType"] = self.trigger.starting_position
        else:
            request.update(ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=str(position))
        iterator = self.streams.get_shard_iterator(**request)["ShardIterator"]
        records: list[dict[str, Any]] = self.streams.get_records(ShardIterator=iterator, Limit=limit).get("Records", [])
        if position is None and records:
            # Fix the position now, so a LATEST mapping does not move on with the stream.
            self.position[shard_id] = int(records[0]["dynamodb"]["SequenceNumber"])
        return records

    def _matches(self, record: dict[str, Any]) -> bool:
        """Lambda applies the filters to the record as the function would receive it."""
        return any(f.matches_event(record) for f in self.filters)  # type: ignore[arg-type]

    def pending(self) -> int:
        """Records after the current position that the function would receive."""
        with self._reading:
            return sum(
                1
                for shard in self._shards()
                for record in self._records(shard)
                if self._matches(lambda_record(record, self.binding.stream_arn))
            )

    def _shards(self) -> list[str]:
        if self._shard_ids is None:
            description = self.streams.describe_stream(StreamArn=self.binding.stream_arn)["StreamDescription"]
            self._shard_ids = [shard["ShardId"] for shard in description["Shards"]]
        return self._shard_ids

    # -- delivering ------------------------------------------------------------------------------
    def poll_once(self) -> int:
        """Deliver at most one batch per shard; the number of records the function took."""
        if time.monotonic() < self._retry_at:
            return 0
        with self._reading:
            return sum(self._deliver(shard) for shard in self._shards())

    def _deliver(self, shard_id: str) -> int:
        batch: list[dict[str, Any]] = []
        next_position: int | None = None
        for raw in self._records(shard_id):
            record = lambda_record(raw, self.binding.stream_arn)
            sequence = int(record["dynamodb"]["SequenceNumber"])
            if not self._matches(record):
                if not batch:
                    self.position[shard_id] = sequence + 1  # filtered out: Lambda never sees it
                continue
            if len(batch) == self._batch_limit:
                break
            batch.append(record)
            next_position = sequence + 1
        if not batch:
            return 0
        event = {"Records": batch}
        try:
            result = self.invoke(event) or {}
            failures = [int(f["itemIdentifier"]) for f in result.get("batchItemFailures", [])]
        except Exception:
            logger.exception("%s failed on a batch of %d stream records", self.binding.function, len(batch))
            self._failed(shard_id, batch, bisect=True)
            return 0
        if failures:
            first = min(failures)
            done = [r for r in batch if int(r["dynamodb"]["SequenceNumber"]) < first]
            self.position[shard_id] = first  # retried from the first failed record, as Lambda does
            self.delivered += len(done)
            self._failed(shard_id, batch[len(done) :], bisect=False)
            return len(done)
        assert next_position is not None
        self.position[shard_id] = next_position
        self.delivered += len(batch)
        self._attempts, self._batch_limit, self._retry_at = 0, self.trigger.batch_size, 0.0
        return len(batch)

    def _failed(self, shard_id: str, batch: list[dict[str, Any]], *, bisect: bool) -> None:
        self._attempts += 1
        if bisect and self.trigger.bisect_batch_on_error and len(batch) > 1:
            self._batch_limit = max(1, len(batch) // 2)
        age = time.time() - float(batch[0]["dynamodb"].get("ApproximateCreationDateTime") or time.time())
        if self._attempts > self.trigger.max_retry_attempts or age > self.trigger.max_record_age_seconds:
            self._give_up(shard_id, batch)
            return
        delay = min(MAX_RETRY_DELAY_SECONDS, RETRY_DELAY_SECONDS * 2 ** (self._attempts - 1))
        self._retry_at = time.monotonic() + delay

    def _give_up(self, shard_id: str, batch: list[dict[str, Any]]) -> None:
        """What Lambda sends to a stream mapping's on-failure destination: where the batch is
        in the stream (the records stay there for 24 hours), not the records."""
        first, last = batch[0]["dynamodb"]["SequenceNumber"], batch[-1]["dynamodb"]["SequenceNumber"]
        logger.error(
            "%s: giving up on stream records %s..%s after %d attempts",
            self.binding.function,
            first,
            last,
            self._attempts,
        )
        self.sqs.send_message(
            QueueUrl=self.binding.failure_queue_url,
            MessageBody=json.dumps(
                {
                    "requestContext": {
                        "condition": "RetryAttemptsExhausted",
                        "approximateInvokeCount": self._attempts,
                        "functionArn": self.binding.function,
                    },
                    "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
                    "version": "1.0",
                    "timestamp": datetime.now(UTC).isoformat(),
                    "DDBStreamBatchInfo": {
                        "shardId": shard_id,
                        "startSequenceNumber": first,
                        "endSequenceNumber": last,
                        "batchSize": len(batch),
                        "streamArn": self.binding.stream_arn,
                    },
                }
            ),
        )
        self.position[shard_id] = int(last) + 1
        self.failed_batches += 1
        self._attempts, self._batch_limit, self._retry_at = 0, self.trigger.batch_size, 0.0

    def run(self) -> None:
        while not self.stopping.is_set():
            self.wake.clear()
            self.before_batch()
            if self.stopping.is_set():
                break
            try:
                moved = self.poll_once()
            except Exception:
                logger.exception("reading the stream of %s failed; retrying", self.binding.table)
                self._shard_ids = None  # described afresh, in case the stream changed
                moved = 0
            if moved:
                continue
            wait = SAFETY_POLL_SECONDS
            if self._retry_at:
                wait = max(0.0, min(wait, self._retry_at - time.monotonic()))
            self.wake.wait(wait)
