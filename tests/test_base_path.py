"""The site works on the REST API's stage URL (everything under ``/prod/``) as well as at the root
of a custom domain: the local gateway serves both, as AWS does (issue 12, point 2)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from functions.common import basepath
from functions.common.settings import Settings
from infra.local.gateway import STAGE
from tests.conftest import Api
from tests.test_auth_flow import sign_in_link, token_of

PREFIX = f"/{STAGE}"
ROOT_RELATIVE = re.compile(r"""\s(?:href|action|src|formaction)=["'](/[^"']*)""")


def event(path: str, requested: str) -> dict[str, Any]:
    return {"path": path, "requestContext": {"path": requested, "stage": "prod"}}


@pytest.mark.parametrize(
    ("path", "requested", "expected"),
    [
        ("/sigs", "/prod/sigs", "/prod"),  # the stage URL
        ("/", "/prod/", "/prod"),
        ("/", "/prod", "/prod"),
        ("/sigs", "/sigs", ""),  # a custom domain with an empty base path mapping
        ("/sigs", "/community/sigs", "/community"),  # a mapping with a base path
        ("/sigs", "/other", ""),  # inconsistent: never guess
        ("/sigs", "/a b/sigs", ""),  # not a literal path segment
        ("/sigs", None, ""),
    ],
)
def test_the_request_tells_the_base_path(path: str, requested: str | None, expected: str) -> None:
    assert basepath.base_path(event(path, requested) if requested else {"path": path}) == expected


def test_redirects_and_root_relative_urls_in_pages_get_the_base_path_and_nothing_else() -> None:
    html = (
        '<a href="/sigs">x</a> <form action="/auth/sign-in"></form> <img src="/logo.png">'
        '<a href="//cdn.example/x">cdn</a> <a href="https://example.org/">abs</a> <a href="/prod/sigs">done</a>'
        "<p>Go to /sigs</p>"
    )
    response = {
        "statusCode": 303,
        "multiValueHeaders": {"Content-Type": ["text/html; charset=utf-8"], "Location": ["/sigs/new"]},
        "body": html,
    }
    out = basepath.apply(response, "/prod")
    assert out["multiValueHeaders"]["Location"] == ["/prod/sigs/new"]
    assert out["body"] == (
        '<a href="/prod/sigs">x</a> <form action="/prod/auth/sign-in"></form> <img src="/prod/logo.png">'
        '<a href="//cdn.example/x">cdn</a> <a href="https://example.org/">abs</a> <a href="/prod/sigs">done</a>'
        "<p>Go to /sigs</p>"
    )
    json_body = {"statusCode": 201, "headers": {"Content-Type": "application/json"}, "body": '{"href": "/x"}'}
    assert basepath.apply(dict(json_body), "/prod")["body"] == '{"href": "/x"}'
    assert basepath.apply(dict(response), "") == response


def test_emailed_links_start_with_the_site_url_including_the_stage() -> None:
    site = Settings("Q", "N", "https://abc.execute-api.eu-west-2.amazonaws.com/prod/", "", frozenset(), "b", "", False)
    assert site.url("/auth/link?token=t") == "https://abc.execute-api.eu-west-2.amazonaws.com/prod/auth/link?token=t"


def links_of(html: str) -> list[str]:
    return ROOT_RELATIVE.findall(html)


def test_every_link_on_the_stage_url_stays_under_the_stage_and_answers(api: Api) -> None:
    home = api.get(PREFIX + "/")
    assert home.status_code == 200
    links = links_of(home.text)
    assert links, "the home page has links"
    for link in links:
        assert link.startswith(PREFIX + "/"), link
        assert api.get(link).status_code in (200, 401, 403), link
    # The same page at the root (a custom domain) is unchanged.
    assert all(not link.startswith(PREFIX + "/") for link in links_of(api.get("/").text))


def test_sign_in_forms_and_redirects_work_on_the_stage_url(api: Api, email) -> None:
    address = email("stage")
    page = api.get(PREFIX + "/auth/sign-in?next=/sigs/new")
    (action,) = {a for a in re.findall(r'<form[^>]*action="([^"]+)"', page.text) if "sign-in" in a}
    assert action.startswith(PREFIX + "/")
    asked = api.post(action, data={"email": address, "name": "Stage", "next": "/sigs/new"})
    assert asked.status_code in (200, 303)
    if asked.status_code == 303:
        assert asked.headers["Location"].startswith(PREFIX + "/")
    link = sign_in_link(api, address)
    link_page = api.get(PREFIX + Api.path(link))  # the browser opens the link's page, then presses its button
    assert link_page.status_code == 200, link_page.text
    binding = link_page.text.split('name="binding" value="', 1)[1].split('"', 1)[0]
    (confirm,) = re.findall(r'<form[^>]*action="([^"]+)"', link_page.text)
    assert confirm == PREFIX + "/auth/link"
    response = api.post(confirm, data={"token": token_of(link), "binding": binding})
    assert response.status_code == 303 and response.headers["Location"] == PREFIX + "/sigs/new"
    session = response.headers["Set-Cookie"].split(";", 1)[0]

    form_page = api.get(response.headers["Location"], headers={"Cookie": session})
    assert form_page.status_code == 200
    csrf = form_page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    actions = re.findall(r'<form[^>]*action="([^"]+)"', form_page.text)
    assert actions and all(a.startswith(PREFIX + "/") for a in actions), actions
    form = {"name": "Stage SIG " + address[:12], "purpose": "A group proposed on the stage URL.", "csrf_token": csrf}
    created = api.post(PREFIX + "/sigs/new", data=form, headers={"Cookie": session})
    assert created.status_code == 303 and created.headers["Location"].startswith(PREFIX + "/sigs/sig_")
    shown = api.get(created.headers["Location"], headers={"Cookie": session})
    assert shown.status_code == 200 and form["name"] in shown.text
