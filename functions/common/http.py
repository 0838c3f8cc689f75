"""The one way Convene's API functions are built: a Powertools resolver with validation,
readable errors, sessions, CSRF protection, HEAD support and a body size limit.

Domain errors are mapped to HTTP here, in one place. Paths under ``/api`` answer JSON;
pages answer HTML.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from . import basepath, identity, tokens
from .errors import DomainError, Forbidden, NotSignedIn
from .identity import User, csrf_token
from .paths import local_path
from .settings import settings

logger = logging.getLogger("convene")

SESSION_COOKIE = "convene_session"
#: Forms and JSON bodies are small; anything larger is refused before parsing.
MAX_BODY_BYTES = 64 * 1024
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON = "application/json"
HTML = "text/html; charset=utf-8"


__all__ = ["App", "User", "csrf_token", "lambda_handler", "make_app"]  # User lives in identity


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status_code=status, content_type=JSON, body=json.dumps(body), headers=headers)


def error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": HTTPStatus(status).phrase, "status": status, "message": message, **extra}


class App(APIGatewayRestResolver):
    """A resolver that knows who is asking."""

    # Powertools keeps the event being resolved on its BaseRouter class: one per process. That
    # is right on Lambda, where a process serves one request at a time, but the local runtime
    # runs a function's containers on threads of one process, and there requests were answered
    # with each other's event (another member's session). The app keeps its own, per thread.
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._invocation = threading.local()

    @property  # type: ignore[override]
    def current_event(self) -> APIGatewayProxyEvent:
        event: APIGatewayProxyEvent = self._invocation.event
        return event

    @current_event.setter
    def current_event(self, event: APIGatewayProxyEvent) -> None:
        self._invocation.event = event

    @property  # type: ignore[override]
    def lambda_context(self) -> Any:
        return self._invocation.context

    @lambda_context.setter
    def lambda_context(self, context: Any) -> None:
        self._invocation.context = context

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        self.lambda_context = context
        self._invocation.who_for = None
        return super().resolve(event, context)

    def _to_proxy_event(self, event: dict[str, Any]) -> BaseProxyEvent:
        # Where Powertools turns the raw event into the one it resolves: kept here, per thread.
        proxy = super()._to_proxy_event(event)
        self._invocation.event = proxy
        return proxy

    def _credentials(self) -> tuple[str, bool]:
        """(session token, presented as a cookie?) of this request; ("", False) if none."""
        headers = self.current_event.headers
        header = headers.get("Authorization") or headers.get("authorization") or ""
        if header[:7].lower() == "bearer ":
            return header[7:].strip(), False
        token = _cookie(headers.get("Cookie") or headers.get("cookie") or "", SESSION_COOKIE)
        return token, bool(token)

    def _who(self) -> User | None:
        """Who is asking, resolved once per request (one read of the session item)."""
        state = self._invocation
        if getattr(state, "who_for", None) is not state.event:
            token, via_cookie = self._credentials()
            who: User | NotSignedIn | None = None
            if token:
                try:
                    who = identity.resolve(token, via_cookie=via_cookie)
                except NotSignedIn as ended:
                    who = None if via_cookie else ended  # a stale cookie just means "signed out"
            state.who, state.who_for = who, state.event
        if isinstance(state.who, NotSignedIn):
            raise state.who
        return state.who  # type: ignore[no-any-return]

    def user(self, *, form: dict[str, str] | None = None, acting: bool = True) -> User | None:
        """The signed-in member, or None. Cookie sessions must prove the request came from
        one of our pages (CSRF token) before an unsafe method may act as them; ``acting=False``
        only identifies them (to show their name on a page) and acts on nothing."""
        user = self._who()
        if user is None:
            return None
        event = self.current_event
        if acting and user.via_cookie and event.http_method.upper() in UNSAFE_METHODS:
            presented = event.headers.get("X-CSRF-Token") or event.headers.get("x-csrf-token")
            if presented is None and form is not None:
                presented = form.get("csrf_token")
            if not identity.csrf_valid(user.session_id, presented):
                raise Forbidden("This form has expired or did not come from this site. Reload the page and try again.")
        return user

    def require_user(self, *, form: dict[str, str] | None = None) -> User:
        # Ended, erased and forged sessions never get here: ``_who`` resolves the session item,
        # which sign-out, "sign out everywhere" and erasure delete.
        user = self.user(form=form)
        if user is None:
            raise NotSignedIn("Sign in to do this.")
        return user

    def _call_route(self, route: Any, route_arguments: dict[str, str]) -> Any:
        # The one gate every route passes, before its body is validated or its code runs: a
        # state-changing request that presents a session must present a live one. Routes added
        # later get this for free (tests/test_trust_routes.py walks every route).
        if self.current_event.http_method.upper() in UNSAFE_METHODS:
            try:
                self._who()
            except DomainError as refused:
                builder = self._call_exception_handler(refused, route)
                if builder is not None:
                    return builder
        return super()._call_route(route, route_arguments)

    def require_staff(self, *, form: dict[str, str] | None = None) -> User:
        user = self.require_user(form=form)
        if not user.is_staff:
            raise Forbidden("Only the community team can do this.")
        return user

    @property
    def client_address(self) -> str:
        """The client's address as API Gateway saw it (never a header the client can set)."""
        context = self.current_event.get("requestContext") or {}
        return str((context.get("identity") or {}).get("sourceIp") or "")

    def cookie(self, name: str) -> str:
        headers = self.current_event.headers
        return _cookie(headers.get("Cookie") or headers.get("cookie") or "", name)

    @property
    def body_text(self) -> str:
        return self.current_event.decoded_body or ""

    def page(
        self,
        template: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        cookies: list[Cookie] | None = None,
        user: User | bool | None = True,
        **context: Any,
    ) -> Response[str]:
        from .web import SECURITY_HEADERS, render

        if user is True:
            try:
                user = self.user(acting=False)
            except DomainError:
                user = None
        html = render(template, user=user or None, path=self.current_event.path, **context)
        return Response(
            status_code=status,
            content_type=HTML,
            body=html,
            headers={**SECURITY_HEADERS, "Cache-Control": "no-store", **(headers or {})},
            cookies=cookies,
        )

    def redirect(self, location: str, *, cookies: list[Cookie] | None = None) -> Response[str]:
        # 303: the browser follows a form POST with a GET, so reloading never re-posts. Only
        # ever to a path on this site, whatever a route passes (no open redirect anywhere).
        return Response(status_code=303, headers={"Location": local_path(location)}, body="", cookies=cookies)


def retry_headers(error: DomainError) -> dict[str, str]:
    """``Retry-After`` for a refusal that says when to come back (a rate limit)."""
    retry_after = getattr(error, "retry_after", None)
    return {"Retry-After": str(retry_after)} if retry_after else {}


def attachment(body: str, filename: str, content_type: str) -> Response[str]:
    """A file to download (CSV exports, a member's data): never cached, since it holds personal data."""
    return Response(
        200,
        content_type,
        body,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def session_cookie(token: str, *, max_age: int) -> Cookie:
    return Cookie(
        name=SESSION_COOKIE,
        value=token,
        path="/",
        secure=settings().secure_cookies,
        http_only=True,
        same_site=SameSite.LAX_MODE,
        max_age=max_age,
    )


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def _field_errors(errors: Any) -> list[dict[str, str]]:
    readable = []
    for error in errors:
        location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        context = error.get("ctx") or {}
        kind = error.get("type", "")
        if kind in ("too_short", "too_long") and isinstance(error.get("input"), str):
            kind = f"string_{kind}"  # length limits on cleaned text report as generic lengths
        if kind == "string_too_short" and not str(error.get("input", "")).strip():
            kind = "empty"
        template = _MESSAGES.get(kind, "")
        message = template.format(**context) if template else (error.get("msg") or "This value is not valid.")
        if error.get("type") == "json_invalid":
            readable.append({"field": "body", "message": "The request body is not valid JSON."})
            continue
        readable.append({"field": ".".join(location) or "body", "message": message})
    return readable


_MESSAGES = {
    "missing": "This field is required.",
    "empty": "This field is required.",
    "extra_forbidden": "This field is not expected here.",
    "string_too_long": "Use at most {max_length} characters.",
    "string_too_short": "Use at least {min_length} characters.",
    "too_long": "Give at most {max_length} entries.",
    "too_short": "Give at least {min_length} entries.",
    "string_type": "This must be text.",
    "int_type": "This must be a whole number.",
    "int_parsing": "This must be a whole number.",
    "greater_than": "This must be more than {gt}.",
    "greater_than_equal": "This must be at least {ge}.",
    "less_than_equal": "This must be at most {le}.",
    "list_type": "This must be a list.",
    "literal_error": "Choose one of: {expected}.",
    "enum": "Choose one of: {expected}.",
    "model_attributes_type": "This must be a JSON object.",
    "model_type": "This must be a JSON object.",
    "string_pattern_mismatch": "This is not in the expected format.",
}


def make_app(*, validation: bool = True) -> App:
    app = App(enable_validation=validation)

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[Any]:
        errors = _field_errors(error.errors())
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return json_response(422, error_body(422, f"The request is not valid. {summary}", errors=errors))

    @app.exception_handler(DomainError)
    def domain_error(error: DomainError) -> Response[Any]:
        headers = retry_headers(error)
        if is_api(app.current_event.path):
            extra = {"errors": [{"field": error.field, "message": error.message}]} if error.field else {}
            return json_response(error.status, error_body(error.status, error.message, **extra), headers=headers)
        return app.page("error.html", status=error.status, message=error.message, headers=headers)

    @app.exception_handler(tokens.TokenRejected)
    def token_rejected(error: tokens.TokenRejected) -> Response[Any]:
        status = 410 if error.code in ("expired", "used") else 400
        if is_api(app.current_event.path):
            return json_response(status, error_body(status, error.reason, code=error.code))
        return app.page("link_problem.html", status=status, reason=error.reason)

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_media_type(_: RequestUnsupportedContentType) -> Response[Any]:
        sent = app.current_event.headers.get("content-type") or app.current_event.headers.get("Content-Type") or "none"
        return json_response(415, error_body(415, f"Send the body as application/json (not {sent})."))

    @app.exception_handler(ServiceError)
    def service_error(error: ServiceError) -> Response[Any]:
        return json_response(error.status_code, error_body(error.status_code, str(error.msg)))

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response[Any]:
        # A bug, not bad input: log it in full, tell the person plainly, never leak details.
        logger.exception("unhandled error on %s %s", app.current_event.http_method, app.current_event.path)
        message = "Something went wrong on our side. Nothing was changed; please try again."
        if not is_api(app.current_event.path):
            return app.page("error.html", status=500, message=message, user=None)
        return json_response(500, error_body(500, message))

    @app.exception_handler(NotFoundError)
    def not_found(_: NotFoundError) -> Response[Any]:
        event = app.current_event
        allowed = _allowed_methods(app, event.path)
        if allowed:
            message = f"{event.http_method} is not allowed on {event.path}; use {', '.join(sorted(allowed))}."
            headers = {"Allow": ", ".join(sorted(allowed | {"HEAD"} if "GET" in allowed else allowed))}
            if is_api(event.path):
                return json_response(405, error_body(405, message), headers=headers)
            return app.page("error.html", status=405, message=message, headers=headers)
        if is_api(event.path):
            return json_response(404, error_body(404, f"There is nothing at {event.path}."))
        return app.page("error.html", status=404, message="We could not find that page.")

    return app


def _allowed_methods(app: APIGatewayRestResolver, path: str) -> set[str]:
    routes = app._static_routes + app._dynamic_routes
    return {route.method for route in routes if route.rule.match(path)}


def lambda_handler(app: App) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """Wrap the resolver: HEAD is a GET without a body (so email links are safe to probe);
    oversized bodies, and API bodies that are not JSON, are refused before anything parses them."""

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return _never_cached(_handle(event, context))

    def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        method = str(event.get("httpMethod", "")).upper()
        body = event.get("body") or ""
        if body_bytes(body, base64=bool(event.get("isBase64Encoded"))) > MAX_BODY_BYTES:
            return _raw(413, error_body(413, f"The request body is larger than {MAX_BODY_BYTES // 1024} KB."))
        if body and method in UNSAFE_METHODS and is_api(str(event.get("path", ""))):
            headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
            media_type = str(headers.get("content-type", "")).split(";", 1)[0].strip().lower()
            if media_type and media_type != JSON and not media_type.endswith("+json"):
                message = f"Send the body as application/json (not {media_type[:100]})."
                return _raw(415, error_body(415, message))
        # On the stage URL pages, forms and redirects must stay under /prod (see basepath.py).
        prefix = basepath.base_path(event)
        if method == "HEAD":
            response = basepath.apply(app.resolve({**event, "httpMethod": "GET"}, context), prefix)
            response["body"] = ""
            response["isBase64Encoded"] = False
            return response
        return basepath.apply(app.resolve(event, context), prefix)

    return handler


def body_bytes(body: str, *, base64: bool) -> int:
    """The size of a request body in bytes (a limit in characters would let multi-byte text through)."""
    if base64:
        return len(body) * 3 // 4
    return len(body.encode("utf-8", "surrogatepass"))


def _never_cached(response: dict[str, Any]) -> dict[str, Any]:
    """Every response may carry personal data (a member's name, bids, sign-ups): no browser or
    proxy keeps a copy unless a route says otherwise."""
    single = response.get("headers") or {}
    multi = response.setdefault("multiValueHeaders", {}) or {}
    if not any(k.lower() == "cache-control" for k in (*single, *multi)):
        multi["Cache-Control"] = ["no-store"]
        response["multiValueHeaders"] = multi
    return response


def _raw(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "multiValueHeaders": {"Content-Type": [JSON]},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }
