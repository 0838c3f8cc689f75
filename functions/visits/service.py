"""Visits use cases: publishing here; signing up, the waiting list, changes and schedules are the
shared places use cases (``functions.places.service``)."""

from __future__ import annotations

from functions.common.identity import User
from functions.common.ids import new_id, utcnow
from functions.common.store import Store
from functions.places.service import PlacesService, SignedUp, WaitingListBehind
from schemas.api.visits import PublishVisit

from . import domain
from .domain import Visit
from .repository import VisitRepository

__all__ = ["SignedUp", "VisitService", "WaitingListBehind"]


class VisitService(PlacesService[Visit]):
    def __init__(self, repository: VisitRepository | None = None, store: Store | None = None) -> None:
        self.visits = repository or VisitRepository(store)
        super().__init__(self.visits)

    def publish(self, body: PublishVisit, user: User) -> Visit:
        from functions.chain.origins import resolve

        origins = tuple(resolve(body.origins, user, self.visits.store))
        visit, event = domain.publish(new_id("visit"), body, user.email, utcnow(), origins)
        self.visits.publish_visit(visit, event)
        return visit

    def cancel_visit(self, visit_id: str, reason: str, user: User) -> Visit:
        return self.cancel(visit_id, reason, user)
