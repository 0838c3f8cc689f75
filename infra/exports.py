"""Generated artefacts kept in the repository: each event's JSON Schema and the OpenAPI
document. ``convene export-schemas`` writes them; a test fails when they drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVENT_SCHEMAS = ROOT / "schemas" / "json" / "events"
OPENAPI = ROOT / "schemas" / "openapi.json"


def event_schemas() -> dict[str, dict[str, Any]]:
    from schemas.events import EVENT_TYPES

    return {name: model.model_json_schema() for name, model in sorted(EVENT_TYPES.items())}


def openapi_document() -> dict[str, Any]:
    from functions.site.openapi import spec

    return spec()


def render(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def write_all() -> list[Path]:
    EVENT_SCHEMAS.mkdir(parents=True, exist_ok=True)
    written = []
    expected = set()
    for name, schema in event_schemas().items():
        path = EVENT_SCHEMAS / f"{name}.json"
        path.write_text(render(schema))
        expected.add(path)
        written.append(path)
    for stale in set(EVENT_SCHEMAS.glob("*.json")) - expected:
        stale.unlink()
    OPENAPI.write_text(render(openapi_document()))
    written.append(OPENAPI)
    return written
