"""Events and series in the main table: events are listings of the shared places repository
(``functions.places.repository``, keys ``EVENT#<id>``, ``EVENTWAIT#<id>`` ...), with their own
fields; a series is ``SERIES#<id> / SERIES`` holding its sessions' ids in order, listed in the
published events' ``gsi1`` partition after every event (``~SERIES#<created>#<id>``): the events
list reads the upcoming events and every series with one Query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.common.store import NOT_EXISTS, ConditionFailed, Put, Store, Update
from functions.places.keys import LISTINGS_END, ListingStatus, by_status
from functions.places.repository import PlacesRepository, listing_attributes, listing_fields, ts
from schemas.events.base import DomainEvent

from .domain import EVENTS, Event, OpenSpace, Series, SignupMode, Slot, Space
from .kinds import kind_of


def _open_space_item(open_space: OpenSpace | None) -> dict[str, Any] | None:
    if open_space is None:
        return None
    return {
        "slots": [{"starts_at": ts(s.starts_at), "ends_at": ts(s.ends_at)} for s in open_space.slots],
        "spaces": [{"name": s.name, "capacity": s.capacity, "online": s.online} for s in open_space.spaces],
        "marketplace_closes_at": ts(open_space.marketplace_closes_at) if open_space.marketplace_closes_at else None,
    }


def _open_space(item: dict[str, Any] | None) -> OpenSpace | None:
    if not item:
        return None
    closes = item.get("marketplace_closes_at")
    return OpenSpace(
        slots=tuple(
            Slot(datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
            for s in item.get("slots", [])
        ),
        spaces=tuple(Space(s["name"], int(s["capacity"]), bool(s.get("online"))) for s in item.get("spaces", [])),
        marketplace_closes_at=datetime.fromisoformat(closes) if closes else None,
    )


def event_item(event: Event) -> dict[str, Any]:
    return {
        **listing_attributes(event),
        "kind": event.kind.value,
        "series_id": event.series_id,
        "access_questions": list(event.access_questions),
        "open_space": _open_space_item(event.open_space),
    }


def load_event(item: dict[str, Any]) -> Event:
    return Event(
        **listing_fields(item, EVENTS),
        kind=kind_of(item),
        series_id=item.get("series_id"),
        access_questions=tuple(item.get("access_questions") or ()),
        open_space=_open_space(item.get("open_space")),
    )


#: Where events and series are listed: the published events' partition, series after every event.
LISTED = by_status(EVENTS.prefix, ListingStatus.PUBLISHED)
SERIES_LISTED = f"{LISTINGS_END}SERIES#"


def _series_key(series_id: str) -> dict[str, str]:
    return {"pk": f"SERIES#{series_id}", "sk": "SERIES"}


def _series(item: dict[str, Any]) -> Series:
    return Series(
        series_id=item["series_id"],
        title=item["title"],
        description=item["description"],
        signup_mode=SignupMode(item["signup_mode"]),
        created_at=datetime.fromisoformat(item["created_at"]),
        created_by=item.get("created_by", ""),
        session_ids=tuple(item.get("session_ids") or ()),
    )


class SeriesMissing(Exception):
    """The series a session names does not exist."""


class EventRepository(PlacesRepository[Event]):
    def __init__(self, store: Store | None = None) -> None:
        super().__init__(EVENTS, load_event, store)

    def publish_event(self, event: Event, events: list[DomainEvent]) -> None:
        """The event, and for a session its place in the series, in one transaction."""
        operations: list[Put | Update] = [Put(event_item(event), NOT_EXISTS)]
        if event.series_id:
            operations.append(
                Update(
                    key=_series_key(event.series_id),
                    expression="SET #ids = list_append(if_not_exists(#ids, :empty), :new)",
                    names={"#ids": "session_ids"},
                    values={":empty": [], ":new": [event.event_id]},
                    condition="attribute_exists(pk)",
                )
            )
        try:
            self.store.write(operations, events)
        except ConditionFailed as failure:
            if 1 in failure.failed:
                raise SeriesMissing from None
            raise

    def import_event(self, event: Event) -> None:
        """Load an event without announcing it (demo content): no event, no email."""
        self.publish_event(event, [])

    def set_open_space(self, event_id: str, open_space: OpenSpace | None) -> None:
        """The Open Space area's settings on the event (slots, spaces, marketplace closing)."""
        self.store.write(
            [
                Update(
                    key=self.listing_key(event_id),
                    expression="SET #open_space = :open_space",
                    names={"#open_space": "open_space"},
                    values={":open_space": _open_space_item(open_space)},
                    condition="attribute_exists(pk)",
                )
            ]
        )

    # -- series -----------------------------------------------------------------------------------
    def publish_series(self, series: Series, events: list[DomainEvent]) -> None:
        item = {
            **_series_key(series.series_id),
            "gsi1pk": LISTED,
            "gsi1sk": f"{SERIES_LISTED}{ts(series.created_at)}#{series.series_id}",
            "series_id": series.series_id,
            "title": series.title,
            "description": series.description,
            "signup_mode": series.signup_mode.value,
            "created_at": ts(series.created_at),
            "created_by": series.created_by,
            "session_ids": list(series.session_ids),
        }
        self.store.write([Put(item, NOT_EXISTS)], events)

    def series(self, series_id: str) -> Series | None:
        item = self.store.get(f"SERIES#{series_id}", "SERIES")
        return _series(item) if item else None

    def series_many(self, series_ids: list[str]) -> list[Series]:
        return [_series(i) for i in self.store.get_many((f"SERIES#{s}", "SERIES") for s in series_ids)]

    def all_series(self, limit: int | None = None) -> list[Series]:
        """Every published series, newest first."""
        items = self.store.query(LISTED, index="gsi1", sk_prefix=SERIES_LISTED, newest_first=True, limit=limit)
        return [_series(i) for i in items]

    def upcoming_and_series(self, now: datetime) -> tuple[list[Event], list[Series]]:
        """The published events that have not started, soonest first, and every published series,
        newest first (as ``upcoming`` and ``all_series``): one Query, the series sorting after
        every event in the partition."""
        items = self.store.query(LISTED, index="gsi1", sk_from=ts(now))
        events = [load_event(i) for i in items if i["sk"] == EVENTS.prefix]
        series = [_series(i) for i in reversed(items) if i["sk"] == "SERIES"]
        return events, series


__all__ = ["EventRepository", "SeriesMissing", "event_item", "load_event"]
