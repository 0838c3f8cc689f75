"""Open Space's clock (EventBridge Scheduler invokes it with ``{"schedule": name}``).

- ``openspace-agenda``: builds and publishes the agenda of every event whose marketplace has
  closed since the last run (an index entry written with the first conversation, removed
  when an agenda is published).
- ``openspace-harvest``: for every conversation whose slot has ended, sends its hosts the
  harvest link, once (a conditional write takes it off the index).
Running either twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from .service import OpenSpaceService

logger = logging.getLogger("convene")

AGENDA = "openspace-agenda"
HARVEST = "openspace-harvest"


@cache
def service() -> OpenSpaceService:
    return OpenSpaceService()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    schedule = event.get("schedule")
    if schedule == AGENDA:
        built = service().close_marketplaces()
        logger.info("%s: agendas built for %s", AGENDA, built)
        return {"schedule": AGENDA, "agendas_built": len(built)}
    if schedule == HARVEST:
        sent = service().request_harvests()
        logger.info("%s: %d harvest links requested", HARVEST, sent)
        return {"schedule": HARVEST, "harvests_requested": sent}
    raise ValueError(f"unknown schedule {schedule!r}")
