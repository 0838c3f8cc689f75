"""Your account: download your data, erase your account."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import ConfigDict, Field

from functions.common.http import App, attachment, json_response, session_cookie
from functions.common.web import parse_form
from schemas.api.base import ApiModel

from .service import AccountService

#: What a member types (page) or sends (API) to confirm: erasure cannot be undone.
CONFIRMATION = "erase my account"


class Erasure(ApiModel):
    model_config = ConfigDict(extra="forbid")
    confirm: Literal["erase my account"] = Field(description=f"Must be exactly “{CONFIRMATION}”.")


class Erased(ApiModel):
    erased: bool
    message: str


def register(app: App) -> None:
    service = AccountService()

    @app.get("/api/account/data", tags=["Account"], summary="Everything held about me (JSON)")
    def my_data() -> Response[Any]:
        return json_response(200, service.export(app.require_user().member_id))

    @app.post("/api/account/erasure", tags=["Account"], summary="Erase my account and personal data")
    def erase(body: Annotated[Erasure, Body()]) -> Erased:
        del body  # its only job is the explicit confirmation
        service.erase(app.require_user().member_id)
        return Erased(erased=True, message="Your account and personal data have been erased.")

    @app.get("/account", include_in_schema=False)
    def account_page() -> Response[str]:
        if app.user() is None:
            return app.redirect("/auth/sign-in?next=/account")
        return app.page("account/account.html", errors={}, confirmation=CONFIRMATION)

    @app.get("/account/data.json", include_in_schema=False)
    def download() -> Response[str]:
        data = service.export(app.require_user().member_id)
        return attachment(json.dumps(data, indent=2, ensure_ascii=False), "my-data.json", "application/json")

    @app.post("/account/erase", include_in_schema=False)
    def erase_submit() -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        if form.get("confirm", "").strip().lower() != CONFIRMATION:
            errors = {"confirm": f"Type “{CONFIRMATION}” to confirm. Nothing has been erased."}
            return app.page("account/account.html", status=422, errors=errors, confirmation=CONFIRMATION)
        service.erase(user.member_id)
        return app.page("account/erased.html", user=None, cookies=[session_cookie("", max_age=0)])
