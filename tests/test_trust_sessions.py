"""Who is asking, checked in one place: sessions end on the server, an erased member writes
nothing through any route, and tokens do not show who they belong to."""

from __future__ import annotations

import base64
import json

import pytest

from tests.conftest import STAFF, Api
from tests.trust_routes import all_routes, table_fingerprint, unsafe_routes


def _erase(api: Api, headers: dict[str, str]) -> None:
    response = api.post("/api/account/erasure", json={"confirm": "erase my account"}, headers=headers)
    assert response.status_code == 200, response.text


def test_an_erased_members_session_writes_nothing_through_any_route(api: Api, email) -> None:
    """Every POST/PUT/PATCH/DELETE of every function, with a bearer session issued before the
    erasure: refused with 401 before the body is even read, and not one item changes."""
    address = email("erased")
    bearer = api.auth(address)
    _erase(api, bearer)
    api.settle()
    before = table_fingerprint(api.runtime)
    answers = {}
    for route in unsafe_routes():
        response = api.request(route.method, route.path, json={}, headers=bearer)
        answers[str(route)] = response.status_code
    api.settle()
    assert {route: status for route, status in answers.items() if status != 401} == {}
    assert table_fingerprint(api.runtime) == before
    assert len(answers) >= 30


def test_an_erased_members_cookie_session_acts_as_no_one_on_any_route(api: Api, email) -> None:
    """The same with the browser's cookie and a valid CSRF token: no route acts as the member."""
    address = email("erased-cookie")
    token = api.token(address)
    cookie = {"Cookie": f"convene_session={token}"}
    page = api.get("/account", headers=cookie)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    _erase(api, {"Authorization": f"Bearer {token}"})
    api.settle()
    before = table_fingerprint(api.runtime)
    statuses = {}
    for route in unsafe_routes():
        response = api.request(route.method, route.path, data={"csrf_token": csrf}, headers=cookie)
        statuses[str(route)] = response.status_code
        if response.status_code == 303:  # a page sends a signed-out visitor to sign in
            location = response.headers["Location"]
            assert location == "/" or location.startswith("/auth/sign-in"), (str(route), location)
    api.settle()
    assert {r: s for r, s in statuses.items() if not (400 <= s < 500 or s == 303)} == {}
    assert table_fingerprint(api.runtime) == before
    assert api.get("/api/auth/me", headers=cookie).status_code == 401


def test_signing_out_ends_the_session_on_the_server(api: Api, email) -> None:
    address = email("signout")
    token = api.token(address)
    bearer = {"Authorization": f"Bearer {token}"}
    other = api.auth(address)  # the same member on another device
    assert api.get("/api/auth/me", headers=bearer).status_code == 200
    assert api.delete("/api/auth/sessions/current", headers=bearer).status_code == 204
    # The token still has a valid signature, but its session is gone: a copy cannot be replayed.
    assert api.get("/api/auth/me", headers=bearer).status_code == 401
    assert api.post("/api/sigs", json={}, headers=bearer).status_code == 401
    assert api.get("/api/auth/me", headers=other).status_code == 200

    # The page's sign-out button does the same for the cookie.
    cookie_token = api.token(address)
    cookie = {"Cookie": f"convene_session={cookie_token}"}
    page = api.get("/account", headers=cookie)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    out = api.post("/auth/sign-out", data={"csrf_token": csrf}, headers=cookie)
    assert out.status_code == 303 and "convene_session=;" in out.headers["Set-Cookie"]
    assert api.get("/api/auth/me", headers={"Authorization": f"Bearer {cookie_token}"}).status_code == 401
    assert api.get("/api/auth/me", headers=other).status_code == 200


def test_signing_out_everywhere_ends_every_session_of_the_member_only(api: Api, email) -> None:
    address, neighbour = email("everywhere"), email("neighbour")
    phones = [api.auth(address) for _ in range(3)]
    theirs = api.auth(neighbour)
    ended = api.delete("/api/auth/sessions", headers=phones[0])
    assert ended.status_code == 200 and ended.json() == {"sessions_ended": 3}
    assert [api.get("/api/auth/me", headers=h).status_code for h in phones] == [401, 401, 401]
    assert api.get("/api/auth/me", headers=theirs).status_code == 200

    # From the account page, with the form's CSRF token.
    token = api.token(address)
    laptop = api.auth(address)
    cookie = {"Cookie": f"convene_session={token}"}
    page = api.get("/account", headers=cookie)
    assert "Sign out everywhere" in page.text
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert api.post("/auth/sign-out", data={"csrf_token": csrf, "everywhere": "1"}, headers=cookie).status_code == 303
    assert api.get("/api/auth/me", headers=laptop).status_code == 401


def test_erasure_ends_every_session(api: Api, email) -> None:
    address = email("erase-all")
    first, second = api.auth(address), api.auth(address)
    _erase(api, first)
    assert api.get("/api/auth/me", headers=second).status_code == 401
    assert api.get("/api/account/data", headers=second).status_code == 401


def test_a_session_token_does_not_show_the_members_address(api: Api, email) -> None:
    address = email("opaque")
    token = api.token(address, name="Opaque Person")
    payload = token.split(".", 1)[0]
    readable = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    claims = json.loads(readable)
    assert set(claims) == {"sub", "jti"}
    assert address.split("@")[0] not in readable.decode() and "Opaque" not in readable.decode()


def test_the_staff_role_is_decided_now_not_when_the_session_began(api: Api, email, monkeypatch) -> None:
    """Staff are those on the staff list at the moment of the request."""
    from functions.common import settings

    staff = api.auth(STAFF)
    assert api.get("/api/auth/me", headers=staff).json()["is_staff"] is True
    monkeypatch.setenv("STAFF_EMAILS", "someone.else@q.example.org")
    settings.settings.cache_clear()
    try:
        assert api.get("/api/auth/me", headers=staff).json()["is_staff"] is False
        assert api.get("/api/sigs?status=proposed", headers=staff).status_code == 403
    finally:
        monkeypatch.undo()
        settings.settings.cache_clear()


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_forged_bearer_token_is_refused_before_any_route_reads_its_body(api: Api, method: str) -> None:
    routes = [r for r in all_routes() if r.method == method]
    for route in routes:
        response = api.request(method, route.path, json={}, headers={"Authorization": "Bearer forged.token.value"})
        assert response.status_code == 401, (str(route), response.text)
