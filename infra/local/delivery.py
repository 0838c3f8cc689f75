"""Event delivery, as on AWS: bus -> rule -> SQS queue -> function in batches (what the Lambda
event source mapping does), with partial batch failures redelivered and, after the receive
count, dead-lettered by SQS. (The outbox stream -> bus leg is a declared function on a stream
trigger: see ``streams.py``.)

A poller sleeps until a message lands in its queue (moto tells the runtime, see
``moto_patches.queue_listeners``), until a message it failed becomes visible again, or a slow
safety poll: an idle ``convene dev`` does almost nothing."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from .moto_server import REGION
from .provision import QueueBinding

#: Without a wake-up, look at the queue this often anyway (a missed signal costs this much).
SAFETY_POLL_SECONDS = 5.0

logger = logging.getLogger("convene.local")


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
        *,
        before_batch: Callable[[], object] = lambda: None,
    ) -> None:
        self.sqs = clients("sqs")
        #: Called before each receive (the runtime lets requests in flight go first).
        self.before_batch = before_batch
        self.binding = binding
        self.invoke = invoke
        self.wake = wake
        #: None: failed records wait out the queue's visibility timeout, exactly as on AWS.
        self.retry_delay_seconds = retry_delay_seconds
        self.stopping = threading.Event()
        self.batches = 0
        self.failures = 0
        #: When the earliest message this poller failed becomes visible again (monotonic), or 0.
        self._retry_at = 0.0

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
            delay = self.retry_delay_seconds
            if delay is None:
                delay = self.binding.trigger.visibility_timeout_seconds
            due = time.monotonic() + delay
            self._retry_at = min(self._retry_at, due) if self._retry_at else due
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
            self.wake.clear()
            if self._retry_at and time.monotonic() >= self._retry_at:
                self._retry_at = 0.0
            self.before_batch()
            if self.stopping.is_set():
                break
            try:
                handled = self.poll_once()
            except Exception:
                logger.exception("polling %s failed; retrying", self.binding.queue_url)
                handled = 0
                self.stopping.wait(0.5)
            if handled:
                continue
            wait = SAFETY_POLL_SECONDS
            if self._retry_at:
                wait = max(0.0, min(wait, self._retry_at - time.monotonic()))
            self.wake.wait(wait)
