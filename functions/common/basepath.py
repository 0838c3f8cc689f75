"""Where the site is mounted, told by each request, and applied to what the response points at.

Pages, forms and redirects use root-relative URLs (``href="/sigs"``). Behind a custom domain
with an empty base path mapping that is right as written; on the REST API's own URL
(``https://{id}.execute-api.{region}.amazonaws.com/prod/``) everything lives under ``/prod``,
and a link to ``/sigs`` would leave the API. API Gateway's proxy event says both: ``path`` is
the route the function sees, ``requestContext.path`` the path the browser asked for, so the
base path is what the second has in front of the first (``/prod`` on the stage URL, ``""`` or a
mapping's base path on a custom domain). The function's wrapper applies it to the response in
this one place, so no template or route has to know.

Emailed links are absolute: they start with ``SITE_URL``, which includes the base path.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

#: A base path is literal path segments (a stage name, a base path mapping), nothing else.
_BASE_PATH = re.compile(r"(?:/[A-Za-z0-9._~-]{1,128}){1,8}")
#: A Set-Cookie's Path attribute.
_COOKIE_PATH = re.compile(r"(;\s*Path=)(/[^;]*)", re.IGNORECASE)
#: Root-relative URLs in attributes the browser follows or submits to (not ``//host`` ones).
_ROOT_RELATIVE = re.compile(r"""(\s(?:href|action|src|formaction)=["'])/(?!/)""")


def base_path(event: dict[str, Any]) -> str:
    """``/prod`` for a request to the stage URL, ``""`` for one to a custom domain's root."""
    context = event.get("requestContext")
    if not isinstance(context, dict):
        return ""
    requested, routed = context.get("path"), event.get("path")
    if not isinstance(requested, str) or not isinstance(routed, str) or not routed.startswith("/"):
        return ""
    if routed == "/":
        prefix = requested.rstrip("/")
    elif requested.endswith(routed):
        prefix = requested[: len(requested) - len(routed)]
    else:
        return ""
    return prefix if _BASE_PATH.fullmatch(prefix) else ""


def apply(response: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The response with its redirect, its cookies' paths and its HTML's root-relative URLs
    under ``prefix``."""
    if not prefix:
        return response
    headers = response.get("headers") or {}
    multi = response.get("multiValueHeaders") or {}
    for name in list(headers):
        if name.lower() == "location":
            headers[name] = _under(str(headers[name]), prefix)
    for name in list(multi):
        if name.lower() == "location":
            multi[name] = [_under(str(value), prefix) for value in multi[name]]
        elif name.lower() == "set-cookie":  # a cookie for /auth/link must reach /prod/auth/link
            multi[name] = [
                _COOKIE_PATH.sub(lambda m: m.group(1) + _under(m.group(2), prefix), str(v)) for v in multi[name]
            ]
    for name in list(headers):
        if name.lower() == "set-cookie":
            headers[name] = _COOKIE_PATH.sub(lambda m: m.group(1) + _under(m.group(2), prefix), str(headers[name]))
    content_types = [str(v) for k, v in headers.items() if k.lower() == "content-type"]
    content_types += [str(v) for k, vs in multi.items() if k.lower() == "content-type" for v in vs]
    body = response.get("body")
    if isinstance(body, str) and not response.get("isBase64Encoded") and any("text/html" in t for t in content_types):
        response["body"] = _not_yet_under(prefix).sub(lambda match: match.group(1) + prefix + "/", body)
    return response


@cache
def _not_yet_under(prefix: str) -> re.Pattern[str]:
    """Root-relative URLs not already under ``prefix`` (Powertools' Swagger UI adds it itself)."""
    return re.compile(_ROOT_RELATIVE.pattern + f"(?!{re.escape(prefix.lstrip('/'))}/)")


def _under(location: str, prefix: str) -> str:
    if location.startswith("/") and not location.startswith("//") and not location.startswith(prefix + "/"):
        return prefix + location
    return location
