"""The chain's read model in the main table, written only by the ``chain-links`` consumer
(and the staff write-up). Keyed so each page is one Query:

| item | pk | sk |
| --- | --- | --- |
| a thing in the chain (its roots) | ``CHAIN#<ref>`` | ``NODE`` |
| what followed straight from it ("led to") | ``CHAIN#<origin ref>`` | ``LEDTO#<at>#<ref>`` |
| an event's conversation | ``CHAINEVENT#<event id>`` | ``CONV#<conversation id>`` |
| what followed from it (through anything) | ``CHAINEVENT#<event id>`` | ``FOLLOW#<conversation id or ->#<ref>`` |
| the staff write-up | ``CHAINEVENT#<event id>`` | ``WRITEUP`` |
| across events | ``CHAINALL`` | ``<event id>#<conversation id or ->#<ref>`` |
| a month's changes | ``CHAINMONTH#<yyyy-mm>`` | ``<event id>#<at>#<ref>`` |
| an item naming a member (for erasure) | ``CHAINNAMED#<member id>`` | ``<pk>|<sk>`` of the item |

Every write is a Put on a key made from the event's own ids, so an event handled twice writes
the same items again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from functions.common.store import Delete, Put, Store

from .domain import WHOLE_EVENT, ConversationSummary, Follow, Root

ALL = "CHAINALL"


def node_pk(ref: str) -> str:
    return f"CHAIN#{ref}"


def event_pk(event_id: str) -> str:
    return f"CHAINEVENT#{event_id}"


def month_pk(at: str) -> str:
    moment = datetime.fromisoformat(at).astimezone(UTC)
    return f"CHAINMONTH#{moment:%Y-%m}"


def _follow_attributes(follow: Follow) -> dict[str, Any]:
    data = asdict(follow)
    data["people"] = list(follow.people)
    data["named"] = list(follow.named)
    return data


def named_pk(member_id: str) -> str:
    return f"CHAINNAMED#{member_id}"


def _naming(item: dict[str, Any], names: dict[str, str]) -> list[Put]:
    """The index items that let erasure find a member's name in ``item`` (member id -> name)."""
    return [
        Put({"pk": named_pk(member_id), "sk": f"{item['pk']}|{item['sk']}", "name": name})
        for member_id, name in names.items()
        if member_id
    ]


def _follow(item: dict[str, Any]) -> Follow:
    return Follow(
        kind=item["kind"],
        ref=item["ref"],
        title=item["title"],
        at=item["at"],
        what=item["what"],
        url=item.get("url"),
        people=tuple(item.get("people") or ()),
        via=item.get("via", ""),
        named=tuple(item.get("named") or ()),
    )


class ChainRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # -- written by the consumer --------------------------------------------------------------
    def record_conversation(self, event_id: str, conversation: ConversationSummary) -> None:
        item = {
            "pk": event_pk(event_id),
            "sk": f"CONV#{conversation.conversation_id}",
            "conversation_id": conversation.conversation_id,
            "title": conversation.title,
            "themes": list(conversation.themes),
            "hosts": list(conversation.hosts),
            "named": list(conversation.named),
        }
        names = dict(zip(conversation.named, conversation.hosts, strict=False))
        for op in [Put(item), *_naming(item, names)]:
            self.store.write([op])

    def roots_of(self, refs: Sequence[str]) -> dict[str, list[str]]:
        """The root keys of each of these things already in the chain (one BatchGetItem)."""
        items = self.store.get_many((node_pk(ref), "NODE") for ref in refs) if refs else []
        return {item["ref"]: list(item.get("roots") or ()) for item in items}

    def record_follow(
        self, follow: Follow, origin_refs: Sequence[str], roots: dict[Root, str], event_titles: dict[str, str]
    ) -> None:
        """The thing, what it led from, and where each root shows it. Puts only: writing it
        again (an event delivered twice) writes the same items."""
        ops = [Put({"pk": node_pk(follow.ref), "sk": "NODE", "ref": follow.ref, "roots": [r.key for r in roots]})]
        ops += [
            Put({"pk": node_pk(ref), "sk": f"LEDTO#{follow.at}#{follow.ref}", **_follow_attributes(follow)})
            for ref in origin_refs
        ]
        for root, via in roots.items():
            shown = _follow_attributes(Follow(**{**asdict(follow), "via": via}))
            where = f"{root.conversation_id}#{follow.ref}"
            title = event_titles.get(root.event_id, "")
            ops.append(Put({"pk": event_pk(root.event_id), "sk": f"FOLLOW#{where}", "root": root.key, **shown}))
            ops.append(
                Put({"pk": ALL, "sk": f"{root.event_id}#{where}", "event_title": title, "root": root.key, **shown})
            )
            ops.append(
                Put(
                    {
                        "pk": month_pk(follow.at),
                        "sk": f"{root.event_id}#{follow.at}#{follow.ref}",
                        "event_id": root.event_id,
                        "event_title": title,
                        **shown,
                    }
                )
            )
        names = dict(zip(follow.named, follow.people, strict=False))
        ops += [naming for op in list(ops) if "people" in op.item for naming in _naming(op.item, names)]
        for op in ops:  # each a Put on its own: a story may reach many roots (no 100-item limit)
            self.store.write([op])

    # -- read by the pages ----------------------------------------------------------------------
    def event_chain(
        self, event_id: str
    ) -> tuple[list[ConversationSummary], dict[str, list[Follow]], dict[str, Any] | None]:
        """An event's conversations, what followed from each (and from the event itself) and
        the staff write-up: one Query."""
        conversations: list[ConversationSummary] = []
        follows: dict[str, list[Follow]] = defaultdict(list)
        write_up: dict[str, Any] | None = None
        for item in self.store.query(event_pk(event_id)):
            sk = str(item["sk"])
            if sk.startswith("CONV#"):
                conversations.append(
                    ConversationSummary(
                        item["conversation_id"],
                        item["title"],
                        tuple(item.get("themes") or ()),
                        tuple(item.get("hosts") or ()),
                    )
                )
            elif sk.startswith("FOLLOW#"):
                follows[Root.parse(item["root"]).conversation_id].append(_follow(item))
            elif sk == "WRITEUP":
                write_up = item
        return conversations, dict(follows), write_up

    def led_to(self, ref: str) -> list[Follow]:
        """What followed straight from this thing, oldest first: one Query."""
        return [_follow(i) for i in self.store.query(node_pk(ref), sk_prefix="LEDTO#")]

    def community(self) -> dict[str, tuple[str, list[Follow]]]:
        """What followed from every event, by event (its title and the follows): one Query."""
        found: dict[str, tuple[str, list[Follow]]] = {}
        for item in self.store.query(ALL):
            event_id = Root.parse(item["root"]).event_id
            _, follows = found.setdefault(event_id, (item.get("event_title", ""), []))
            follows.append(_follow(item))
        return found

    def month(self, yyyy_mm: str) -> dict[str, tuple[str, list[Follow]]]:
        """What changed in the chain in a month, by event: one Query."""
        found: dict[str, tuple[str, list[Follow]]] = {}
        for item in self.store.query(f"CHAINMONTH#{yyyy_mm}"):
            _, follows = found.setdefault(item["event_id"], (item.get("event_title", ""), []))
            follows.append(_follow(item))
        return found

    # -- a member's name (export and erasure) ---------------------------------------------------
    def naming(self, member_id: str) -> list[dict[str, Any]]:
        """The index items of every item naming the member (one Query)."""
        return self.store.query(named_pk(member_id))

    def forget(self, member_id: str, replacement: str) -> None:
        """Take the member's name out of every item of the chain naming them."""
        for index in self.naming(member_id):
            pk, _, sk = str(index["sk"]).partition("|")
            item = self.store.get(pk, sk)
            if item is not None:
                named = list(item.get("named") or ())
                for field in ("people", "hosts"):
                    if field in item:
                        item[field] = [
                            replacement if (i < len(named) and named[i] == member_id) else name
                            for i, name in enumerate(item[field])
                        ]
                item["named"] = ["" if m == member_id else m for m in named]
                self.store.write([Put(item)])
            self.store.write([Delete({"pk": index["pk"], "sk": index["sk"]})])

    # -- the staff write-up ---------------------------------------------------------------------
    def save_write_up(self, event_id: str, markdown: str, at: str, published_item_id: str | None) -> None:
        self.store.write(
            [
                Put(
                    {
                        "pk": event_pk(event_id),
                        "sk": "WRITEUP",
                        "markdown": markdown,
                        "edited_at": at,
                        "published_item_id": published_item_id,
                    }
                )
            ]
        )


__all__ = ["WHOLE_EVENT", "ChainRepository"]
