"""The single declaration of Convene's functions, triggers, tables and buckets.

Each area of the product contributes its functions from its own module; this package
collects them. Importing it needs no AWS account, no CDK and no network.
"""

from __future__ import annotations

from . import (
    canary,
    chain,
    comments,
    core,
    events,
    followups,
    funding,
    newsletter,
    openspace,
    outbox,
    sigs,
    team,
    visits,
)
from .model import (
    DEAD_LETTER_SUFFIXES,
    EVENT_SOURCE,
    FUNCTION_ENVIRONMENT,
    ApiTrigger,
    Bucket,
    EventTrigger,
    Function,
    Index,
    Key,
    ScheduleTrigger,
    StreamTrigger,
    Table,
    dead_letter_queue_name,
    failed_records_queue_name,
)
from .tables import TABLES

_AREAS = (core, sigs, funding, visits, newsletter, events, openspace, team, outbox, canary, chain, followups, comments)

FUNCTIONS: tuple[Function, ...] = tuple(f for area in _AREAS for f in area.FUNCTIONS)
BUCKETS: tuple[Bucket, ...] = tuple(b for area in _AREAS for b in getattr(area, "BUCKETS", ()))

__all__ = [
    "BUCKETS",
    "DEAD_LETTER_SUFFIXES",
    "EVENT_SOURCE",
    "FUNCTIONS",
    "FUNCTION_ENVIRONMENT",
    "TABLES",
    "ApiTrigger",
    "Bucket",
    "EventTrigger",
    "Function",
    "Index",
    "Key",
    "ScheduleTrigger",
    "StreamTrigger",
    "Table",
    "dead_letter_queue_name",
    "failed_records_queue_name",
    "function_named",
    "table_named",
]


def function_named(name: str) -> Function:
    for function in FUNCTIONS:
        if function.name == name:
            return function
    raise KeyError(name)


def table_named(name: str) -> Table:
    for table in TABLES:
        if table.name == name:
            return table
    raise KeyError(name)
