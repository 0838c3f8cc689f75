"""Lambda entry point for comments' pages and API (API Gateway proxy events)."""

from __future__ import annotations

from functions.common.coldstart import collector_paused

with collector_paused():
    from functions.comments.routes import register
    from functions.common.http import lambda_handler, make_app

    app = make_app()
    register(app)
    handler = lambda_handler(app)
