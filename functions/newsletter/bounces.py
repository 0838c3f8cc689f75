"""Bounces and complaints: SES publishes them to EventBridge (source ``aws.ses``, detail-types
"Email Bounced" and "Email Complaint Received", the detail being SES's event record). A hard
bounce or a complaint suppresses the address: nothing is sent to it again, newsletter or
confirmation.

These are AWS's events, not Convene's domain events, so this is a plain SQS batch handler
rather than ``functions.common.consumer``. Suppressing is a put of the same record, so
handling an event twice does no harm and needs no idempotency record.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from functions.common.ids import utcnow

from . import domain
from .repository import NewsletterRepository

logger = logging.getLogger("convene")

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: Any) -> None:
    try:
        envelope = json.loads(record.body)
        detail = envelope.get("detail") or {}
        if isinstance(detail, str):
            detail = json.loads(detail)
    except (ValueError, AttributeError):
        # Not something SES would send: retrying cannot fix it, so log it and let it go.
        logger.error("ignoring a malformed SES event: %.200s", record.body)
        return
    found = domain.suppressions(str(envelope.get("detail-type", "")), detail if isinstance(detail, dict) else {})
    repo = NewsletterRepository()
    for suppression in found:
        repo.suppress(suppression.email, suppression.reason, utcnow().isoformat())
        logger.info("suppressed an address (%s)", suppression.reason)


def handler(event: dict[str, Any], context: Any) -> Any:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
