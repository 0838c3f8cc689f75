"""Count the AWS API calls Convene's functions make, with botocore event hooks.

The functions get their clients from ``functions.common.aws.client`` (one per service per
process), and the event consumers' idempotency layer has its own DynamoDB client. Hooks on
those clients see every call the functions make when they run in this process (the local
runtime), and none of the runtime's own calls (its outbox pump and queue pollers use
separate clients).

Each call is recorded with the thread that made it. API requests run on the gateway's
request threads; the runtime's background threads (outbox pump, queue pollers running the
event consumers, scheduler) are left out of a window unless asked for, so an event consumer
running in the background cannot leak into the count of the request that caused it.

    with CallCounter.for_convene() as counter:
        with counter.window() as calls:
            api.get("/api/sigs")
        assert calls.total == 1 and not calls.scans
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

#: Names of the local runtime's background threads (``LocalRuntime._spawn``).
BACKGROUND_THREADS = ("outbox-pump", "poller-", "scheduler")

#: Services the functions use through ``functions.common.aws.client``.
SERVICES = ("dynamodb", "ses", "sesv2", "events", "s3", "sqs")

_KEY = "convene_bench"


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    thread: str
    table: str = ""
    index: str = ""
    #: Query only: items returned and items read (a filter expression makes them differ).
    count: int | None = None
    scanned: int | None = None
    #: TransactWriteItems / BatchWriteItem: how many items the one call writes.
    items: int | None = None

    @property
    def name(self) -> str:
        return f"{self.service}.{self.operation}"

    @property
    def background(self) -> bool:
        return self.thread.startswith(BACKGROUND_THREADS)


@dataclass
class Window:
    """The calls made between entering and leaving ``CallCounter.window()``."""

    calls: list[Call] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.calls)

    def by_operation(self) -> Counter[str]:
        return Counter(c.name for c in self.calls)

    @property
    def scans(self) -> list[Call]:
        return [c for c in self.calls if c.service == "dynamodb" and c.operation == "Scan"]

    @property
    def queries(self) -> list[Call]:
        return [c for c in self.calls if c.service == "dynamodb" and c.operation == "Query"]

    @property
    def wasted_reads(self) -> list[Call]:
        """Queries that read items they did not return (ScannedCount > Count: a filter
        expression doing the key design's job)."""
        return [c for c in self.queries if c.scanned is not None and c.scanned != c.count]

    def summary(self) -> str:
        """``dynamodb.GetItem, dynamodb.TransactWriteItems (3 items)`` style, in call order."""
        parts = []
        for call in self.calls:
            text = call.name.removeprefix("dynamodb.")
            if call.index:
                text += f" on {call.index}"
            if call.operation == "Query":
                text += f" ({call.count} of {call.scanned} read)"
            if call.items is not None:
                text += f" ({call.items} items)"
            parts.append(text)
        return ", ".join(parts) or "none"


class CallCounter:
    """Registers ``before-call.*.*`` (and a few more) hooks on the given clients."""

    def __init__(self, clients: Iterable[Any] = ()) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._clients: list[Any] = []
        self._id = f"{_KEY}-{id(self)}"
        for client in clients:
            self.attach(client)

    @classmethod
    def for_convene(cls, services: Iterable[str] = SERVICES) -> CallCounter:
        """Hooks on the clients Convene's functions use in this process. Call it after the
        local runtime has started (starting it clears the client cache)."""
        return cls(convene_clients(services))

    # -- hooks ------------------------------------------------------------------------------
    def attach(self, client: Any) -> None:
        if any(c is client for c in self._clients):
            return
        events = client.meta.events
        events.register("before-parameter-build.*.*", self._params, unique_id=f"{self._id}-params")
        events.register("before-call.*.*", self._before, unique_id=f"{self._id}-before")
        events.register("after-call.dynamodb.Query", self._after_query, unique_id=f"{self._id}-query")
        self._clients.append(client)

    def close(self) -> None:
        for client in self._clients:
            events = client.meta.events
            events.unregister("before-parameter-build.*.*", unique_id=f"{self._id}-params")
            events.unregister("before-call.*.*", unique_id=f"{self._id}-before")
            events.unregister("after-call.dynamodb.Query", unique_id=f"{self._id}-query")
        self._clients.clear()

    def __enter__(self) -> CallCounter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @staticmethod
    def _params(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        items: int | None = None
        if model.name == "TransactWriteItems":
            items = len(params.get("TransactItems", []))
        elif model.name == "BatchWriteItem":
            items = sum(len(requests) for requests in params.get("RequestItems", {}).values())
        elif model.name == "BatchGetItem":
            items = sum(len(request.get("Keys", [])) for request in params.get("RequestItems", {}).values())
        context[_KEY] = {
            "table": str(params.get("TableName", "")),
            "index": str(params.get("IndexName", "")),
            "items": items,
        }

    def _before(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        detail = context.get(_KEY, {})
        call = Call(
            service=model.service_model.service_name,
            operation=model.name,
            thread=threading.current_thread().name,
            table=detail.get("table", ""),
            index=detail.get("index", ""),
            items=detail.get("items"),
        )
        with self._lock:
            context[f"{_KEY}_position"] = len(self.calls)
            self.calls.append(call)

    def _after_query(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        position = context.get(f"{_KEY}_position")
        if position is None:
            return
        with self._lock:
            self.calls[position] = replace(
                self.calls[position], count=parsed.get("Count"), scanned=parsed.get("ScannedCount")
            )

    # -- reading ----------------------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    @contextmanager
    def window(self, *, include: Callable[[Call], bool] = lambda c: not c.background) -> Iterator[Window]:
        """Collect the calls made inside the block (by default: not by background threads)."""
        with self._lock:
            start = len(self.calls)
        found = Window()
        try:
            yield found
        finally:
            with self._lock:
                found.calls.extend(c for c in self.calls[start:] if include(c))


def convene_clients(services: Iterable[str] = SERVICES) -> list[Any]:
    """The (cached) clients Convene's functions use in this process."""
    from functions.common import aws, consumer

    clients = [aws.client(service) for service in services]
    clients.append(consumer._persistence().client)
    return clients


def in_thread(thread: threading.Thread | None = None) -> Callable[[Call], bool]:
    """A ``window(include=...)`` filter: only calls made by one thread (the current one)."""
    name = (thread or threading.current_thread()).name
    return lambda call: call.thread == name
