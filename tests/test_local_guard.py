"""`convene dev` is local: it answers only requests addressed to it by its own names (no DNS
rebinding), from its own pages when a browser says where a request comes from, and its
``/_local/`` endpoints only to this machine."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from werkzeug.test import Client

from infra.local.guard import own_hosts

pytestmark = pytest.mark.runtime

#: Every endpoint under /_local/, with a method it answers to.
LOCAL_ENDPOINTS = [
    ("GET", "/_local/mail"),
    ("GET", "/_local/mail.json"),
    ("GET", "/_local/schedules"),
    ("POST", "/_local/schedules/visit-reminders"),
    ("POST", "/_local/token"),
    ("POST", "/_local/ses-events"),
    ("GET", "/_local/dlq"),
    ("POST", "/_local/dlq/redrive"),
    ("GET", "/_local/status"),
]


def from_address(runtime: Any, method: str, path: str, address: str, **headers: str) -> Any:
    """The runtime's WSGI app, called as the server would for a client at ``address``."""
    host = f"127.0.0.1:{runtime.port}"
    return Client(runtime.wsgi).open(
        path, method=method, headers={"Host": host, **headers}, environ_base={"REMOTE_ADDR": address}
    )


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}", "127.0.0.1:1"])
def test_a_request_addressed_to_another_name_is_refused(runtime, host: str) -> None:
    for path in ("/", "/api/sigs", "/_local/mail.json"):
        response = requests.get(runtime.url + path, headers={"Host": host.format(port=runtime.port)}, timeout=10)
        assert response.status_code == 403, path
        assert "addressed to it" in response.json()["message"]


def test_its_own_names_are_served(runtime) -> None:
    for name in ("127.0.0.1", "localhost", "LOCALHOST"):
        response = requests.get(runtime.url + "/api/sigs", headers={"Host": f"{name}:{runtime.port}"}, timeout=10)
        assert response.status_code == 200, name
    assert own_hosts("127.0.0.1", 3101) >= {"127.0.0.1:3101", "localhost:3101", "[::1]:3101"}
    assert "laptop.local:3101" in own_hosts("0.0.0.0", 3101, ("laptop.local",))


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "https://127.0.0.1:{port}", "http://127.0.0.1:1"])
def test_a_request_from_another_origin_is_refused(runtime, origin: str) -> None:
    response = requests.post(
        runtime.url + "/api/auth/sign-in",
        json={"email": "rebound@example.org"},
        headers={"Origin": origin.format(port=runtime.port)},
        timeout=10,
    )
    assert response.status_code == 403
    assert "other origins" in response.json()["message"]


def test_its_own_origin_is_served(runtime, email) -> None:
    for name in ("127.0.0.1", "localhost"):
        response = requests.post(
            runtime.url + "/api/auth/sign-in",
            json={"email": email()},
            headers={"Origin": f"http://{name}:{runtime.port}"},
            timeout=10,
        )
        assert response.status_code == 202, name


@pytest.mark.parametrize(("method", "path"), LOCAL_ENDPOINTS)
def test_local_endpoints_answer_only_loopback_clients(runtime, method: str, path: str) -> None:
    for address in ("192.168.1.20", "10.0.0.7", "2001:db8::1"):
        refused = from_address(runtime, method, path, address)
        assert refused.status_code == 403, (path, address)
        assert "only this machine" in refused.get_json()["message"]
    if method == "GET":  # reading changes nothing: the same request from this machine works
        assert from_address(runtime, method, path, "127.0.0.1").status_code == 200
        assert from_address(runtime, method, path, "::1").status_code == 200


def test_pages_and_the_api_still_answer_other_machines_by_the_runtimes_name(runtime) -> None:
    assert from_address(runtime, "GET", "/api/sigs", "192.168.1.20").status_code == 200


def test_every_local_endpoint_is_listed_here(runtime) -> None:
    """A new /_local/ endpoint must be added to LOCAL_ENDPOINTS (and so be tested above)."""
    import inspect

    from infra.local import local_pages

    source = inspect.getsource(local_pages.local_endpoint)
    import re

    paths = set(re.findall(r'"(/_local/[a-z.\-/]*)"', source))
    listed = {p if not p.startswith("/_local/schedules/") else "/_local/schedules/" for _, p in LOCAL_ENDPOINTS}
    assert paths <= listed, paths - listed
