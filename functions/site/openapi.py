"""The OpenAPI document of the whole API, built from every area's routes."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import Server

from functions.areas import AREAS
from functions.common.http import App, make_app

TITLE = "Convene API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Member workflows of a professional improvement community: sign-in, Special Interest Groups, "
    "funding bids, Visits and the newsletter. Authenticate with `Authorization: Bearer <session token>` "
    "(from `POST /api/auth/sessions`). Errors are JSON: `{error, status, message, errors?}`."
)


@cache
def docs_app() -> App:
    app = make_app()
    for module in AREAS:
        importlib.import_module(module).register(app)
    app.enable_swagger(path="/api/docs", title=TITLE, version=VERSION, description=DESCRIPTION)
    return app


#: Every operation can answer with these; the body is always an ``Error``.
ERROR_RESPONSES = {
    "400": "The request cannot be used (for example a malformed or spent link token).",
    "401": "Sign in first: no session, or the session is not valid.",
    "403": "Signed in, but not allowed to do this (or the CSRF token is missing).",
    "404": "No such resource, or not visible to you.",
    "405": "This path does not accept this method.",
    "409": "The request conflicts with the current state (a duplicate, or already decided).",
    "410": "The link has expired or was already used.",
    "413": "The body is larger than 64 KB.",
    "415": "The body must be sent as application/json.",
    "422": "The body or parameters are not valid; `errors` says which field and why.",
    "429": "Too many requests of this kind; try again later.",
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "required": ["error", "status", "message"],
    "properties": {
        "error": {"type": "string", "description": "The HTTP status phrase."},
        "status": {"type": "integer"},
        "message": {"type": "string", "description": "What went wrong, in words a person can act on."},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}},
                "required": ["message"],
            },
        },
    },
}


def spec() -> dict[str, Any]:
    schema = docs_app().get_openapi_schema(
        title=TITLE, version=VERSION, description=DESCRIPTION, servers=[Server(url="/")]
    )
    document = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
    return with_error_contract(document)


def with_error_contract(document: dict[str, Any]) -> dict[str, Any]:
    """Document the errors every operation can give in Convene's own shape (Powertools
    documents its default 422 body, which Convene replaces with readable field errors)."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for powertools_only in ("HTTPValidationError", "ValidationError"):
        schemas.pop(powertools_only, None)
    schemas["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = {
        "session": {"type": "http", "scheme": "bearer", "description": "A session token from POST /api/auth/sessions."}
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                responses[status] = {"description": description, "content": error}
            operation.setdefault("security", [{"session": []}, {}])
    return document
