"""Every API operation in the OpenAPI document, fuzzed with schemathesis against the local
runtime: valid and invalid (negative) data, all checks. No request may cause a server error,
every invalid request must be rejected with a 4xx, and responses must match the document.

The number of examples per operation is bounded for the suite (FUZZ_EXAMPLES, default 10);
`make fuzz` runs a longer campaign."""

from __future__ import annotations

import http.client
import importlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from bench.counting import CallCounter, Window
from infra.exports import OPENAPI
from tests.trust_routes import Route, all_routes

schema = schemathesis.openapi.from_path(str(OPENAPI))
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "10")),
    deterministic=os.environ.get("FUZZ_RANDOM") is None,
)

# Schema-valid data can still break a business rule the schema cannot express: a token whose
# signature is wrong (400), a spent or expired link (410), a closed round or an amount over the
# maximum (422), a body over the API's 64 KB (413: a schema-valid list of thousands of
# attendance marks). Those are correct answers, not rejections of valid data.
schema.config.checks.positive_data_acceptance.expected_statuses = [
    "2xx",
    "3xx",
    "400",
    "401",
    "403",
    "404",
    "409",
    "410",
    "413",
    "422",
    "429",
]
# Invalid data is rejected; an over-long list (more than maxItems) may be refused for its size
# (413) before its items are counted.
schema.config.checks.negative_data_rejection.expected_statuses = [
    "400",
    "401",
    "403",
    "404",
    "405",
    "406",
    "409",
    "413",
    "415",
    "422",
    "428",
    "429",
]


@pytest.fixture(scope="module")
def function_calls(runtime) -> Iterator[CallCounter]:
    """Every AWS call the functions make while the fuzzer runs, requests and the event
    consumers they set off alike."""
    with CallCounter.for_convene() as counter:
        yield counter


@pytest.fixture(scope="module")
def fuzz_headers(runtime) -> dict[str, str]:
    """A staff session reaches the deepest code paths; staff-only checks are tested elsewhere."""
    return {"Authorization": f"Bearer {runtime.issue_session('fuzz.staff@example.org', staff=True)}"}


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=os.environ.get("FUZZ_RANDOM") is None)
def test_no_operation_fails_on_any_input(
    case, runtime, fuzz_headers: dict[str, str], function_calls: CallCounter
) -> None:
    case.call_and_validate(base_url=runtime.url, headers=fuzz_headers, timeout=30)


def test_no_request_or_event_path_scans_or_discards_what_it_reads(runtime, function_calls: CallCounter) -> None:
    """Runs after the fuzzing above (same module): across every operation and every input, and
    the consumers they triggered, no Scan, and every Query returned all it read."""
    assert runtime.wait_until_idle(30)
    calls = Window(list(function_calls.calls))
    assert calls.total > 100, "the fuzzer made too few calls for this check to mean anything"
    assert calls.scans == []
    assert calls.wasted_reads == []


# -- headers and cookies: values of any bytes, on every route ------------------------------------
#: Values no browser sends but anyone can: non-ASCII, lone surrogates (an event's JSON can carry
#: them), control characters, header splitting, very long, and shapes parsers trip over.
HOSTILE_VALUES = [
    "é😀" * 3,
    "\ud800\udfff",
    "Bearer \x00\r\nSet-Cookie: x=y",
    "x" * 16_000,
    ";;=;convene_session;=;",
    "Bearer ",
    "convene_session=" + "\ud83d" + "; convene_session=a.b.c",
    "application/json; charset=\xff; boundary=",
]
FUZZED_HEADERS = ["Authorization", "Cookie", "X-CSRF-Token", "Content-Type", "Origin", "Accept-Language"]


def _handlers() -> dict[str, Any]:
    from schemas.declaration import FUNCTIONS, ApiTrigger

    return {f.name: getattr(importlib.import_module(f.module), f.attribute) for f in FUNCTIONS if f.of_type(ApiTrigger)}


def _event(route: Route, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "resource": "/{proxy+}",
        "path": route.path,
        "httpMethod": route.method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "body": "token=x&csrf_token=y" if route.method != "GET" else None,
        "isBase64Encoded": False,
        "requestContext": {"stage": "local", "path": route.path, "identity": {"sourceIp": "192.0.2.1"}},
    }


@pytest.mark.parametrize("header", FUZZED_HEADERS)
def test_no_route_fails_on_hostile_header_values(runtime, header: str) -> None:
    """Every route of every function (from the resolvers' tables), each hostile value, with and
    without a live cookie session beside it: never a 5xx, and never a cacheable answer."""
    handlers = _handlers()
    session = f"convene_session={runtime.issue_session('fuzz.headers@example.org')}"
    failures = []
    for number, route in enumerate(all_routes()):
        for value in (HOSTILE_VALUES[number % len(HOSTILE_VALUES)],):
            headers = {header: value} if header == "Cookie" else {header: value, "Cookie": session}
            response = handlers[route.function](_event(route, headers), None)
            cache = response.get("multiValueHeaders", {}).get("Cache-Control") or [
                response.get("headers", {}).get("Cache-Control")
            ]
            if response["statusCode"] >= 500 or "no-store" not in str(cache):
                failures.append((str(route), repr(value)[:30], response["statusCode"], cache))
    assert failures == []


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    route_number=st.integers(min_value=0, max_value=10_000),
    header=st.sampled_from(FUZZED_HEADERS),
    value=st.text(max_size=300),
)
def test_no_route_fails_on_any_header_text(runtime, route_number: int, header: str, value: str) -> None:
    routes = all_routes()
    route = routes[route_number % len(routes)]
    response = _handlers()[route.function](_event(route, {header: value}), None)
    assert response["statusCode"] < 500, (str(route), header, value)


def test_repeated_and_raw_byte_headers_over_http_get_no_server_error(runtime) -> None:
    """What the gateway itself receives: raw bytes, repeated headers and cookies, on every route."""
    host, port = runtime.url.split("//", 1)[1].split(":")
    raw_sets = [
        [("Authorization", b"Bearer \xff\xfe\x80"), ("Authorization", b"Bearer a.b.c")],
        [("Cookie", b"convene_session=\xc3\x28"), ("Cookie", b"convene_session=" + b"A" * 6000)],
        [("X-CSRF-Token", "é".encode() * 200), ("Content-Type", b"text/plain; \xff")],
    ]
    failures = []
    for number, route in enumerate(all_routes()):
        headers = raw_sets[number % len(raw_sets)]
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.putrequest(route.method, route.path)
        for name, value in headers:
            connection.putheader(name, value)
        body = b"token=x" if route.method != "GET" else b""
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status >= 500:
            failures.append((str(route), response.status))
    assert failures == []
