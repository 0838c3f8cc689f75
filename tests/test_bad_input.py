"""Bad input always gets a clear 4xx, never a 500, and never changes stored data."""

from __future__ import annotations

import pytest

from tests.conftest import STAFF, Api


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[]", "application/json"),
        ('"just a string"', "application/json"),
        ("null", "application/json"),
        ('{"name": 5, "purpose": ["x"]}', "application/json"),
        ('{"name": "\\u0000\\u0000\\u0000", "purpose": "NUL bytes only here"}', "application/json"),
        ("\xff\xfe", "application/json"),
    ],
)
def test_malformed_bodies_are_refused_readably(api: Api, email, body: str, content_type: str) -> None:
    response = api.post(
        "/api/sigs",
        data=body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body,
        headers={**api.auth(email()), "Content-Type": content_type},
    )
    assert 400 <= response.status_code < 500, response.text
    payload = response.json()
    assert payload["message"] and payload["status"] == response.status_code


def test_oversized_bodies_are_refused_before_parsing(api: Api, email) -> None:
    response = api.post("/api/sigs", json={"name": "Big SIG", "purpose": "x" * 70_000}, headers=api.auth(email()))
    assert response.status_code == 413
    assert "larger than" in response.json()["message"]


def test_unknown_routes_and_wrong_methods(api: Api) -> None:
    missing = api.get("/api/no-such-thing")
    assert missing.status_code == 404 and missing.json()["message"]
    page = api.get("/no-such-page")
    assert page.status_code == 404 and "text/html" in page.headers["Content-Type"]
    wrong = api.request("PATCH", "/api/sigs")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert api.request("DELETE", "/api/auth/me").status_code == 405


def test_path_parameters_are_checked(api: Api) -> None:
    assert api.get("/api/sigs/" + "x" * 300).status_code in (404, 422)
    assert api.get("/api/sigs/..%2F..%2Fetc").status_code in (404, 422)
    assert api.get("/sigs/<script>").status_code in (404, 422)


def test_validation_errors_say_which_field_and_why(api: Api, email) -> None:
    response = api.post(
        "/api/sigs",
        json={"name": "AB", "purpose": "short", "themes": ["x"] * 11, "co_convener_emails": ["nope"]},
        headers=api.auth(email()),
    )
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields["name"] == "Use at least 3 characters."
    assert fields["purpose"] == "Use at least 10 characters."
    assert fields["themes"] == "Give at most 10 entries."
    assert fields["co_convener_emails.0"]


def test_markup_is_escaped_in_pages_and_emails_and_names_cannot_inject_headers(api: Api, email) -> None:
    name = "<b>Bold</b> SIG\r\nBcc: victim@example.org " + email()[:8]
    response = api.post(
        "/api/sigs",
        json={"name": name, "purpose": "<script>alert('x')</script> and <img src=x onerror=alert(1)>"},
        headers=api.auth(email(), name="Eve\r\nBcc: x@example.org"),
    )
    assert response.status_code == 201, response.text
    sig_id = response.json()["sig_id"]
    stored = api.get(f"/api/sigs/{sig_id}", headers=api.auth(STAFF)).json()
    assert "\r" not in stored["name"] and "\n" not in stored["name"]
    message = api.one_mail(STAFF, subject="<b>Bold</b> SIG Bcc: victim@example.org")
    assert "Bcc" not in message["headers"]
    assert "<script>" not in message["html"] and "&lt;script&gt;" in message["html"]
    assert "<b>Bold</b>" not in message["html"]
    review = next(link for link in message["links"] if "/review?" in link)
    page = api.get(api.path(review))
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text


def test_unicode_names_are_normalised_so_lookalikes_clash(api: Api, email) -> None:
    base = "Cafe\u0301 SIG " + email()[:6]
    assert (
        api.post(
            "/api/sigs", json={"name": base, "purpose": "Decomposed accents in the name."}, headers=api.auth(email())
        ).status_code
        == 201
    )
    composed = base.replace("e\u0301", "\u00e9")
    clash = api.post(
        "/api/sigs", json={"name": composed, "purpose": "Composed accents in the name."}, headers=api.auth(email())
    )
    assert clash.status_code == 409
