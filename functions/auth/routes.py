"""Sign-in pages and API."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import ConfigDict, Field

from functions.common import tokens
from functions.common.errors import DomainError
from functions.common.http import App, session_cookie
from functions.common.settings import settings
from functions.common.web import parse_form
from schemas.api.base import ApiModel

from . import service


class SignInRequest(ApiModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254, description="The member's email address; a sign-in link is sent to it.")
    name: str = Field(default="", max_length=100, description="Display name, used when the member is new.")


class SignInAccepted(ApiModel):
    message: str


class SessionRequest(ApiModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(max_length=2048, description="The token from the emailed sign-in link.")


class MemberView(ApiModel):
    member_id: str
    email: str
    name: str
    is_staff: bool


class SessionCreated(ApiModel):
    session_token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    expires_in: int
    member: MemberView


def register(app: App) -> None:
    @app.post("/api/auth/sign-in", tags=["Sign-in"], status_code=202, summary="Email me a sign-in link")
    def api_request_sign_in(body: Annotated[SignInRequest, Body()]) -> SignInAccepted:
        email = service.request_sign_in(body.email, body.name)
        return SignInAccepted(message=f"We have emailed a sign-in link to {email}. It works once, for 30 minutes.")

    @app.post("/api/auth/sessions", tags=["Sign-in"], status_code=201, summary="Exchange a sign-in token for a session")
    def api_create_session(body: Annotated[SessionRequest, Body()]) -> SessionCreated:
        session, _ = service.complete_sign_in(body.token)
        user = MemberView(
            member_id=session.member.member_id,
            email=session.member.email,
            name=session.member.name,
            is_staff=settings().is_staff(session.member.email),
        )
        return SessionCreated(session_token=session.token, expires_in=session.max_age, member=user)

    @app.get("/api/auth/me", tags=["Sign-in"], summary="Who am I?")
    def api_me() -> MemberView:
        user = app.require_user()
        return MemberView(member_id=user.member_id, email=user.email, name=user.name, is_staff=user.is_staff)

    # -- pages ----------------------------------------------------------------------------
    @app.get("/auth/sign-in", include_in_schema=False)
    def sign_in_page() -> Response[str]:
        next_path = app.current_event.get_query_string_value("next", "/") or "/"
        return app.page(
            "auth/sign_in.html", form={"email": "", "name": ""}, errors={}, next=service.safe_next(next_path)
        )

    @app.post("/auth/sign-in", include_in_schema=False)
    def sign_in_submit() -> Response[str]:
        form = parse_form(app.body_text)
        next_path = service.safe_next(form.get("next"))
        try:
            email = service.request_sign_in(form.get("email", ""), form.get("name", ""), next_path)
        except DomainError as error:
            errors = {error.field or "email": error.message}
            return app.page(
                "auth/sign_in.html",
                status=error.status if error.status != 400 else 422,
                form=form,
                errors=errors,
                next=next_path,
            )
        return app.page("auth/check_email.html", email=email)

    @app.get("/auth/link", include_in_schema=False)
    def sign_in_link() -> Response[str]:
        # A GET never signs in: mail scanners open links. The button below POSTs.
        token = app.current_event.get_query_string_value("token", "") or ""
        claims = tokens.verify(token, "sign-in")
        return app.page("auth/confirm.html", token=token, email=claims.subject, user=None)

    @app.post("/auth/link", include_in_schema=False)
    def sign_in_confirm() -> Response[str]:
        form = parse_form(app.body_text)
        session, next_path = service.complete_sign_in(form.get("token", ""))
        if next_path == "/" and settings().is_staff(session.member.email):
            next_path = "/staff"  # the team lands on the team home
        if not session.member.name:  # first sign-in without a name: ask for the one others see
            next_path = f"/account/name?next={quote(next_path, safe='')}"
        return app.redirect(next_path, cookies=[session_cookie(session.token, max_age=session.max_age)])

    @app.post("/auth/sign-out", include_in_schema=False)
    def sign_out() -> Response[str]:
        app.user(form=parse_form(app.body_text))  # CSRF check: only our own page signs you out
        return app.redirect("/", cookies=[session_cookie("", max_age=0)])
