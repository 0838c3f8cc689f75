"""A member's data in visits: their sign-ups, with the needs they told us (export and erasure are
the shared ones of ``functions.places.privacy``)."""

from __future__ import annotations

from functions.places.privacy import privacy_for

from .service import VisitService

export, erase = privacy_for(lambda store: VisitService(store=store))
