"""Passwordless sign-in through email links, sessions, CSRF and rate limits."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import requests

from tests.conftest import Api


def sign_in_link(api: Api, address: str) -> str:
    message = api.one_mail(address, subject="sign-in link")
    [link] = [link for link in message["links"] if "/auth/link?token=" in link]
    return link


def token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


def press_sign_in(api: Api, link: str) -> requests.Response:
    """What a browser does: open the link's page, then press its button (same cookies)."""
    page = api.get(Api.path(link))
    assert page.status_code == 200, page.text
    binding = page.text.split('name="binding" value="', 1)[1].split('"', 1)[0]
    return api.post("/auth/link", data={"token": token_of(link), "binding": binding})


def test_api_sign_in_round_trip(api: Api, email) -> None:
    address = email("signin")
    response = api.post("/api/auth/sign-in", json={"email": address.upper(), "name": "Priya Shah"})
    assert response.status_code == 202
    assert address in response.json()["message"]
    token = token_of(sign_in_link(api, address))

    session = api.post("/api/auth/sessions", json={"token": token})
    assert session.status_code == 201, session.text
    body = session.json()
    assert body["member"]["email"] == address and body["member"]["name"] == "Priya Shah"
    me = api.get("/api/auth/me", headers={"Authorization": f"Bearer {body['session_token']}"})
    assert me.json()["email"] == address and me.json()["is_staff"] is False

    reused = api.post("/api/auth/sessions", json={"token": token})
    assert reused.status_code == 410
    assert "already been used" in reused.json()["message"]


def test_get_and_head_of_the_link_sign_no_one_in(api: Api, email) -> None:
    address = email("scanner")
    api.post("/api/auth/sign-in", json={"email": address})
    link = sign_in_link(api, address)
    path = link.split("127.0.0.1", 1)[1].split("/", 1)[1]
    for method in ("GET", "HEAD", "GET"):
        response = api.request(method, "/" + path)
        assert response.status_code == 200
        assert "convene_session" not in response.headers.get("Set-Cookie", "")
    page = api.get("/" + path)
    assert '<form method="post" action="/auth/link">' in page.text
    assert page.headers["Referrer-Policy"] == "same-origin"
    # The link still works after being opened three times.
    assert api.post("/api/auth/sessions", json={"token": token_of(link)}).status_code == 201


def test_browser_sign_in_sets_a_safe_cookie_and_csrf_guards_forms(api: Api, email) -> None:
    address = email("browser")
    api.post("/auth/sign-in", data={"email": address, "name": "Tom", "next": "/sigs/new"})
    response = press_sign_in(api, sign_in_link(api, address))
    assert response.status_code == 303 and response.headers["Location"] == "/sigs/new"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    session = cookie.split(";", 1)[0]

    form = {"name": "Cookie SIG " + address[:12], "purpose": "A group proposed from a browser form."}
    forged = api.post("/sigs/new", data=form, headers={"Cookie": session})
    assert forged.status_code == 403
    page = api.get("/sigs/new", headers={"Cookie": session})
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    created = api.post("/sigs/new", data={**form, "csrf_token": csrf}, headers={"Cookie": session})
    assert created.status_code == 303 and created.headers["Location"].startswith("/sigs/sig_")

    # Cookie sessions on the JSON API need the CSRF header too.
    assert api.post("/api/sigs", json=form, headers={"Cookie": session}).status_code == 403
    ok = api.post(
        "/api/sigs", json={**form, "name": form["name"] + " two"}, headers={"Cookie": session, "X-CSRF-Token": csrf}
    )
    assert ok.status_code == 201


def test_sign_in_never_redirects_off_site(api: Api, email) -> None:
    address = email("redirect")
    api.post("/auth/sign-in", data={"email": address, "name": "Kim Lee", "next": "//evil.example/steal"})
    response = press_sign_in(api, sign_in_link(api, address))
    assert response.headers["Location"] == "/"


def test_sign_in_requests_are_rate_limited_per_address(api: Api, email) -> None:
    address = email("flood")
    codes = [api.post("/api/auth/sign-in", json={"email": address}).status_code for _ in range(7)]
    assert codes == [202] * 5 + [429, 429]
    assert len(api.mail(address, subject="sign-in link")) == 5
    # Another address is not affected.
    assert api.post("/api/auth/sign-in", json={"email": email("other")}).status_code == 202


def test_bad_addresses_get_a_readable_error(api: Api) -> None:
    for bad in ("not-an-email", "", "a@b", "x" * 250 + "@example.org", "evil@example.org\r\nBcc: x@y.org"):
        response = api.post("/api/auth/sign-in", json={"email": bad})
        assert response.status_code in (400, 422), (bad, response.text)
        assert response.json()["message"]
    page = api.post("/auth/sign-in", data={"email": "nope"})
    assert page.status_code == 422
    assert 'role="alert"' in page.text
    assert "Enter an email address in the correct format, like name@example.com" in page.text


def test_a_tampered_or_foreign_link_gets_a_page_that_says_why(api: Api, email) -> None:
    address = email("tamper")
    api.post("/api/auth/sign-in", json={"email": address})
    token = token_of(sign_in_link(api, address))
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    page = api.get(f"/auth/link?token={tampered}")
    assert page.status_code == 400 and "cannot be used" in page.text
    session = api.token(address)
    foreign = api.get(f"/auth/link?token={session}")
    assert foreign.status_code == 400 and "different action" in foreign.text


def test_a_staff_address_gets_the_staff_role(api: Api) -> None:
    from tests.conftest import STAFF

    me = api.get("/api/auth/me", headers=api.auth(STAFF)).json()
    assert me["is_staff"] is True
