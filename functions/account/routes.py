"""Your account: download your data, erase your account."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import ConfigDict, Field

from functions.auth.service import safe_next
from functions.common.errors import DomainError
from functions.common.http import App, attachment, json_response, session_cookie
from functions.common.web import parse_form
from schemas.api.base import ApiModel

from .service import AccountService

#: What a member types (page) or sends (API) to confirm: erasure cannot be undone.
CONFIRMATION = "erase my account"


class Erasure(ApiModel):
    model_config = ConfigDict(extra="forbid")
    confirm: Literal["erase my account"] = Field(description=f"Must be exactly “{CONFIRMATION}”.")


class NameChange(ApiModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=100, description="The name other members see (never an email address).")


class NameChanged(ApiModel):
    name: str


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

    @app.put("/api/account/name", tags=["Account"], summary="Set the name other members see")
    def api_set_name(body: Annotated[NameChange, Body()]) -> NameChanged:
        user = app.require_user()
        return NameChanged(name=service.set_name(user.member_id, body.name))

    @app.get("/account/name", include_in_schema=False)
    def name_page() -> Response[str]:
        user = app.user()
        next_path = safe_next(app.current_event.get_query_string_value("next", "/account") or "/account")
        if user is None:
            return app.redirect("/auth/sign-in?next=/account/name")
        return app.page("account/name.html", form={"name": user.name}, errors={}, next=next_path)

    @app.post("/account/name", include_in_schema=False)
    def name_submit() -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        next_path = safe_next(form.get("next") or "/account")
        try:
            service.set_name(user.member_id, form.get("name", ""))
        except DomainError as error:
            errors = {error.field or "name": error.message}
            return app.page("account/name.html", status=422, form=form, errors=errors, next=next_path)
        return app.redirect(next_path)

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
