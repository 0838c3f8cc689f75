"""A member's data in events: their sign-ups, with the needs they told us (export and erasure are
the shared ones of ``functions.places.privacy``)."""

from __future__ import annotations

from functions.places.privacy import privacy_for

from .service import EventService

export, erase = privacy_for(lambda store: EventService(store=store))
