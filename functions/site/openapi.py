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


def spec() -> dict[str, Any]:
    schema = docs_app().get_openapi_schema(
        title=TITLE, version=VERSION, description=DESCRIPTION, servers=[Server(url="/")]
    )
    return schema.model_dump(mode="json", by_alias=True, exclude_none=True)
