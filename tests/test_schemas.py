"""Generated artefacts must match the code: event JSON Schemas and the OpenAPI document."""

from __future__ import annotations

import json
import re

from infra import exports
from schemas.events import EVENT_TYPES
from schemas.events.base import DomainEvent


def test_every_event_schema_file_matches_its_model() -> None:
    expected = exports.event_schemas()
    on_disk = {p.stem: json.loads(p.read_text()) for p in exports.EVENT_SCHEMAS.glob("*.json")}
    assert on_disk == expected, "event schemas drifted: run `convene export-schemas`"


def test_the_openapi_document_matches_the_routes() -> None:
    assert json.loads(exports.OPENAPI.read_text()) == exports.openapi_document(), (
        "schemas/openapi.json drifted: run `convene export-schemas`"
    )


IRREGULAR_PAST = {
    *("Sent", "Left", "Made", "Held", "Paid", "Won", "Lost", "Found", "Built", "Set", "Begun", "Ready", "Hidden"),
}


def test_events_are_named_in_the_past_tense_and_immutable() -> None:
    for name, model in EVENT_TYPES.items():
        assert issubclass(model, DomainEvent)
        assert model.model_config.get("frozen") is True
        words = re.findall(r"[A-Z][a-z]*", name)
        assert any(w.endswith("ed") or w in IRREGULAR_PAST for w in words), f"{name} is not in the past tense"


def test_the_openapi_document_is_served(api) -> None:
    served = api.get("/api/openapi.json")
    assert served.status_code == 200
    document = served.json()
    assert document["openapi"].startswith("3.")
    assert "/api/sigs" in document["paths"] and "/api/auth/sign-in" in document["paths"]
    docs = api.get("/api/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
