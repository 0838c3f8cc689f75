"""Home page, API documentation, and the readable 404 for every unknown path."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from functions.common.coldstart import collector_paused

with collector_paused():
    from aws_lambda_powertools.event_handler import Response

    from functions.common.http import json_response, lambda_handler, make_app

    # No route of the site takes a parameter or a body: OpenAPI validation would only cost its
    # imports (pydantic and Powertools' OpenAPI models, ~70 ms of the home page's cold start).
    app = make_app(validation=False)

if TYPE_CHECKING:
    from functions.common.http import User


@app.get("/", include_in_schema=False)
def home() -> Response[str]:
    from functions.common.errors import DomainError

    try:
        user = app.user(acting=False)
    except DomainError:
        user = None
    return app.page("home.html", user=user, **_home_context()(user))


@cache
def _home_context() -> Callable[[User | None], dict[str, Any]]:
    # Imported by the first home page, not with this module (the 404 and the OpenAPI document
    # need none of it), but as a handler module's imports are: botocore and the store without
    # the garbage collector walking them as they are built (functions.common.coldstart).
    with collector_paused():
        from .myq import home_context
    return home_context


@app.get("/api/openapi.json", include_in_schema=False)
def openapi() -> Response[Any]:
    from .openapi import spec

    return json_response(200, spec())


_site = lambda_handler(app)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("path") == "/api/docs":
        from .openapi import docs_app

        return lambda_handler(docs_app())(event, context)
    return _site(event, context)
