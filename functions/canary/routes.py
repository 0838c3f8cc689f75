"""The deployment canary's API (staff only): post a canary event through the outbox, then read
whether the canary consumer received it. ``convene smoke`` uses it; it holds no personal data
and each canary expires after a day."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from functions.common.errors import NotFound
from functions.common.http import App, json_response
from functions.common.store import NOT_EXISTS, Put, Store
from schemas.api.base import ApiModel
from schemas.events.canary import CANARY_ID_PATTERN, CanaryPosted

#: Canaries are kept this long (the table's TTL deletes them).
KEEP = timedelta(days=1)


class Canary(ApiModel):
    canary_id: str
    status: Literal["posted", "received"]
    posted_at: str
    received_at: str | None = None


def canary_key(canary_id: str) -> tuple[str, str]:
    return f"CANARY#{canary_id}", "CANARY"


def _view(item: dict[str, Any]) -> dict[str, Any]:
    return Canary(
        canary_id=item["canary_id"],
        status=item["status"],
        posted_at=item["posted_at"],
        received_at=item.get("received_at"),
    ).model_dump()


def register(app: App) -> None:
    @app.post(
        "/api/canaries",
        tags=["Operations"],
        summary="Post a canary event through the outbox (staff)",
        responses={202: {"description": "Posted; read it back until its status is received."}},
    )
    def post_canary() -> Response[Any]:
        app.require_staff()
        now = datetime.now(UTC)
        canary_id = f"can_{secrets.token_hex(8)}"
        pk, sk = canary_key(canary_id)
        item = {
            "pk": pk,
            "sk": sk,
            "canary_id": canary_id,
            "status": "posted",
            "posted_at": now.isoformat(),
            "expires_at": int((now + KEEP).timestamp()),
        }
        Store().write([Put(item, NOT_EXISTS)], [CanaryPosted(canary_id=canary_id)])
        return json_response(202, _view(item), headers={"Location": f"/api/canaries/{canary_id}"})

    @app.get("/api/canaries/<canary_id>", tags=["Operations"], summary="Whether a canary reached its consumer (staff)")
    def get_canary(canary_id: Annotated[str, Path(pattern=CANARY_ID_PATTERN)]) -> Canary:
        app.require_staff()
        item = Store().get(*canary_key(canary_id))
        if item is None:
            raise NotFound("There is no such canary (canaries are kept for a day).")
        return Canary.model_validate(_view(item))
