"""DynamoDB adapter for the main table and the transactional outbox.

Every state change that others must hear about is written together with its events in one
``TransactWriteItems``: the outbox stream then forwards the events to the bus, so an event is
never lost between a change and its publication, and never published for a change that failed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import TYPE_CHECKING, Any

from schemas.constants import EVENT_SOURCE

from .aws import client
from .settings import settings

if TYPE_CHECKING:  # reads need no event model: the home page reads without loading pydantic
    from schemas.events.base import DomainEvent

#: How long an outbox record is kept: it is a transport buffer, read from the stream within
#: seconds, and as long as the stream keeps its copy (24 h), so personal data in events does
#: not outlive an erasure by more than a day.
OUTBOX_RETENTION_SECONDS = 24 * 3600


def to_attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _attribute(_plain(v)) for k, v in item.items() if v is not None}


def from_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _python(_value(v)) for k, v in attributes.items()}


# DynamoDB's attribute values, converted as boto3's TypeSerializer and TypeDeserializer do
# (``boto3.dynamodb.types``), without importing boto3: importing it loads its resource and
# S3 transfer machinery, ~15 ms of every cold start, and botocore alone makes the calls.

#: The numbers DynamoDB stores (38 digits, exponent -128 to 126); any other raises, never rounds.
_NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


def _attribute(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": value}
    if isinstance(value, Set) and all(map(_is_number, value)):
        return {"NS": [_number(n) for n in value]}
    if isinstance(value, Set) and all(isinstance(v, str) for v in value):
        return {"SS": list(value)}
    if isinstance(value, Set) and all(isinstance(v, (bytes, bytearray)) for v in value):
        return {"BS": list(value)}
    if isinstance(value, Mapping):
        return {"M": {k: _attribute(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [_attribute(v) for v in value]}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def _is_number(value: Any) -> bool:
    if isinstance(value, float):  # binary floats are inexact: ``_plain`` turns them into Decimals
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, (int, Decimal))


def _number(value: int | Decimal) -> str:
    number = str(_NUMBERS.create_decimal(value))
    if number in ("Infinity", "NaN"):
        raise TypeError("Infinity and NaN not supported")
    return number


def _value(attribute: Mapping[str, Any]) -> Any:
    if not attribute:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    kind, value = next(iter(attribute.items()))
    if kind in ("S", "BOOL", "B"):  # binary stays bytes (boto3 wraps it in its ``Binary``): no item here holds any
        return value
    if kind == "N":
        return _NUMBERS.create_decimal(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: _value(v) for k, v in value.items()}
    if kind == "L":
        return [_value(v) for v in value]
    if kind == "NS":
        return {_NUMBERS.create_decimal(n) for n in value}
    if kind in ("SS", "BS"):
        return set(value)
    raise TypeError(f"Dynamodb type {kind} is not supported")


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _python(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_python(v) for v in value]
    if isinstance(value, set):
        return {_python(v) for v in value}
    return value


@dataclass
class Condition:
    expression: str
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


NOT_EXISTS = Condition("attribute_not_exists(pk)")
EXISTS = Condition("attribute_exists(pk)")


@dataclass
class Put:
    item: dict[str, Any]
    condition: Condition | None = None
    table: str = "main"


@dataclass
class Update:
    key: dict[str, Any]
    expression: str
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    condition: str | None = None
    table: str = "main"


@dataclass
class Delete:
    key: dict[str, Any]
    condition: Condition | None = None
    table: str = "main"


@dataclass
class Check:
    key: dict[str, Any]
    condition: Condition
    table: str = "main"


Operation = Put | Update | Delete | Check


#: Sorts after every character of an id: closes a sort-key range whose keys end in ``#<id>``.
AFTER_IDS = "#~"


#: DynamoDB cancels a transaction that touches an item another transaction is writing at that
#: very moment (reason ``TransactionConflict``) instead of queueing it, and botocore does not
#: retry that. A rush on one hot item (a visit's counters) makes it common on AWS: the write is
#: tried again after a short, jittered wait; its conditions decide afresh each time.
CONFLICT_ATTEMPTS = 6


def _back_off(attempt: int) -> None:
    import random

    time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - jitter, not a secret


class ConditionFailed(Exception):
    """A conditional write did not hold. ``failed`` holds the indexes of the operations whose
    condition failed (for transactions), so callers can say precisely what went wrong."""

    def __init__(self, failed: Sequence[int] = ()) -> None:
        super().__init__(f"condition failed for operations {list(failed)}")
        self.failed = list(failed)


def outbox_put(event: DomainEvent) -> Put:
    return Put(
        table="outbox",
        item={
            "event_id": event.event_id,
            "source": EVENT_SOURCE,
            "detail_type": event.detail_type(),
            "detail": event.model_dump_json(),
            "occurred_at": event.occurred_at.isoformat(),
            "expires_at": int(time.time()) + OUTBOX_RETENTION_SECONDS,
        },
        condition=Condition("attribute_not_exists(event_id)"),
    )


class Store:
    """Thin, typed access to the tables. The domain never sees DynamoDB shapes."""

    def __init__(self, ddb: Any | None = None) -> None:
        self._ddb = ddb

    @property
    def ddb(self) -> Any:
        if self._ddb is None:
            self._ddb = client("dynamodb")
        return self._ddb

    @staticmethod
    def table_name(logical: str) -> str:
        return settings().table(logical)

    # -- reads --------------------------------------------------------------------------------
    def get(self, pk: str, sk: str, *, consistent: bool = True) -> dict[str, Any] | None:
        response = self.ddb.get_item(
            TableName=self.table_name("main"),
            Key=to_attributes({"pk": pk, "sk": sk}),
            ConsistentRead=consistent,
        )
        item = response.get("Item")
        return from_attributes(item) if item else None

    def get_many(self, keys: Iterable[tuple[str, str]], *, consistent: bool = False) -> list[dict[str, Any]]:
        unique = list(dict.fromkeys(keys))
        found: list[dict[str, Any]] = []
        table = self.table_name("main")
        for start in range(0, len(unique), 100):
            chunk = [to_attributes({"pk": pk, "sk": sk}) for pk, sk in unique[start : start + 100]]
            request: dict[str, Any] = {table: {"Keys": chunk, "ConsistentRead": consistent}}
            while request:
                response = self.ddb.batch_get_item(RequestItems=request)
                found.extend(from_attributes(i) for i in response.get("Responses", {}).get(table, []))
                request = response.get("UnprocessedKeys") or {}
        return found

    def query(
        self,
        pk: str,
        *,
        sk_prefix: str | None = None,
        sk_from: str | None = None,
        sk_to: str | None = None,
        index: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        consistent: bool = False,
        attributes: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """The items under one partition key (of the table or a GSI), optionally only those whose
        sort key starts with ``sk_prefix`` or lies between ``sk_from`` and ``sk_to`` (inclusive).
        By key condition only: every item read is returned, so ``ScannedCount`` equals ``Count``.
        ``attributes`` names the only attributes wanted of each item (a reader that shows a few
        fields of long items: fewer bytes sent and parsed)."""
        request = self._key_query(
            pk, sk_prefix=sk_prefix, sk_from=sk_from, sk_to=sk_to, index=index, consistent=consistent
        )
        if attributes:
            projected = {f"#a{n}": name for n, name in enumerate(attributes)}
            request["ExpressionAttributeNames"].update(projected)
            request["ProjectionExpression"] = ", ".join(projected)
        request["ScanIndexForward"] = not newest_first
        items: list[dict[str, Any]] = []
        while True:
            if limit is not None:
                request["Limit"] = limit - len(items)
            response = self.ddb.query(**request)
            items.extend(from_attributes(i) for i in response.get("Items", []))
            last = response.get("LastEvaluatedKey")
            if not last or (limit is not None and len(items) >= limit):
                return items
            request["ExclusiveStartKey"] = last

    def count(
        self,
        pk: str,
        *,
        sk_prefix: str | None = None,
        sk_from: str | None = None,
        sk_to: str | None = None,
        index: str | None = None,
    ) -> int:
        """How many items ``query`` with the same key conditions would return (``Select=COUNT``:
        no item is sent back)."""
        request = self._key_query(pk, sk_prefix=sk_prefix, sk_from=sk_from, sk_to=sk_to, index=index, consistent=False)
        request["Select"] = "COUNT"
        total = 0
        while True:
            response = self.ddb.query(**request)
            total += int(response.get("Count", 0))
            last = response.get("LastEvaluatedKey")
            if not last:
                return total
            request["ExclusiveStartKey"] = last

    def _key_query(
        self,
        pk: str,
        *,
        sk_prefix: str | None,
        sk_from: str | None,
        sk_to: str | None,
        index: str | None,
        consistent: bool,
    ) -> dict[str, Any]:
        """A Query request on one partition key and, at most, one sort-key condition."""
        pk_name, sk_name = ("pk", "sk") if index is None else (f"{index}pk", f"{index}sk")
        expression = "#pk = :pk"
        names = {"#pk": pk_name}
        values: dict[str, Any] = {":pk": pk}
        if sk_prefix is not None and (sk_from is not None or sk_to is not None):
            raise ValueError("a Query takes one sort key condition: a prefix or a range")
        if sk_prefix:
            expression += " AND begins_with(#sk, :sk)"
            values[":sk"] = sk_prefix
        elif sk_from is not None and sk_to is not None:
            expression += " AND #sk BETWEEN :from AND :to"
            values.update({":from": sk_from, ":to": sk_to})
        elif sk_from is not None:
            expression += " AND #sk >= :from"
            values[":from"] = sk_from
        elif sk_to is not None:
            expression += " AND #sk <= :to"
            values[":to"] = sk_to
        if "#sk" in expression:
            names["#sk"] = sk_name
        request: dict[str, Any] = {
            "TableName": self.table_name("main"),
            "KeyConditionExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_attributes(values),
        }
        if index:
            request["IndexName"] = index
        elif consistent:
            request["ConsistentRead"] = True
        return request

    # -- writes -------------------------------------------------------------------------------
    def write(self, operations: Sequence[Operation], events: Sequence[DomainEvent] = ()) -> None:
        """Apply the operations and record the events atomically: all or nothing."""
        everything: list[Operation] = [*operations, *(outbox_put(e) for e in events)]
        if len(everything) == 1 and not events:
            self._write_one(everything[0])
            return
        if len(everything) > 100:
            raise ValueError("a transaction holds at most 100 operations")
        items = [self._transact_item(op) for op in everything]
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                self.ddb.transact_write_items(TransactItems=items)
                return
            except self.ddb.exceptions.TransactionCanceledException as error:
                reasons = error.response.get("CancellationReasons", [])
                failed = [i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"]
                if failed:
                    raise ConditionFailed(failed) from None
                if attempt + 1 == CONFLICT_ATTEMPTS or not any(r.get("Code") == "TransactionConflict" for r in reasons):
                    raise
            _back_off(attempt)

    def _write_one(self, op: Operation) -> None:
        request = self._transact_item(op)
        ((kind, params),) = request.items()
        call = {"Put": self.ddb.put_item, "Update": self.ddb.update_item, "Delete": self.ddb.delete_item}.get(kind)
        if call is None:  # a lone Check has nothing to write
            raise ValueError("a Check needs a write beside it")
        try:
            self._conflicts_retried(call, **params)
        except self.ddb.exceptions.ConditionalCheckFailedException:
            raise ConditionFailed([0]) from None

    def _conflicts_retried(self, call: Any, **params: Any) -> Any:
        """A single write to an item a transaction is writing at that moment is refused with
        ``TransactionConflictException``, which botocore does not retry: retried here."""
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                return call(**params)
            except self.ddb.exceptions.TransactionConflictException:
                if attempt + 1 == CONFLICT_ATTEMPTS:
                    raise
            _back_off(attempt)
        raise AssertionError("unreachable")

    def update_returning(self, op: Update) -> dict[str, Any]:
        """Apply one update on its own and return the item as it now is (a transaction returns
        no values); raises ``ConditionFailed`` if its condition does not hold."""
        try:
            response = self._conflicts_retried(
                self.ddb.update_item, **self._transact_item(op)["Update"], ReturnValues="ALL_NEW"
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            raise ConditionFailed([0]) from None
        return from_attributes(response["Attributes"])

    def _transact_item(self, op: Operation) -> dict[str, Any]:
        table = self.table_name(op.table)
        if isinstance(op, Put):
            params: dict[str, Any] = {"TableName": table, "Item": to_attributes(op.item)}
            self._condition(params, op.condition)
            return {"Put": params}
        if isinstance(op, Delete):
            params = {"TableName": table, "Key": to_attributes(op.key)}
            self._condition(params, op.condition)
            return {"Delete": params}
        if isinstance(op, Check):
            params = {"TableName": table, "Key": to_attributes(op.key)}
            self._condition(params, op.condition)
            return {"ConditionCheck": params}
        params = {
            "TableName": table,
            "Key": to_attributes(op.key),
            "UpdateExpression": op.expression,
        }
        if op.names:
            params["ExpressionAttributeNames"] = op.names
        if op.values:
            params["ExpressionAttributeValues"] = to_attributes(op.values)
        if op.condition:
            params["ConditionExpression"] = op.condition
        return {"Update": params}

    @staticmethod
    def _condition(params: dict[str, Any], condition: Condition | None) -> None:
        if condition is None:
            return
        params["ConditionExpression"] = condition.expression
        if condition.names:
            params["ExpressionAttributeNames"] = condition.names
        if condition.values:
            params["ExpressionAttributeValues"] = to_attributes(condition.values)

    # -- single-use tokens and rate limits ----------------------------------------------------
    def use_token_op(self, jti: str, expires_at: float, used_by: str) -> Put:
        """The write that spends a token; put it in the same transaction as the action.
        Who spent it is kept only as a pseudonym (a member's erasure must not leave their address here)."""
        return Put(
            {
                "pk": f"TOKEN#{jti}",
                "sk": "USED",
                "used_by": pseudonym(used_by),
                "used_at": int(time.time()),
                "expires_at": int(expires_at) + 86400,
            },
            NOT_EXISTS,
        )

    def token_used(self, jti: str) -> dict[str, Any] | None:
        return self.get(f"TOKEN#{jti}", "USED")

    def count_attempt(self, bucket: str, limit: int, window_seconds: int) -> bool:
        """Count one attempt in the current window; False once ``limit`` is reached.
        The bucket is stored as a pseudonym: buckets are often named after an address."""
        bucket = pseudonym(bucket)
        window = int(time.time()) // window_seconds
        try:
            self.ddb.update_item(
                TableName=self.table_name("main"),
                Key=to_attributes({"pk": f"RATE#{bucket}", "sk": str(window)}),
                UpdateExpression="ADD attempts :one SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(attempts) OR attempts < :limit",
                ExpressionAttributeValues=to_attributes(
                    {":one": 1, ":limit": limit, ":expires": (window + 2) * window_seconds}
                ),
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True


#: Sessions live 30 days; an erased member's marker outlives every session they held.
ERASED_MARKER_SECONDS = 31 * 24 * 3600


def erased_marker_key(member_id: str) -> tuple[str, str]:
    return f"ERASED#{member_id}", "ERASED"


def erased_marker(member_id: str) -> Put:
    """Written when a member is erased: their still-valid sessions may no longer write."""
    pk, sk = erased_marker_key(member_id)
    return Put({"pk": pk, "sk": sk, "expires_at": int(time.time()) + ERASED_MARKER_SECONDS})


def pseudonym(value: str) -> str:
    """A stable, non-reversible stand-in for a personal value (an address in a key)."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)
