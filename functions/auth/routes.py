"""Sign-in pages and API."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from pydantic import ConfigDict, Field

from functions.common import tokens
from functions.common.errors import DomainError, Forbidden
from functions.common.http import App, retry_headers, session_cookie
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


class SignedOut(ApiModel):
    sessions_ended: int = Field(description="How many sessions were ended (every device signed in).")


class SessionCreated(ApiModel):
    session_token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    expires_in: int
    member: MemberView


def register(app: App) -> None:
    @app.post("/api/auth/sign-in", tags=["Sign-in"], status_code=202, summary="Email me a sign-in link")
    def api_request_sign_in(body: Annotated[SignInRequest, Body()]) -> SignInAccepted:
        email = service.request_sign_in(body.email, body.name, client=app.client_address)
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

    @app.delete("/api/auth/sessions/current", tags=["Sign-in"], status_code=204, summary="Sign out (end this session)")
    def api_sign_out() -> Response[str]:
        service.sign_out(app.require_user())
        return Response(204, body="")

    @app.delete("/api/auth/sessions", tags=["Sign-in"], summary="Sign out everywhere (end all my sessions)")
    def api_sign_out_everywhere() -> SignedOut:
        ended = service.sign_out(app.require_user(), everywhere=True)
        return SignedOut(sessions_ended=ended)

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
            email = service.request_sign_in(
                form.get("email", ""), form.get("name", ""), next_path, client=app.client_address
            )
        except DomainError as error:
            errors = {error.field or "email": error.message}
            return app.page(
                "auth/sign_in.html",
                status=error.status if error.status != 400 else 422,
                headers=retry_headers(error),
                form=form,
                errors=errors,
                next=next_path,
            )
        return app.page("auth/check_email.html", email=email)

    @app.get("/auth/link", include_in_schema=False)
    def sign_in_link() -> Response[str]:
        # A GET never signs in: mail scanners open links. The button below POSTs, and only
        # from this browser: the form carries a value bound to a cookie set here (login CSRF).
        token = app.current_event.get_query_string_value("token", "") or ""
        claims = tokens.verify(token, "sign-in")
        nonce = service.new_page_nonce()
        return app.page(
            "auth/confirm.html",
            token=token,
            binding=service.page_binding(nonce, claims.jti),
            email=claims.subject,
            user=None,
            cookies=[_page_cookie(nonce, max_age=int(tokens.LIFETIMES["sign-in"].total_seconds()))],
        )

    @app.post("/auth/link", include_in_schema=False)
    def sign_in_confirm() -> Response[str]:
        form = parse_form(app.body_text)
        token = form.get("token", "")
        claims = tokens.verify(token, "sign-in")
        nonce = app.cookie(service.SIGN_IN_PAGE_COOKIE)
        if not service.page_binding_valid(nonce, claims.jti, form.get("binding", "")):
            # Nothing is spent: the genuine link still works from the browser that opened it.
            raise Forbidden(
                "This sign-in button was not on a page opened in this browser. "
                "Open the link from your email again, in the browser you want to sign in with."
            )
        session, next_path = service.complete_sign_in(token)
        if next_path == "/" and settings().is_staff(session.member.email):
            next_path = "/staff"  # the team lands on the team home
        if not session.member.name:  # first sign-in without a name: ask for the one others see
            next_path = f"/account/name?next={quote(next_path, safe='')}"
        return app.redirect(
            next_path,
            cookies=[session_cookie(session.token, max_age=session.max_age), _page_cookie("", max_age=0)],
        )

    @app.post("/auth/sign-out", include_in_schema=False)
    def sign_out() -> Response[str]:
        form = parse_form(app.body_text)
        user = app.user(form=form)  # CSRF check: only our own page signs you out
        if user is not None:
            service.sign_out(user, everywhere=form.get("everywhere") == "1")
        return app.redirect("/", cookies=[session_cookie("", max_age=0)])


def _page_cookie(value: str, *, max_age: int) -> Cookie:
    return Cookie(
        name=service.SIGN_IN_PAGE_COOKIE,
        value=value,
        path="/auth/link",
        secure=settings().secure_cookies,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=max_age,
    )
