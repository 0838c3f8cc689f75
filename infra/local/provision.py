"""Create, on moto, every resource the declaration names: the same tables, bus, rules,
queues and dead-letter queues the CDK stack creates on AWS."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from schemas.declaration import (
    BUCKETS,
    EVENT_SOURCE,
    FUNCTIONS,
    TABLES,
    EventTrigger,
    ScheduleTrigger,
    StreamTrigger,
    Table,
    dead_letter_queue_name,
    failed_records_queue_name,
)

from .patterns import UnsupportedTrigger, check_pattern
from .schedules import parse_expression

PREFIX = "convene-local"


@dataclass
class QueueBinding:
    function: str
    trigger: EventTrigger
    queue_url: str
    queue_arn: str
    dlq_url: str


@dataclass
class StreamBinding:
    """A stream event source mapping: the table's stream, and the queue that receives the
    description of a batch that still failed after the declared retries (its on-failure
    destination)."""

    function: str
    trigger: StreamTrigger
    table: str
    stream_arn: str
    failure_queue_url: str


@dataclass
class Resources:
    bus_name: str
    tables: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)
    queues: list[QueueBinding] = field(default_factory=list)
    streams: list[StreamBinding] = field(default_factory=list)

    def environment(self) -> dict[str, str]:
        env = {f"{name.upper()}_TABLE": physical for name, physical in self.tables.items()}
        env.update({f"{name.upper()}_BUCKET": physical for name, physical in self.buckets.items()})
        env["EVENT_BUS_NAME"] = self.bus_name
        env["DEAD_LETTER_QUEUE_PREFIX"] = PREFIX
        return env


def check_declaration() -> None:
    """Refuse, before anything starts, whatever the runtime cannot emulate faithfully."""
    for function in FUNCTIONS:
        for trigger in function.triggers:
            if isinstance(trigger, EventTrigger):
                check_pattern(trigger.pattern(), where=f"{function.name}/{trigger.name}")
            elif isinstance(trigger, ScheduleTrigger):
                parse_expression(trigger.expression, trigger.timezone)
            elif isinstance(trigger, StreamTrigger):
                for pattern in trigger.filters:
                    check_pattern(pattern, where=f"{function.name}/{trigger.name}")


def _create_table(ddb: Any, table: Table, physical: str) -> None:
    attributes = {table.partition_key.name: table.partition_key.type}
    keys = [{"AttributeName": table.partition_key.name, "KeyType": "HASH"}]
    if table.sort_key:
        attributes[table.sort_key.name] = table.sort_key.type
        keys.append({"AttributeName": table.sort_key.name, "KeyType": "RANGE"})
    indexes = []
    for index in table.indexes:
        attributes[index.partition_key.name] = index.partition_key.type
        schema = [{"AttributeName": index.partition_key.name, "KeyType": "HASH"}]
        if index.sort_key:
            attributes[index.sort_key.name] = index.sort_key.type
            schema.append({"AttributeName": index.sort_key.name, "KeyType": "RANGE"})
        indexes.append({"IndexName": index.name, "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}})
    request: dict[str, Any] = {
        "TableName": physical,
        "KeySchema": keys,
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": v} for k, v in attributes.items()],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    if table.stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream}
    ddb.create_table(**request)
    if table.ttl_attribute:
        ddb.update_time_to_live(
            TableName=physical, TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute}
        )


def provision(clients: Any, sender_address: str) -> Resources:
    check_declaration()
    resources = Resources(bus_name=f"{PREFIX}-bus")
    ddb = clients("dynamodb")
    stream_arns: dict[str, str] = {}
    for table in TABLES:
        physical = f"{PREFIX}-{table.name}"
        _create_table(ddb, table, physical)
        resources.tables[table.name] = physical
        if table.stream:
            stream_arns[table.name] = ddb.describe_table(TableName=physical)["Table"]["LatestStreamArn"]

    events = clients("events")
    events.create_event_bus(Name=resources.bus_name)
    sqs = clients("sqs")
    for function in FUNCTIONS:
        for trigger in function.triggers:
            if isinstance(trigger, StreamTrigger):
                if trigger.table not in stream_arns:
                    raise UnsupportedTrigger(f"{function.name}/{trigger.name}: table {trigger.table!r} has no stream")
                failed = sqs.create_queue(QueueName=failed_records_queue_name(PREFIX, trigger.name))["QueueUrl"]
                resources.streams.append(
                    StreamBinding(
                        function.name, trigger, resources.tables[trigger.table], stream_arns[trigger.table], failed
                    )
                )
    for function in FUNCTIONS:
        for trigger in function.triggers:
            if not isinstance(trigger, EventTrigger):
                continue
            name = f"{PREFIX}-{trigger.name}"
            dlq_url = sqs.create_queue(QueueName=dead_letter_queue_name(PREFIX, trigger.name))["QueueUrl"]
            dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            queue_url = sqs.create_queue(
                QueueName=name,
                Attributes={
                    "VisibilityTimeout": str(trigger.visibility_timeout_seconds),
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": trigger.max_receive_count}
                    ),
                },
            )["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            # As in the stack: Convene's events on its own bus, AWS services' on the default bus.
            bus = resources.bus_name if trigger.pattern()["source"] == [EVENT_SOURCE] else "default"
            events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(trigger.pattern()), State="ENABLED")
            events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}])
            resources.queues.append(QueueBinding(function.name, trigger, queue_url, queue_arn, dlq_url))

    s3 = clients("s3")
    for bucket in BUCKETS:
        physical = f"{PREFIX}-{bucket.name}"
        s3.create_bucket(Bucket=physical, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        resources.buckets[bucket.name] = physical

    ses = clients("ses")
    ses.verify_email_identity(EmailAddress=sender_address)
    ses.verify_domain_identity(Domain=sender_address.split("@", 1)[1])
    return resources
