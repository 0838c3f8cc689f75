"""``convene smoke URL``: exercise a deployed stack end to end, without a mailbox.

1. the home page answers, and every link and form on it stays under the URL given (the stage
   URL's ``/prod`` or a custom domain's root: a site that leaves its base path is broken);
2. the OpenAPI document is served;
3. a sign-in request is answered 202 (its email goes to SES's mailbox simulator, which accepts
   mail even in the sandbox and delivers it nowhere);
4. with a staff session token, a canary event is posted through the outbox and read back once
   the canary consumer has recorded it: outbox stream -> forwarder -> bus -> rule -> queue ->
   function -> table -> API.

The tests run it against the local runtime, on its root and on its stage prefix.
"""

from __future__ import annotations

import json
import re
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from .preflight import Check

#: SES's mailbox simulator: accepted (also in the sandbox), never delivered to anyone.
SIMULATOR = "success+smoke-{label}@simulator.amazonses.com"
_LINK = re.compile(r"""\s(?:href|action|src)=["'](/[^/"'][^"']*|/)["']""")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def request(method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 30) -> Answer:
    headers = {"Accept": "application/json, text/html"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    prepared = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 - an https URL given by the operator
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, dict(response.headers), response.read().decode(errors="replace"))
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read().decode(errors="replace"))


def _site(base: str) -> list[Check]:
    home = request("GET", base + "/")
    if home.status != 200 or "text/html" not in home.headers.get("Content-Type", ""):
        return [Check("home page", False, f"GET {base}/ answered {home.status}")]
    prefix = urlparse(base).path.rstrip("/")
    links = _LINK.findall(home.body)
    astray = [link for link in links if prefix and not link.startswith(prefix + "/")]
    checks = [Check("home page", True, f"200, {len(links)} links")]
    if astray:
        checks.append(
            Check("links stay on the site", False, f"{len(astray)} leave {prefix}/, e.g. {astray[0]} (base path)")
        )
        return checks
    broken = []
    for link in sorted(set(links))[:8]:
        answer = request("GET", f"{urlparse(base).scheme}://{urlparse(base).netloc}{link}")
        if answer.status >= 404 or (answer.status == 403 and "Missing Authentication Token" in answer.body):
            broken.append(f"{link} ({answer.status})")
    checks.append(
        Check("links stay on the site", not broken, "every link answers" if not broken else ", ".join(broken))
    )
    return checks


def _openapi(base: str) -> list[Check]:
    answer = request("GET", base + "/api/openapi.json")
    try:
        document = answer.json() if answer.status == 200 else {}
    except ValueError:
        document = {}
    ok = bool(document.get("openapi")) and "/api/canaries" in document.get("paths", {})
    return [Check("OpenAPI", ok, f"{answer.status}, {len(document.get('paths', {}))} paths")]


def _sign_in(base: str) -> list[Check]:
    address = SIMULATOR.format(label=secrets.token_hex(4))
    answer = request("POST", base + "/api/auth/sign-in", {"email": address})
    return [Check("sign-in request", answer.status == 202, f"{answer.status} for {address}")]


def _canary(base: str, staff_token: str | None, timeout: float) -> list[Check]:
    if not staff_token:
        return [
            Check(
                "canary event",
                False,
                "not checked: give a staff session token (--staff-token; sign in as staff and use "
                "POST /api/auth/sessions) to prove events flow",
                blocking=False,
            )
        ]
    posted = request("POST", base + "/api/canaries", {}, token=staff_token)
    if posted.status != 202:
        return [Check("canary event", False, f"POST /api/canaries answered {posted.status}: {posted.body[:200]}")]
    canary_id = posted.json()["canary_id"]
    started = time.monotonic()
    status = "posted"
    while time.monotonic() - started < timeout:
        read = request("GET", f"{base}/api/canaries/{canary_id}", token=staff_token)
        status = read.json().get("status", f"HTTP {read.status}") if read.status == 200 else f"HTTP {read.status}"
        if status == "received":
            return [Check("canary event", True, f"{canary_id} received after {time.monotonic() - started:.1f} s")]
        time.sleep(1)
    return [
        Check(
            "canary event",
            False,
            f"{canary_id} still {status} after {timeout:.0f} s: events are not leaving the outbox or not reaching "
            "their consumers (see docs/deploying.md: the forwarder's logs and DLQ, the canary queue's DLQ)",
        )
    ]


def smoke(url: str, *, staff_token: str | None = None, timeout: float = 90) -> list[Check]:
    base = url.rstrip("/")
    return [*_site(base), *_openapi(base), *_sign_in(base), *_canary(base, staff_token, timeout)]
