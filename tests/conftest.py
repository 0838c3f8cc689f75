"""Shared fixtures: one local runtime (moto server, functions, delivery) per test session.

Tests talk to it over HTTP exactly as a browser or API client would, and read email from the
local mail viewer's JSON. Each test uses its own addresses, so tests do not see each other.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests

from infra.local.runtime import LocalRuntime

STAFF = "community.team@q.example.org"


@pytest.fixture(scope="session")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    state: Path = tmp_path_factory.mktemp("convene-state")
    rt = LocalRuntime(
        "127.0.0.1", 0, demo=False, state_dir=state, staff_emails=STAFF, retry_delay_seconds=1, run_schedules=False
    )
    rt.start()
    yield rt
    rt.stop()


@dataclass
class Api:
    runtime: LocalRuntime
    session: requests.Session

    @property
    def url(self) -> str:
        return self.runtime.url

    def token(self, email: str, *, staff: bool = False, name: str = "") -> str:
        return self.runtime.issue_session(email, staff=staff, name=name)

    def auth(self, email: str, *, staff: bool = False, name: str = "") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(email, staff=staff, name=name)}"}

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    @staticmethod
    def path(link: str) -> str:
        """The path and query of an absolute link from an email, to request on this runtime."""
        parts = urlparse(link)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def settle(self) -> None:
        """Wait until every event has been delivered and handled."""
        assert self.runtime.wait_until_idle(20), "events were still in flight after 20 s"

    def mail(self, to: str, *, subject: str = "", settle: bool = True) -> list[dict[str, Any]]:
        if settle:
            self.settle()
        messages = requests.get(self.url + "/_local/mail.json", timeout=30).json()["messages"]
        return [m for m in messages if to.lower() in [t.lower() for t in m["to"]] and subject in m["subject"]]

    def one_mail(self, to: str, subject: str = "") -> dict[str, Any]:
        deadline = time.monotonic() + 10
        while True:
            found = self.mail(to, subject=subject)
            if found or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert len(found) == 1, f"expected one email to {to} about {subject!r}, found {len(found)}"
        return found[0]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.failed:
        item.stash[_FAILED] = True
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture()
def api(request: pytest.FixtureRequest, runtime: LocalRuntime) -> Iterator[Api]:
    yield Api(runtime, requests.Session())
    if request.node.stash.get(_FAILED, False):
        # A test that failed midway may leave a burst of events in flight: drain it here, so the
        # failure is reported once, not again as timeouts in the tests that share the runtime.
        runtime.wait_until_idle(180)


@pytest.fixture()
def email() -> Any:
    """A factory of fresh addresses, so tests never share members or mailboxes."""

    def make(name: str = "member") -> str:
        return f"{name}.{uuid.uuid4().hex[:10]}@example.org"

    return make
