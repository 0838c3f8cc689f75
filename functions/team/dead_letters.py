"""The ``team-dead-letters`` schedule: counts the events waiting in every dead-letter queue and
keeps one attention item per queue that holds any, so the team home shows them with the Query
it already makes.

The queues are found by name (``schemas.declaration.model``: ``<prefix>-<trigger>-dlq`` for an
event trigger, ``<prefix>-<trigger>-failed`` for a stream trigger's on-failure queue), with
the prefix the stack (or the local runtime) gives in ``DEAD_LETTER_QUEUE_PREFIX``: one
ListQueues and one GetQueueAttributes per dead-letter queue, every five minutes. SQS's counts
are approximate (and lag by up to a minute), which is all a tile needs.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from functions.common.aws import client
from functions.common.ids import utcnow
from functions.common.store import Store
from schemas.declaration.model import DEAD_LETTER_SUFFIXES

from .attention import DEAD_LETTERS
from .ledger import Ledger

logger = logging.getLogger("convene")

SCHEDULE = "team-dead-letters"


def queue_label(name: str, prefix: str) -> str | None:
    """``convene-local-visits-email-dlq`` -> ``visits-email``; None for a queue that is not a
    dead-letter queue of this deployment."""
    if not name.startswith(prefix + "-"):
        return None
    for suffix in DEAD_LETTER_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(prefix) + 1 + len(suffix):
            return name[len(prefix) + 1 : -len(suffix)]
    return None


def dead_letter_counts(prefix: str) -> dict[str, int]:
    """Messages in each dead-letter queue, by trigger name (visible and in flight: a message
    being looked at by `convene dlq` or the console is still dead-lettered)."""
    sqs = client("sqs")
    counts: dict[str, int] = {}
    pages = sqs.get_paginator("list_queues").paginate(QueueNamePrefix=f"{prefix}-")
    for url in (u for page in pages for u in page.get("QueueUrls", [])):
        label = queue_label(url.rsplit("/", 1)[-1], prefix)
        if label is None:
            continue
        attributes = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        counts[label] = int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
            attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
        )
    return counts


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("schedule") != SCHEDULE:
        raise ValueError(f"unknown schedule {event.get('schedule')!r}")
    counts = dead_letter_counts(os.environ["DEAD_LETTER_QUEUE_PREFIX"])
    writes = Ledger(Store()).set_counts(DEAD_LETTERS, counts, utcnow().isoformat())
    waiting = {label: n for label, n in counts.items() if n}
    if waiting:
        logger.warning("dead-lettered events waiting: %s", waiting)
    return {"schedule": SCHEDULE, "queues": len(counts), "dead_lettered": sum(counts.values()), "writes": writes}
