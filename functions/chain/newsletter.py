"""The monthly Q-municate's "since <event>" items: what changed in the chain of ideas that
month, one item per event something was taken forward from (issue 11).

Read with two Queries (this month's and last month's changes: the assembly runs on the first of
the month); each item's id names its event and the month of the issue, so a schedule that fires
twice adds it once. Newsletter mentions themselves are left out (the issue already carries them).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from functions.common.settings import settings
from functions.common.store import Store

from . import domain
from .repository import ChainRepository

#: The newsletter section the "since <event>" items go to.
SECTION: Literal["events"] = "events"


def since_items(now: datetime, store: Store | None = None) -> list[object]:
    """Newsletter items (``functions.newsletter.domain.Item``) for the issue assembled ``now``."""
    from functions.newsletter.domain import Item

    chain = ChainRepository(store)
    first = now.replace(day=1)
    months = [f"{(first - timedelta(days=1)):%Y-%m}", f"{now:%Y-%m}"]
    by_event: dict[str, tuple[str, list[domain.Follow]]] = {}
    for month in months:
        for event_id, (title, follows) in chain.month(month).items():
            # The issue carries its own items and a published takeaway is an item of its own.
            kept = [f for f in follows if f.kind not in ("newsletter", "takeaway")]
            if kept:
                by_event.setdefault(event_id, (title, []))[1].extend(kept)
    items: list[object] = []
    for event_id, (title, follows) in sorted(by_event.items()):
        unique = list({f.ref: f for f in follows}.values())
        items.append(
            Item(
                item_id=f"since-{event_id}-{now:%Y-%m}",
                section=SECTION,
                title=f"Since {title}"[:150] if title else "Since our community event",
                body=domain.since(title, unique)[:5000],
                source="chain",
                created_at=now.isoformat(),
                link=settings().url(f"/chain/events/{event_id}"),
            )
        )
    return items
