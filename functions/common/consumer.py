"""Event consumers: SQS batches of EventBridge events, processed record by record.

Only the records that fail are reported back (``ReportBatchItemFailures``), so SQS redelivers
just those and, after the queue's receive count, moves them to the dead-letter queue.
Each (consumer, event id) is handled once: Powertools idempotency records the outcome in the
idempotency table, so an event delivered three times sends one email.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from schemas.events import EVENT_TYPES
from schemas.events.base import DomainEvent

logger = logging.getLogger("convene")

EventHandler = Callable[[Any], None]


class UnknownEvent(ValueError):
    pass


def parse_envelope(body: str) -> DomainEvent:
    """The EventBridge event as SQS delivers it (local delivery lacks ``account``: we don't
    need it, so we read only ``detail-type`` and ``detail``)."""
    envelope = json.loads(body)
    detail_type = envelope.get("detail-type")
    model = EVENT_TYPES.get(str(detail_type))
    if model is None:
        raise UnknownEvent(f"no model for detail-type {detail_type!r}")
    detail = envelope.get("detail")
    if isinstance(detail, str):
        detail = json.loads(detail)
    return model.model_validate(detail)


@cache
def _persistence() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])


def consumer(name: str, handlers: Mapping[type[DomainEvent], EventHandler]) -> Callable[[dict[str, Any], Any], Any]:
    """Build the Lambda handler of the consumer ``name`` dispatching each event type."""
    by_type = {model.detail_type(): handler for model, handler in handlers.items()}
    config = IdempotencyConfig(
        event_key_jmespath="[consumer, event_id]",
        expires_after_seconds=7 * 24 * 3600,
        raise_on_no_idempotency_key=True,
    )
    processor = BatchProcessor(event_type=EventType.SQS)
    state: dict[str, Any] = {}

    def handle_once(*, work: dict[str, Any]) -> dict[str, str]:
        event = EVENT_TYPES[work["detail_type"]].model_validate_json(work["detail"])
        by_type[work["detail_type"]](event)
        return {"handled": work["event_id"]}

    def record_handler(record: Any) -> None:
        event = parse_envelope(record.body)
        if event.detail_type() not in by_type:
            logger.warning("%s ignores %s", name, event.detail_type())
            return
        persistence = _persistence()
        # Rebuilt when the persistence layer is (a local runtime started again in the same process
        # clears it): a wrapper kept from before would record outcomes through a stale client.
        if state.get("persistence") is not persistence:
            state["persistence"] = persistence
            state["once"] = idempotent_function(
                data_keyword_argument="work", persistence_store=persistence, config=config
            )(handle_once)
        state["once"](
            work={
                "consumer": name,
                "event_id": event.event_id,
                "detail_type": event.detail_type(),
                "detail": event.model_dump_json(),
            }
        )

    def handler(event: dict[str, Any], context: Any) -> Any:
        config.register_lambda_context(context)
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    handler.consumer_name = name  # type: ignore[attr-defined]
    handler.handlers = by_type  # type: ignore[attr-defined]  # what it handles, for tests and tooling
    return handler
