"""Lambda entry point for the follow-ups pages and API (API Gateway proxy events)."""

from __future__ import annotations

from functions.common.coldstart import collector_paused

with collector_paused():
    from functions.common.http import lambda_handler, make_app
    from functions.followups.routes import register

    app = make_app()
    register(app)
    handler = lambda_handler(app)
