"""The vocabulary of the declaration: functions, their triggers, and tables.

Both the CDK stack (``infra/stack.py``) and the local runtime (``infra/local``) are built
from instances of these classes, so deployed and local behaviour cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from schemas.constants import EVENT_SOURCE

#: The environment every function runs with, deployed and local alike. pydantic otherwise reads
#: the entry points of every installed distribution on its first schema, looking for plugins,
#: in each cold start; Convene uses none.
FUNCTION_ENVIRONMENT: dict[str, str] = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}

AttributeType = Literal["S", "N", "B"]
TableAccess = Literal["read", "read_write"]


@dataclass(frozen=True)
class Key:
    name: str
    type: AttributeType = "S"


@dataclass(frozen=True)
class Index:
    """A global secondary index projecting all attributes."""

    name: str
    partition_key: Key
    sort_key: Key | None = None


@dataclass(frozen=True)
class Table:
    """A DynamoDB table. ``name`` is logical; the deployed name is generated."""

    name: str
    partition_key: Key
    sort_key: Key | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    #: ``NEW_IMAGE`` on the outbox: its stream is what carries events to the bus.
    stream: Literal["NEW_IMAGE"] | None = None
    holds_personal_data: bool = True

    @property
    def env_var(self) -> str:
        """Environment variable through which functions learn the table's real name."""
        return f"{self.name.upper()}_TABLE"


@dataclass(frozen=True)
class ApiTrigger:
    """API Gateway forwards every method on each prefix, and everything below it, to the
    function; the function's resolver alone declares the individual routes."""

    prefixes: tuple[str, ...]


@dataclass(frozen=True)
class EventTrigger:
    """An EventBridge rule on the custom bus delivering into an SQS queue (with a DLQ) that
    feeds the function in batches, reporting partial batch failures."""

    name: str
    detail_types: tuple[str, ...]
    #: Extra content filter on ``detail``, in EventBridge pattern syntax.
    detail: dict[str, object] | None = None
    batch_size: int = 10
    max_receive_count: int = 3
    visibility_timeout_seconds: int = 60
    #: Who publishes the events: Convene's own domain events by default; AWS services publish
    #: theirs under their own source (SES bounces and complaints come from ``aws.ses``).
    source: str = EVENT_SOURCE

    def pattern(self) -> dict[str, object]:
        pattern: dict[str, object] = {
            "source": [self.source],
            "detail-type": list(self.detail_types),
        }
        if self.detail:
            pattern["detail"] = self.detail
        return pattern


@dataclass(frozen=True)
class ScheduleTrigger:
    """An EventBridge Scheduler schedule invoking the function with ``{"schedule": name}``."""

    name: str
    #: ``rate(1 day)`` or ``cron(min hour day-of-month month day-of-week year)``
    expression: str
    timezone: str = "Europe/London"
    description: str = ""


@dataclass(frozen=True)
class StreamTrigger:
    """A Lambda event source mapping on a declared table's DynamoDB stream: batches of stream
    records, filtered before the function sees them, partial batch failures reported by
    sequence number (retried from the first failure), halved on error, retried a bounded
    number of times, then sent to an on-failure queue."""

    name: str
    #: The logical name of a table declared with a stream.
    table: str
    #: Lambda event filter patterns on the stream record (EventBridge pattern syntax); a
    #: record reaches the function if any pattern matches. INSERT only by default.
    filters: tuple[dict[str, object], ...] = ({"eventName": ["INSERT"]},)
    batch_size: int = 10
    #: TRIM_HORIZON: records written before the mapping first starts are not lost.
    starting_position: Literal["TRIM_HORIZON", "LATEST"] = "TRIM_HORIZON"
    max_retry_attempts: int = 10
    max_record_age_seconds: int = 24 * 3600
    bisect_batch_on_error: bool = True


Trigger = ApiTrigger | EventTrigger | ScheduleTrigger | StreamTrigger


@dataclass(frozen=True)
class Function:
    name: str
    #: ``module:function`` of the Lambda handler
    handler: str
    description: str
    triggers: tuple[Trigger, ...]
    tables: dict[str, TableAccess] = field(default_factory=dict)
    sends_email: bool = False
    reads_signing_keys: bool = False
    #: Puts events on the bus itself (only the outbox forwarder: everything else writes the outbox).
    publishes_events: bool = False
    buckets: dict[str, TableAccess] = field(default_factory=dict)
    memory_mb: int = 512
    timeout_seconds: int = 15
    #: Counts the messages waiting in every dead-letter queue (the team home's tile): it gets
    #: ``DEAD_LETTER_QUEUE_PREFIX`` and may list queues and read the dead-letter queues' attributes.
    reads_dead_letter_queues: bool = False

    @property
    def module(self) -> str:
        return self.handler.split(":", 1)[0]

    @property
    def package(self) -> str:
        """The area's package: ``functions.sigs`` for ``functions.sigs.handler:handler``."""
        return self.module.rsplit(".", 1)[0]

    @property
    def attribute(self) -> str:
        return self.handler.split(":", 1)[1]

    def of_type(self, kind: type[Trigger]) -> list[Trigger]:  # type: ignore[valid-type]
        return [t for t in self.triggers if isinstance(t, kind)]


@dataclass(frozen=True)
class Bucket:
    name: str

    @property
    def env_var(self) -> str:
        return f"{self.name.upper()}_BUCKET"


#: Names of the queues that hold what could not be processed, the same on AWS (prefix: the
#: stack's name) and locally (prefix: the runtime's), so one function counts them in both.
DEAD_LETTER_SUFFIXES = ("-dlq", "-failed")


def dead_letter_queue_name(prefix: str, trigger_name: str) -> str:
    """An event trigger's dead-letter queue (events its function kept failing, or EventBridge
    could not deliver)."""
    return f"{prefix}-{trigger_name}-dlq"


def failed_records_queue_name(prefix: str, trigger_name: str) -> str:
    """A stream trigger's on-failure queue (batches still failing after the retries)."""
    return f"{prefix}-{trigger_name}-failed"
