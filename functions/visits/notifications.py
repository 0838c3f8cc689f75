"""Emails of the Visits programme (the shared ``functions.places.notifications``)."""

from __future__ import annotations

from functools import cache

from functions.places.notifications import notifications_handler

from .domain import VISITS
from .repository import VisitRepository


@cache
def visits() -> VisitRepository:
    return VisitRepository()


handler = notifications_handler("visit-notifications", VISITS, visits)
