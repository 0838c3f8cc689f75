"""Home page, API documentation, and the readable 404 for every unknown path."""

from __future__ import annotations

from typing import Any

from functions.common.coldstart import collector_paused

with collector_paused():
    from aws_lambda_powertools.event_handler import Response

    from functions.common.http import json_response, lambda_handler, make_app

    app = make_app()


@app.get("/", include_in_schema=False)
def home() -> Response[str]:
    from functions.common.errors import DomainError

    from .myq import home_context

    try:
        user = app.user(acting=False)
    except DomainError:
        user = None
    return app.page("home.html", user=user, **home_context(user))


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
