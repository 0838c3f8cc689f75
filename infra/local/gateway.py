"""The local API Gateway: each HTTP request becomes the REST API proxy event the deployed
function receives, routed by the declared prefixes (the most specific prefix wins, as API
Gateway's resource tree does)."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request, Response

from schemas.declaration import FUNCTIONS, ApiTrigger

from .moto_server import ACCOUNT_ID

#: The deployed API's stage (infra/stack.py; a template test keeps them equal). AWS serves the
#: site twice: under ``/prod/`` on the stage URL and at ``/`` on a custom domain; so does this
#: gateway, so tests prove pages, forms and redirects work on both.
STAGE = "prod"
#: API Gateway's own payload limit.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
TEXT_TYPES = ("text/", "application/json", "application/x-www-form-urlencoded", "application/xml")


def route_table() -> list[tuple[str, str]]:
    """(prefix, function name), most specific first."""
    routes = [
        (prefix.rstrip("/") or "/", function.name)
        for function in FUNCTIONS
        for trigger in function.triggers
        if isinstance(trigger, ApiTrigger)
        for prefix in trigger.prefixes
    ]
    return sorted(routes, key=lambda r: len(r[0]), reverse=True)


def match(routes: list[tuple[str, str]], path: str) -> tuple[str, str, str | None] | None:
    """(function, resource, proxy) for a path, or None."""
    for prefix, function in routes:
        if prefix == "/":
            proxy = path.lstrip("/") or None
            return function, "/{proxy+}" if proxy else "/", proxy
        if path == prefix:
            return function, prefix, None
        if path.startswith(prefix + "/"):
            return function, prefix + "/{proxy+}", path[len(prefix) + 1 :] or None
    return None


def strip_stage(path: str) -> tuple[str, bool]:
    """(the path the function is routed by, whether the request came through the stage URL)."""
    prefix = f"/{STAGE}"
    if path == prefix or path.startswith(prefix + "/"):
        return path[len(prefix) :] or "/", True
    return path, False


def to_event(
    request: Request, resource: str, proxy: str | None, stage: str = "local", path: str | None = None
) -> dict[str, Any]:
    """``path`` is the routed path (without the stage); ``requestContext.path`` is what was asked for."""
    raw = request.get_data(cache=False)
    content_type = request.headers.get("Content-Type", "")
    is_text = not raw or content_type.startswith(TEXT_TYPES) or not content_type
    body = raw.decode("utf-8", errors="replace") if is_text else base64.b64encode(raw).decode()
    multi_headers: dict[str, list[str]] = {}
    for key, value in request.headers.items():
        multi_headers.setdefault(key, []).append(value)
    query = parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)
    multi_query: dict[str, list[str]] = {}
    for key, value in query:
        multi_query.setdefault(key, []).append(value)
    now = time.time()
    return {
        "resource": resource,
        "path": path or request.path,
        "httpMethod": request.method,
        "headers": {k: v[-1] for k, v in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": proxy} if proxy else None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": request.method,
            "path": request.path,
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "identity": {"sourceIp": request.remote_addr or "127.0.0.1", "userAgent": request.user_agent.string},
        },
        "body": body or None,
        "isBase64Encoded": bool(raw) and not is_text,
    }


def to_response(result: dict[str, Any]) -> Response:
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = Response(data, status=int(result.get("statusCode", 200)))
    response.headers.clear()
    for key, value in (result.get("headers") or {}).items():
        response.headers[key] = str(value)
    for key, values in (result.get("multiValueHeaders") or {}).items():
        response.headers.remove(key)
        for value in values:
            response.headers.add(key, str(value))
    return response


def error(status: int, message: str) -> Response:
    import json

    return Response(
        json.dumps({"error": "Local gateway", "status": status, "message": message}),
        status=status,
        content_type="application/json",
    )
