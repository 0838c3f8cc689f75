"""Visit records in the main table: the shared places repository (``functions.places.repository``)
with the visit's own field. Keys: ``VISIT#<id>``, ``VISITWAIT#<id>`` ... (``docs/visits.md``)."""

from __future__ import annotations

from typing import Any

from functions.common.store import Store
from functions.places.repository import (
    AlreadySignedUp,
    HasRoom,
    NoRoom,
    PlacesRepository,
    SignupChanged,
    TokenAlreadyUsed,
    listing_attributes,
    listing_fields,
    offer_expiry_attributes,
    ts,
)
from functions.places.repository import ListingChanged as VisitChanged
from schemas.events.base import DomainEvent

from .domain import VISITS, Visit

__all__ = [
    "AlreadySignedUp",
    "HasRoom",
    "NoRoom",
    "SignupChanged",
    "TokenAlreadyUsed",
    "VisitChanged",
    "VisitRepository",
    "offer_expiry_attributes",
    "ts",
]


def visit_item(visit: Visit) -> dict[str, Any]:
    return {**listing_attributes(visit), "host_organisation": visit.host_organisation}


def load_visit(item: dict[str, Any]) -> Visit:
    return Visit(**listing_fields(item, VISITS), host_organisation=item["host_organisation"])


class VisitRepository(PlacesRepository[Visit]):
    def __init__(self, store: Store | None = None) -> None:
        super().__init__(VISITS, load_visit, store)

    def publish_visit(self, visit: Visit, event: DomainEvent) -> None:
        self.publish(visit_item(visit), [event])

    def import_visit(self, visit: Visit) -> None:
        """Load a visit without announcing it (demo content, migrations): no event, no email."""
        self.publish(visit_item(visit), [])
