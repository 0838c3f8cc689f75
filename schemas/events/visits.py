"""Events of the Visits programme.

``VisitPublished`` is a contract the newsletter consumes: add fields, never remove or rename.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from .base import DomainEvent


class VisitPublished(DomainEvent):
    visit_id: str
    title: str
    host_organisation: str
    description: str
    format: Literal["online", "in_person", "hybrid"]
    starts_at: datetime
    ends_at: datetime
    places: int
    places_left: int
    signup_closes_at: datetime
