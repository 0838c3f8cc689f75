"""The team's attention ledger and monthly counts in the main table.

| item | pk | sk |
| --- | --- | --- |
| something needing attention | `TEAM#ATTENTION` | `<kind>#<ref>` |
| it was dealt with (kept 30 days, so a late "opened" event cannot bring it back) | `TEAM#CLOSED` | `<kind>#<ref>` |
| a count for a month | `TEAM#MONTH#<yyyy-mm>` | `<name>` |
| messages waiting in a dead-letter queue (only while there are some) | `TEAM#ATTENTION` | `dead-letters#<queue>` |

The team home reads everything open with one Query on ``TEAM#ATTENTION`` and the month's counts
with one Query on its ``TEAM#MONTH#`` key; the ``team-attention`` consumer keeps both up to date.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from functions.common.store import NOT_EXISTS, Check, ConditionFailed, Delete, Put, Store, Update

ATTENTION = "TEAM#ATTENTION"
CLOSED = "TEAM#CLOSED"
CLOSED_KEPT_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Attention:
    kind: str
    ref: str
    title: str
    link: str
    since: str
    group: str = ""  # e.g. the visit a waiting-list place belongs to
    group_title: str = ""
    count: int = 1  # how many it stands for (messages in one dead-letter queue)


def month_key(moment: datetime) -> str:
    return f"TEAM#MONTH#{moment:%Y-%m}"


class Ledger:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def open(self, item: Attention) -> bool:
        """Add it, unless it was already dealt with (events can arrive out of order)."""
        sk = f"{item.kind}#{item.ref}"
        record = {
            "pk": ATTENTION,
            "sk": sk,
            "kind": item.kind,
            "ref": item.ref,
            "title": item.title,
            "link": item.link,
            "since": item.since,
            "group": item.group,
            "group_title": item.group_title,
        }
        try:
            self.store.write([Put(record), Check({"pk": CLOSED, "sk": sk}, NOT_EXISTS)])
        except ConditionFailed:
            return False
        return True

    def close(self, kind: str, ref: str) -> None:
        sk = f"{kind}#{ref}"
        marker = {"pk": CLOSED, "sk": sk, "expires_at": int(time.time()) + CLOSED_KEPT_SECONDS}
        self.store.write([Delete({"pk": ATTENTION, "sk": sk}), Put(marker)])

    def close_all(self, kind: str, ref_prefix: str) -> int:
        found = self.store.query(ATTENTION, sk_prefix=f"{kind}#{ref_prefix}", consistent=True)
        for item in found:
            self.close(kind, str(item["ref"]))
        return len(found)

    def open_items(self) -> list[Attention]:
        return [
            Attention(
                kind=str(i["kind"]),
                ref=str(i["ref"]),
                title=str(i.get("title", "")),
                link=str(i.get("link", "")),
                since=str(i.get("since", "")),
                group=str(i.get("group", "")),
                group_title=str(i.get("group_title", "")),
                count=int(i.get("count", 1)),
            )
            for i in self.store.query(ATTENTION)
        ]

    def set_counts(self, kind: str, counts: dict[str, int], since: str) -> int:
        """Make the open items of ``kind`` say ``counts`` (one item per name with a count above
        nought): one Query, and a write only where a count changed. Returns the writes made."""
        held = {str(i["ref"]): int(i.get("count", 0)) for i in self.store.query(ATTENTION, sk_prefix=f"{kind}#")}
        writes = 0
        for ref in sorted(set(held) | set(counts)):
            count = counts.get(ref, 0)
            if held.get(ref, 0) == count:
                continue
            key = {"pk": ATTENTION, "sk": f"{kind}#{ref}"}
            if count > 0:
                record = {**key, "kind": kind, "ref": ref, "title": ref, "link": "", "since": since, "count": count}
                self.store.write([Put(record)])
            else:
                self.store.write([Delete(key)])
            writes += 1
        return writes

    def add_to_month(self, moment: datetime, name: str, amount: int) -> None:
        self.store.write(
            [
                Update(
                    {"pk": month_key(moment), "sk": name},
                    "ADD #count :amount",
                    names={"#count": "count"},
                    values={":amount": amount},
                )
            ]
        )

    def month(self, moment: datetime) -> dict[str, int]:
        return {str(i["sk"]): int(i.get("count", 0)) for i in self.store.query(month_key(moment))}


__all__ = ["Attention", "Ledger", "month_key"]
