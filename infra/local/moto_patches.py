"""A faster, equally atomic ``TransactWriteItems`` for the local runtime's moto.

moto 5.2 deep-copies every table a transaction touches before writing, to roll back on
failure. That copy grows with the tables (the outbox alone gains an item per event), so a
local write slows from milliseconds to hundreds of milliseconds over a session. DynamoDB
evaluates every condition of a transaction before any write; this does the same, so a
cancelled transaction writes nothing at all, and only the items a transaction touches are
kept for the rare roll-back of a write that fails after its conditions held.

Installed only by the local runtime (``infra/local/moto_server.py``); tests of the runtime
prove transactions stay all-or-nothing under concurrency.

The other patches here only make moto cheaper without changing what it answers (each is
checked against moto's own path in ``tests/test_moto_patches.py``): a rush of sign-ups spends
most of its time inside moto's dispatch lock, so every millisecond there is one no other
request can use.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import StreamShard
from moto.dynamodb.responses import DynamoHandler
from moto.sqs.models import Queue

_OPERATIONS = frozenset({"ConditionCheck", "Put", "Delete", "Update"})


def _key(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    planned: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    # 1. Every condition, against the state before the transaction: nothing written yet.
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        try:
            if op_type not in _OPERATIONS:
                raise ValueError("Unsupported transaction operation")
            key = _key(self, op_type, op)
            identity = (str(op["TableName"]), str(dict(sorted(key.items()))))
            if identity in seen:
                raise MultipleTransactionsException()
            seen.add(identity)
            current = self.get_item(op["TableName"], key)
            original = None
            if op.get("ConditionExpression") is not None:
                condition = get_filter_expression(
                    op["ConditionExpression"], op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                )
                if not condition.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original = current.to_json()["Attributes"]
                    errors.append(("ConditionalCheckFailed", "The conditional request failed", original))
                    continue
            planned.append((op_type, op, key))
            errors.append((None, None, None))
        except MultipleTransactionsException:
            raise
        except Exception as error:  # reported per item, as DynamoDB does
            errors.append((type(error).__name__, str(error), None))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)

    # 2. The writes, keeping only the touched items (and how long each stream was) for a roll-back.
    before = [(op["TableName"], key, self.get_item(op["TableName"], key)) for _, op, key in planned]
    streams = {name: len(shard.items) for name in {t for t, _, _ in before} if (shard := _shard(self, name))}
    try:
        for op_type, op, key in planned:
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if op_type == "Put":
                self.put_item(op["TableName"], op["Item"])
            elif op_type == "Delete":
                self.delete_item(op["TableName"], key)
            elif op_type == "Update":
                self.update_item(
                    op["TableName"],
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=names or {},
                    expression_attribute_values=values or {},
                )
    except Exception as error:
        for table_name, key, original in before:
            if original is None:
                self.delete_item(table_name, key)
            else:
                self.put_item(table_name, original.to_json()["Attributes"])
        # DynamoDB streams nothing of a cancelled transaction: drop the records its writes and
        # their undoing added (the dispatch lock keeps every reader out meanwhile).
        for table_name, length in streams.items():
            shard = _shard(self, table_name)
            if shard is not None:
                del shard.items[length:]
        failed = [(type(error).__name__, str(error), None)] + [(None, None, None)] * (len(transact_items) - 1)
        raise TransactionCanceledException(failed) from None


def _shard(backend: DynamoDBBackend, table_name: str) -> Any:
    return backend.get_table(table_name).stream_shard


#: DynamoDB treats a repeated TransactWriteItems with the same ClientRequestToken, within ten
#: minutes, as the same request: it succeeds without writing again. botocore fills the token in
#: and keeps it across its retries, so a retry after a timed-out (but applied) transaction must
#: not be refused as a conflicting write. moto does not implement this; locally a busy,
#: serialized moto makes such retries real.
_TOKEN_WINDOW_SECONDS = 600
_applied_tokens: dict[str, float] = {}


def _idempotent(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def transact_write_items(handler: Any) -> Any:
        token = handler.body.get("ClientRequestToken")
        now = time.monotonic()
        if token and now - _applied_tokens.get(token, -_TOKEN_WINDOW_SECONDS) < _TOKEN_WINDOW_SECONDS:
            return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
        result = original(handler)
        if token:
            for stale in [t for t, at in _applied_tokens.items() if now - at >= _TOKEN_WINDOW_SECONDS]:
                del _applied_tokens[stale]
            _applied_tokens[token] = now
        return result

    return transact_write_items


#: Wake-ups for the local runtime's delivery: called with a table's name when its stream gets a
#: record, and with a queue's name when a message lands in it. They run under the dispatch
#: lock, so they only signal (set a ``threading.Event``).
stream_listeners: list[Callable[[str], None]] = []
queue_listeners: list[Callable[[str], None]] = []


def _notify_stream(original: Callable[..., None]) -> Callable[..., None]:
    def add(shard: StreamShard, old: Any, new: Any) -> None:
        original(shard, old, new)
        for listener in list(stream_listeners):
            listener(shard.table.name)

    return add


def _notify_queue(original: Callable[..., None]) -> Callable[..., None]:
    def add_message(queue: Queue, message: Any) -> None:
        original(queue, message)
        for listener in list(queue_listeners):
            listener(queue.name)

    return add_message


#: Called with (table name, key in DynamoDB JSON) after every item write, under the dispatch
#: lock: the saved state re-serialises only the items that changed.
item_listeners: list[Callable[[str, dict[str, Any]], None]] = []


def _item_key(backend: DynamoDBBackend, table_name: str, attributes: dict[str, Any]) -> dict[str, Any]:
    table = backend.get_table(table_name)
    key = {table.hash_key_attr: attributes[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attributes[table.range_key_attr]
    return key


def _notify_item(original: Callable[..., Any], key_of: Callable[[DynamoDBBackend, str, Any], dict[str, Any]]) -> Any:
    def write(backend: DynamoDBBackend, table_name: str, attributes: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(backend, table_name, attributes, *args, **kwargs)
        if item_listeners:
            key = key_of(backend, table_name, attributes)
            for listener in list(item_listeners):
                listener(table_name, key)
        return result

    return write


#: The members of DynamoDB's ``AttributeValue`` whose wire form is the stored form (binary
#: values are left to moto, which base64-encodes them).
_PLAIN_SCALARS = frozenset({"S", "N"})
_PLAIN_SETS = frozenset({"SS", "NS"})
_PLAIN_FLAGS = frozenset({"BOOL", "NULL"})


def plain_attribute_value(value: Any) -> dict[str, Any] | None:
    """An ``AttributeValue`` exactly as moto's shape-driven serializer writes it, or None when
    it is not plain data (binary, an object, an unexpected member) and moto must do it.

    moto serializes every attribute of every item through a generic walk of the service
    model (an attribute picker with aliases per member): most of a read's time in moto, for
    values that are already in wire form."""
    if type(value) is not dict or len(value) != 1:
        return None
    ((member, inner),) = value.items()
    if member in _PLAIN_SCALARS:
        return value if type(inner) is str else None
    if member in _PLAIN_FLAGS:
        return value if type(inner) is bool else None
    if member in _PLAIN_SETS:
        return value if type(inner) is list and all(type(x) is str for x in inner) else None
    if member == "M" and type(inner) is dict:
        mapped = {}
        for key, nested in inner.items():
            plain = plain_attribute_value(nested)
            if plain is None or type(key) is not str:
                return None
            mapped[key] = plain
        return {"M": mapped}
    if member == "L" and type(inner) is list:
        listed = []
        for nested in inner:
            plain = plain_attribute_value(nested)
            if plain is None:
                return None
            listed.append(plain)
        return {"L": listed}
    return None


def _plain_attribute_values(original: Callable[..., None]) -> Callable[..., None]:
    def serialize_structure(serializer: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue":
            plain = plain_attribute_value(value)
            if plain is not None:
                serialized[serializer.get_serialized_name(shape, key)] = plain
                return
        original(serializer, serialized, value, shape, key)

    serialize_structure.__wrapped__ = original  # type: ignore[attr-defined]  # tests compare the two
    return serialize_structure


def _lexed_once(parser_class: Any) -> Callable[[Any], Any]:
    """moto lexes a condition expression with ~40 regular expressions per token, on every
    request; the tokens depend on the expression's text alone, and its text repeats."""
    from collections import deque

    original = parser_class._lex_condition_expression

    @functools.lru_cache(maxsize=512)
    def tokens(expression: str) -> tuple[Any, ...]:
        bare = object.__new__(parser_class)
        bare.condition_expression = expression
        return tuple(original(bare))

    def lex(parser: Any) -> Any:
        # Fresh nodes (with fresh children lists) each time: later stages build on them.
        return deque(node._replace(children=list(node.children)) for node in tokens(parser.condition_expression))

    lex.__wrapped__ = original  # type: ignore[attr-defined]
    return lex


def install() -> None:
    if getattr(DynamoDBBackend.transact_write_items, "__module__", "") == __name__:
        return  # already installed
    # moto's server lists its own package directory (a listdir and ~150 stats) on every request,
    # inside the dispatch lock, to find the backend for a host name; the list never changes.
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules  # type: ignore[assignment]
    # moto builds each event it puts on a target from a template of ~10 JSONPath expressions,
    # compiling every one with a fresh yacc parser (about 1 ms each). A compiled expression
    # is immutable, so each is compiled once.
    import jsonpath_ng.ext

    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)
    # moto lists a response class's methods (inspect.getmembers: ~0.25 ms) on every request to
    # find the action's; the methods of a class do not change while it serves.
    from moto.core import responses

    names_of = responses.method_names_from_class
    responses.method_names_from_class = functools.cache(lambda clazz: frozenset(names_of(clazz)))  # type: ignore[assignment]
    from moto.dynamodb.comparisons import ConditionExpressionParser

    ConditionExpressionParser._lex_condition_expression = _lexed_once(ConditionExpressionParser)  # type: ignore[method-assign,assignment]
    from moto.core.serialize import BaseJSONSerializer

    BaseJSONSerializer._serialize_type_structure = _plain_attribute_values(  # type: ignore[method-assign]
        BaseJSONSerializer._serialize_type_structure
    )
    StreamShard.add = _notify_stream(StreamShard.add)  # type: ignore[method-assign]
    DynamoDBBackend.put_item = _notify_item(DynamoDBBackend.put_item, _item_key)  # type: ignore[method-assign]
    for name in ("update_item", "delete_item"):
        setattr(DynamoDBBackend, name, _notify_item(getattr(DynamoDBBackend, name), lambda _b, _t, key: dict(key)))
    Queue.add_message = _notify_queue(Queue.add_message)  # type: ignore[method-assign]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    DynamoHandler.transact_write_items = _idempotent(DynamoHandler.transact_write_items)  # type: ignore[method-assign,assignment]
