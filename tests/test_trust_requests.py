"""Requests an attacker would send: off-site redirects, login CSRF, floods, cached personal
data, oversized bodies, and text put in front of someone else's inbox."""

from __future__ import annotations

import uuid

import pytest

from functions.common.paths import local_path
from tests.conftest import Api
from tests.test_auth_flow import press_sign_in, sign_in_link, token_of
from tests.trust_routes import all_routes

OFF_SITE = [
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "/%5Cevil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "/%09/evil.example",
    "/é",
    "",
    "/" + "a" * 600,
]


@pytest.mark.parametrize("value", OFF_SITE)
def test_a_next_value_leads_off_site_under_no_browser_reading(value: str) -> None:
    assert local_path(value) == "/"


@pytest.mark.parametrize("value", ["/", "/sigs/new", "/funding/rounds/round_1?tab=bids", "/sigs?q=a%20b", "/a/b/"])
def test_paths_on_this_site_are_kept(value: str) -> None:
    assert local_path(value) == value


def test_a_bad_next_is_settled_when_the_link_is_requested_and_the_link_still_works(api: Api, email) -> None:
    for value in ("/%2F%2Fevil.example", "/\\evil.example", "\t//evil.example"):
        address = email("next")
        asked = api.post("/auth/sign-in", data={"email": address, "name": "Kim Lee", "next": value})
        assert asked.status_code == 200
        link = sign_in_link(api, address)
        response = press_sign_in(api, link)
        assert response.status_code == 303 and response.headers["Location"] == "/"
    page = api.get("/auth/sign-in", params={"next": "/%5C%5Cevil.example"})
    assert 'name="next" value="/"' in page.text


def test_login_csrf_a_form_posted_from_elsewhere_signs_no_one_in(api: Api, email) -> None:
    """Another site cannot post its own sign-in token into a visitor's browser: the form is bound
    to a cookie only this site's link page sets. The refusal spends nothing."""
    attacker = email("attacker")
    api.post("/api/auth/sign-in", json={"email": attacker})
    link = sign_in_link(api, attacker)
    token = token_of(link)
    victim = Api(api.runtime, __import__("requests").Session())  # a browser that never opened the link

    forged = victim.post("/auth/link", data={"token": token})
    assert forged.status_code == 403 and "convene_session" not in forged.headers.get("Set-Cookie", "")
    # A binding copied from the attacker's own page does not match the victim's (missing) cookie.
    page = api.get(Api.path(link))
    binding = page.text.split('name="binding" value="', 1)[1].split('"', 1)[0]
    copied = victim.post("/auth/link", data={"token": token, "binding": binding})
    assert copied.status_code == 403
    assert "convene_session" not in copied.headers.get("Set-Cookie", "")
    # Nothing was spent: the browser that opened the link signs in with it.
    assert press_sign_in(api, link).status_code == 303


def test_sign_in_limits_count_the_mailbox_not_its_spelling(api: Api, email) -> None:
    name = f"flood{uuid.uuid4().hex[:8]}"
    spellings = [f"{name}@example.org", f"{name.upper()}@EXAMPLE.org", f"{name}+a@example.org", f"{name}+b@example.org"]
    codes = [api.post("/api/auth/sign-in", json={"email": spellings[i % 4]}).status_code for i in range(6)]
    assert codes == [202] * 5 + [429]
    refused = api.post("/api/auth/sign-in", json={"email": f"{name}+c@example.org"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3601
    assert "Try again after" in refused.json()["message"]
    page = api.post("/auth/sign-in", data={"email": f"{name}+d@example.org"})
    assert page.status_code == 429 and page.headers["Retry-After"] and "Try again after" in page.text


def test_sign_in_and_subscription_limits_per_client_address(runtime, monkeypatch) -> None:
    """One network cannot spray many mailboxes; another network is not affected."""
    from functions.auth.service import request_sign_in
    from functions.common.errors import TooManyRequests
    from functions.newsletter.service import NewsletterService
    from schemas.api.newsletter import Subscribe

    monkeypatch.setenv("CONVENE_RATE_LIMITS", '{"sign-in-client": 3, "subscribe-client": 2}')
    client = f"198.51.100.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"
    for _ in range(3):
        request_sign_in(f"spray.{uuid.uuid4().hex[:8]}@example.org", client=client)
    with pytest.raises(TooManyRequests) as refused:
        request_sign_in(f"spray.{uuid.uuid4().hex[:8]}@example.org", client=client)
    assert 0 < refused.value.retry_after <= 601
    request_sign_in(f"spray.{uuid.uuid4().hex[:8]}@example.org", client=client + "-other")

    service = NewsletterService()
    for _ in range(2):
        service.subscribe(Subscribe(email=f"spray.{uuid.uuid4().hex[:8]}@example.org"), client=client)
    with pytest.raises(TooManyRequests):
        service.subscribe(Subscribe(email=f"spray.{uuid.uuid4().hex[:8]}@example.org"), client=client)


def test_an_overall_limit_holds_across_every_mailbox_and_client(runtime) -> None:
    from functions.common import limits
    from functions.common.errors import TooManyRequests
    from functions.common.store import Store

    store = Store()
    name = f"test-overall-{uuid.uuid4().hex[:8]}"
    limits.LIMITS[name] = limits.Limit(name, 3, 3600)
    try:
        for _ in range(3):
            limits.check(name, "all", store, message="busy")
        with pytest.raises(TooManyRequests) as refused:
            limits.check(name, "all", store, message="busy")
        assert "Try again after" in refused.value.message
    finally:
        del limits.LIMITS[name]


def test_mailbox_normalisation_is_only_what_every_provider_agrees_on() -> None:
    from functions.common.limits import mailbox

    assert mailbox("Ann.Lee+news@Example.ORG") == "ann.lee@example.org"
    assert mailbox("ann.lee@example.org") != mailbox("annlee@example.org")  # dots matter at most providers


def test_every_api_route_says_do_not_store(api: Api, email) -> None:
    """Every GET route of every function, as a signed-in member: never cacheable."""
    headers = api.auth(email("cache"))
    for route in all_routes():
        if route.method != "GET":
            continue
        response = api.get(route.path, headers=headers)
        assert response.headers.get("Cache-Control") == "no-store", (str(route), response.headers)
    me = api.get("/api/auth/me", headers=headers)
    assert me.status_code == 200 and me.headers["Cache-Control"] == "no-store"


def test_body_limits_count_bytes_not_characters(api: Api, email) -> None:
    from functions.common.http import MAX_BODY_BYTES

    # Under the limit in characters, over it in bytes (each "é" is two bytes in UTF-8).
    text = "é" * (MAX_BODY_BYTES // 2 + 10)
    assert len(text) < MAX_BODY_BYTES < len(text.encode())
    response = api.post(
        "/api/sigs",
        data=('{"name": "x", "purpose": "' + text + '"}').encode(),
        headers={**api.auth(email("bytes")), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_a_stranger_cannot_put_text_into_a_confirmation_email_or_rewrite_a_pending_one(api: Api, email) -> None:
    victim = email("victim")
    first = api.post("/api/newsletter/subscriptions", json={"email": victim, "name": "Sam"})
    assert first.status_code == 202, first.text
    mail = api.one_mail(victim, subject="Confirm")
    assert "Sam" not in mail["text"]  # not even the first request's name: nobody has proven it is theirs
    again = api.post(
        "/api/newsletter/subscriptions", json={"email": victim, "name": "Call 0800 000 000 to claim a prize"}
    )
    assert again.status_code == 202
    api.settle()
    texts = [m["text"] + m.get("html", "") for m in api.mail(victim)]
    assert texts and not any("0800" in text or "prize" in text for text in texts)
    from functions.newsletter.repository import NewsletterRepository

    held = NewsletterRepository().subscriber_by_email(victim)
    assert held is not None and held.name == "Sam"
