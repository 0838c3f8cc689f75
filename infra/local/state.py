"""``convene dev`` keeps its state in ``.convene/`` across restarts.

What the runtime provisions on moto is saved, whatever the declaration puts there: every
table item, every queue message with its receive count, the stream records the stream
triggers had not yet delivered (so an event written just before a stop is still delivered
after the restart), S3 objects, the mail SES accepted, Secrets Manager secrets with their
version stages (if any), and the schedules' last runs. The dev signing keys live beside it
(``dev-signing-keys.json``), so links in old emails keep working.

Saving is continuous and cheap: moto reports every item write and every other change
(``moto_patches``, ``SerializedMoto.on_write``); a saver thread writes at most once a second,
re-serialising only the items that changed, to a temporary file that is then renamed over
the state file, so a ``kill -9`` leaves the previous complete state and loses at most the
last second.

The file records its format and the shape of the declaration it was written under. A state
file of an older format is migrated; one from a newer Convene, or whose tables or queues no
longer fit the declaration, is refused with a message saying what differs and how to start
afresh; it is never half-loaded.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemas.declaration import FUNCTIONS, TABLES, EventTrigger, StreamTrigger

from . import moto_patches
from .moto_server import ACCOUNT_ID, REGION

if TYPE_CHECKING:
    from .runtime import LocalRuntime

logger = logging.getLogger("convene.local")

#: Version of the state file's layout; bump it and add a migration when the layout changes.
FORMAT = 2


def _series_listed_with_events(document: dict[str, Any]) -> dict[str, Any]:
    """Format 2: series are listed in the published events' ``gsi1`` partition, after every
    event (``~SERIES#<created>#<id>``), no longer under ``SERIESLIST#published``: the events list
    reads both with one Query (``functions/events/repository.py``)."""
    for item in document.get("dynamodb", {}).get("main", []):
        if item.get("gsi1pk") == {"S": "SERIESLIST#published"}:
            item["gsi1pk"] = {"S": "EVENTS#published"}
            item["gsi1sk"] = {"S": "~SERIES#" + item["gsi1sk"]["S"]}
    return document


#: Migrations from each older format to the next: ``MIGRATIONS[n]`` turns format n into n + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _series_listed_with_events}
STATE_FILE = "state.json"
KEYS_FILE = "dev-signing-keys.json"
#: A change is saved within this long.
SAVE_DELAY_SECONDS = 1.0


class StateRefused(RuntimeError):
    """The saved state cannot be loaded into this declaration; the message says why and what to do."""


def declaration_shape() -> dict[str, Any]:
    """What the saved state depends on: each table's keys, and the queues that hold messages."""
    return {
        "tables": {
            t.name: {
                "keys": [t.partition_key.name, *([t.sort_key.name] if t.sort_key else [])],
                "stream": t.stream,
            }
            for t in TABLES
        },
        "queues": sorted(
            [n for f in FUNCTIONS for t in f.triggers if isinstance(t, EventTrigger) for n in (t.name, f"{t.name}-dlq")]
            + [f"{t.name}-failed" for f in FUNCTIONS for t in f.triggers if isinstance(t, StreamTrigger)]
        ),
    }


def _refuse(path: Path, why: str) -> StateRefused:
    return StateRefused(
        f"The saved local state in {path} {why}. It was not loaded. Start afresh with "
        "`convene dev --fresh` (or delete it with `convene reset`)."
    )


def read(path: Path) -> dict[str, Any] | None:
    """The saved state, migrated to the current format and checked against the declaration."""
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text())
        if not isinstance(document, dict):
            raise ValueError("not a JSON object")
        found = int(document.get("format", 0))
    except (ValueError, TypeError) as error:
        raise _refuse(path, f"cannot be read ({error})") from None
    if found > FORMAT:
        raise _refuse(path, f"was written by a newer Convene (state format {found}; this one reads up to {FORMAT})")
    while found < FORMAT:
        if found not in MIGRATIONS:
            raise _refuse(path, f"has state format {found}, which this Convene cannot migrate")
        document = MIGRATIONS[found](document)
        found += 1
        document["format"] = found
    _check_shape(path, document)
    return document


def _check_shape(path: Path, document: dict[str, Any]) -> None:
    now = declaration_shape()
    saved_tables: dict[str, Any] = document.get("declaration", {}).get("tables", {})
    for name, saved in saved_tables.items():
        if not document.get("dynamodb", {}).get(name):
            continue  # an empty table fits any declaration
        if name not in now["tables"]:
            raise _refuse(path, f"holds items of table {name!r}, which the declaration no longer has")
        if saved["keys"] != now["tables"][name]["keys"]:
            raise _refuse(
                path,
                f"keys table {name!r} by {saved['keys']}, but the declaration now keys it by "
                f"{now['tables'][name]['keys']}",
            )
    for name, messages in document.get("sqs", {}).items():
        if messages and name not in now["queues"]:
            raise _refuse(
                path, f"holds {len(messages)} message(s) for queue {name!r}, which the declaration no longer has"
            )


def _key_id(key: dict[str, Any]) -> str:
    return json.dumps(key, sort_keys=True)


class StateStore:
    def __init__(self, runtime: LocalRuntime, directory: Path) -> None:
        self.runtime = runtime
        self.directory = directory
        self.path = directory / STATE_FILE
        #: Serialised items by physical table and key: only changed items are serialised again.
        self._items: dict[str, dict[str, str]] = {}
        self._changed_items: set[tuple[str, str]] = set()
        self._changed_services: set[str] = {"sqs", "ses", "s3", "secretsmanager"}
        self._other: dict[str, Any] = {}
        self._dirty = threading.Event()
        self._guard = threading.Lock()
        self._saving = threading.Lock()
        self.stopping = threading.Event()
        self.saves = 0
        self.last_save_seconds = 0.0
        #: The first save serialises every item; later ones only the changed ones.
        self._full = True

    # -- change tracking (called under the moto dispatch lock: only record) ----------------------
    def item_written(self, table: str, key: dict[str, Any]) -> None:
        with self._guard:
            self._changed_items.add((table, _key_id(key)))
        self._dirty.set()

    def service_written(self, service: str) -> None:
        if service == "dynamodb":
            return  # item writes are reported one by one
        with self._guard:
            self._changed_services.update({service} if service else {"sqs", "ses", "s3", "secretsmanager"})
        self._dirty.set()

    def changed(self) -> None:
        """Something the runtime keeps itself changed (a schedule ran)."""
        self._dirty.set()

    def watch(self) -> None:
        moto_patches.item_listeners.append(self.item_written)
        self.runtime.moto.on_write = self.service_written

    def unwatch(self) -> None:
        if self.item_written in moto_patches.item_listeners:
            moto_patches.item_listeners.remove(self.item_written)
        self.runtime.moto.on_write = None

    # -- restoring -------------------------------------------------------------------------------
    def restore(self, document: dict[str, Any]) -> None:
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.dynamo_type import DynamoType, Item
        from moto.ses.models import RawMessage, ses_backends
        from moto.sqs.models import Message, sqs_backends

        resources = self.runtime.resources
        assert resources is not None
        started = time.perf_counter()
        counts: dict[str, int] = {}
        with self.runtime.moto.lock:
            ddb = dynamodb_backends[ACCOUNT_ID][REGION]
            for name, items in document.get("dynamodb", {}).items():
                physical = resources.tables[name]
                table = ddb.get_table(physical)
                cache = self._items.setdefault(physical, {})
                # Straight into the table: these items were valid when saved, and restoring them
                # is not a write (no stream record, no condition); a PutItem each took 0.5 ms.
                for attributes in items:
                    hash_value = DynamoType(attributes[table.hash_key_attr])
                    if table.range_key_attr is not None:
                        range_value = DynamoType(attributes[table.range_key_attr])
                        table.items[hash_value][range_value] = Item(hash_value, range_value, attributes)
                        key = {
                            table.hash_key_attr: attributes[table.hash_key_attr],
                            table.range_key_attr: attributes[table.range_key_attr],
                        }
                    else:
                        table.items[hash_value] = Item(hash_value, None, attributes)  # type: ignore[assignment]
                        key = {table.hash_key_attr: attributes[table.hash_key_attr]}
                    cache[_key_id(key)] = json.dumps(attributes)
                counts["items"] = counts.get("items", 0) + len(items)
            # Records the stream triggers had not delivered yet go back on the streams.
            for name, records in document.get("streams", {}).items():
                table = ddb.get_table(resources.tables[name])
                for record in records:
                    item = table.get_item(
                        _key_value(record["Keys"], table.hash_key_attr),
                        _key_value(record["Keys"], table.range_key_attr),
                    )
                    if table.stream_shard is not None and item is not None:
                        table.stream_shard.add(None if record["eventName"] == "INSERT" else item, item)
                counts["stream records"] = counts.get("stream records", 0) + len(records)
            sqs = sqs_backends[ACCOUNT_ID][REGION]
            for queue_name, messages in document.get("sqs", {}).items():
                queue = sqs.queues.get(f"convene-local-{queue_name}")
                if queue is None:
                    continue
                for saved in messages:
                    message = Message(saved["id"], saved["body"], saved.get("system_attributes") or {})
                    message.message_attributes = saved.get("message_attributes") or {}
                    message.mark_sent()
                    message.sent_timestamp = saved.get("sent_timestamp") or message.sent_timestamp
                    message.approximate_receive_count = int(saved.get("receive_count", 0))
                    message.approximate_first_receive_timestamp = saved.get("first_receive_timestamp")
                    queue.add_message(message)  # visible at once: whoever had it in flight is gone
                counts["messages"] = counts.get("messages", 0) + len(messages)
            ses = ses_backends[ACCOUNT_ID][REGION]
            for saved in document.get("ses", {}).get("sent", []):
                ses.sent_messages.append(
                    RawMessage(saved["id"], saved["source"], saved["destinations"], saved["raw_data"])
                )
            ses.sent_message_count += int(document.get("ses", {}).get("count", 0))
            counts["emails"] = len(document.get("ses", {}).get("sent", []))
            for physical in resources.tables.values():
                self._items.setdefault(physical, {})
            self._full = False  # the cache now holds every item as saved
        self._restore_by_api(document)
        self.runtime.schedule_last_runs.update(document.get("schedules", {}))
        logger.info(
            "restored local state from %s in %.2f s: %s",
            self.path,
            time.perf_counter() - started,
            ", ".join(f"{v} {k}" for k, v in counts.items()) or "nothing",
        )

    def _restore_by_api(self, document: dict[str, Any]) -> None:
        s3 = self.runtime.client("s3")
        for bucket, objects in document.get("s3", {}).items():
            for saved in objects:
                s3.put_object(
                    Bucket=bucket,
                    Key=saved["key"],
                    Body=base64.b64decode(saved["body"]),
                    ContentType=saved.get("content_type") or "binary/octet-stream",
                    Metadata=saved.get("metadata") or {},
                )
        secrets = self.runtime.client("secretsmanager")
        for saved in document.get("secretsmanager", []):
            try:
                secrets.describe_secret(SecretId=saved["name"])
            except secrets.exceptions.ResourceNotFoundException:
                secrets.create_secret(Name=saved["name"], Description=saved.get("description", ""))
            # Oldest first, the current version last, so the stages end as they were.
            for version in sorted(saved["versions"], key=lambda v: "AWSCURRENT" in v["stages"]):
                secrets.put_secret_value(
                    SecretId=saved["name"],
                    ClientRequestToken=version["id"],
                    SecretString=version["string"],
                    VersionStages=version["stages"] or ["AWSPREVIOUS"],
                )

    # -- saving ----------------------------------------------------------------------------------
    def _snapshot_items(self, everything: bool) -> None:
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.utilities import dynamo_json_dump

        resources = self.runtime.resources
        assert resources is not None
        ddb = dynamodb_backends[ACCOUNT_ID][REGION]
        with self._guard:
            changed, self._changed_items = self._changed_items, set()
        if everything:
            self._items = {}
            for physical in resources.tables.values():
                self._items[physical] = {
                    _key_id(_key_json(item, ddb.get_table(physical))): dynamo_json_dump(item.to_json()["Attributes"])
                    for item in ddb.get_table(physical).all_items()
                }
            return
        for physical, key_id in changed:
            if physical not in self._items:
                continue  # a table the runtime did not provision (a test's own)
            item = ddb.get_item(physical, json.loads(key_id))
            if item is None:
                self._items[physical].pop(key_id, None)
            else:
                self._items[physical][key_id] = dynamo_json_dump(item.to_json()["Attributes"])

    def _snapshot_under_lock(self, services: set[str], everything: bool) -> None:
        from moto.ses.models import RawMessage, ses_backends
        from moto.sqs.models import sqs_backends

        self._snapshot_items(everything)
        if "sqs" in services:
            queues = sqs_backends[ACCOUNT_ID][REGION].queues
            self._other["sqs"] = {
                name.removeprefix("convene-local-"): [
                    {
                        "id": m.id,
                        "body": m.body,
                        "message_attributes": m.message_attributes,
                        "system_attributes": m.system_attributes,
                        "sent_timestamp": m.sent_timestamp,
                        "receive_count": m.approximate_receive_count,
                        "first_receive_timestamp": m.approximate_first_receive_timestamp,
                    }
                    for m in queue._messages
                ]
                for name, queue in queues.items()
                if name.startswith("convene-local-")
            }
        if "ses" in services:
            backend = ses_backends[ACCOUNT_ID][REGION]
            self._other["ses"] = {
                "count": backend.sent_message_count,
                "sent": [
                    {
                        "id": m.id,
                        "source": m.source,
                        "destinations": m.destinations,
                        "raw_data": m.raw_data if isinstance(m.raw_data, str) else m.raw_data.decode(),
                    }
                    for m in backend.sent_messages
                    if isinstance(m, RawMessage)
                ],
            }
        self._other["streams"] = self._pending_stream_records()

    def _pending_stream_records(self) -> dict[str, list[dict[str, Any]]]:
        """Stream records after each stream trigger's position: written, not yet delivered."""
        from moto.dynamodb.models import dynamodb_backends

        resources = self.runtime.resources
        assert resources is not None
        ddb = dynamodb_backends[ACCOUNT_ID][REGION]
        logical = {physical: name for name, physical in resources.tables.items()}
        pending: dict[str, list[dict[str, Any]]] = {}
        for poller in self.runtime.stream_pollers:
            shard = ddb.get_table(poller.binding.table).stream_shard
            if shard is None:
                continue
            position = min(poller.position.values(), default=shard.starting_sequence_number)
            records = shard.items[max(0, position - shard.starting_sequence_number) :]
            pending[logical[poller.binding.table]] = [
                {"eventName": r.record["eventName"], "Keys": r.record["dynamodb"]["Keys"]} for r in records
            ]
        return pending

    def _snapshot_by_api(self, services: set[str]) -> None:
        resources = self.runtime.resources
        assert resources is not None
        if "s3" in services:
            s3 = self.runtime.client("s3")
            saved: dict[str, list[dict[str, Any]]] = {}
            for bucket in resources.buckets.values():
                saved[bucket] = []
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                    for entry in page.get("Contents", []):
                        obj = s3.get_object(Bucket=bucket, Key=entry["Key"])
                        saved[bucket].append(
                            {
                                "key": entry["Key"],
                                "body": base64.b64encode(obj["Body"].read()).decode(),
                                "content_type": obj.get("ContentType"),
                                "metadata": obj.get("Metadata") or {},
                            }
                        )
            self._other["s3"] = saved
        if "secretsmanager" in services:
            secrets = self.runtime.client("secretsmanager")
            found = []
            for secret in secrets.list_secrets().get("SecretList", []):
                versions = []
                listed = secrets.list_secret_version_ids(SecretId=secret["ARN"], IncludeDeprecated=True)["Versions"]
                for version in listed:
                    value = secrets.get_secret_value(SecretId=secret["ARN"], VersionId=version["VersionId"])
                    versions.append(
                        {
                            "id": version["VersionId"],
                            "stages": version.get("VersionStages", []),
                            "string": value.get("SecretString", ""),
                        }
                    )
                found.append(
                    {"name": secret["Name"], "description": secret.get("Description", ""), "versions": versions}
                )
            self._other["secretsmanager"] = found

    def save(self, *, everything: bool = False) -> None:
        """Write the state now: a consistent snapshot under the dispatch lock, then the file."""
        with self._saving:
            started = time.perf_counter()
            self._dirty.clear()
            with self._guard:
                services, self._changed_services = self._changed_services, set()
            with self.runtime.moto.lock:
                self._snapshot_under_lock(services, everything or self._full)
            self._full = False
            self._snapshot_by_api(services)
            parts = [
                '{"format": ',
                str(FORMAT),
                ', "saved_at": ',
                json.dumps(datetime.now(UTC).isoformat()),
                ', "declaration": ',
                json.dumps(declaration_shape()),
                ', "schedules": ',
                json.dumps(self.runtime.schedule_last_runs),
                ', "dynamodb": {',
            ]
            logical = {
                physical: name
                for name, physical in (self.runtime.resources.tables.items() if self.runtime.resources else [])
            }
            parts.append(
                ", ".join(
                    f"{json.dumps(logical[physical])}: [{', '.join(items.values())}]"
                    for physical, items in self._items.items()
                    if physical in logical
                )
            )
            parts.append("}")
            for name in ("sqs", "ses", "s3", "secretsmanager", "streams"):
                if name in self._other:
                    parts.append(f", {json.dumps(name)}: {json.dumps(self._other[name], default=str)}")
            parts.append("}\n")
            self._write("".join(parts))
            self.saves += 1
            self.last_save_seconds = time.perf_counter() - started

    def _write(self, text: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".json.tmp")
        with temporary.open("w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(0o600)
        os.replace(temporary, self.path)  # atomic: the old state or the new, never half of one

    def run(self) -> None:
        """Save within a second of each change, never more often."""
        while not self.stopping.is_set():
            self._dirty.wait()
            if self.stopping.wait(SAVE_DELAY_SECONDS):
                return
            try:
                self.save()
            except Exception:
                logger.exception("saving the local state failed; will try again on the next change")


def _key_value(keys: dict[str, Any], attribute: str | None) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(keys[attribute]) if attribute else None


def _key_json(item: Any, table: Any) -> dict[str, Any]:
    key = {table.hash_key_attr: item.hash_key.to_json()}
    if table.range_key_attr is not None and item.range_key is not None:
        key[table.range_key_attr] = item.range_key.to_json()
    return key


def reset(directory: Path) -> list[Path]:
    """Delete the saved state and the dev signing keys; the paths removed."""
    removed = []
    for name in (STATE_FILE, f"{STATE_FILE}.tmp", KEYS_FILE):
        path = directory / name
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed
