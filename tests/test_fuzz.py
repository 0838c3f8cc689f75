"""Every API operation in the OpenAPI document, fuzzed with schemathesis against the local
runtime: valid and invalid (negative) data, all checks. No request may cause a server error,
every invalid request must be rejected with a 4xx, and responses must match the document.

The number of examples per operation is bounded for the suite (FUZZ_EXAMPLES, default 10);
`make fuzz` runs a longer campaign."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from bench.counting import CallCounter, Window
from infra.exports import OPENAPI

schema = schemathesis.openapi.from_path(str(OPENAPI))
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "10")),
    deterministic=os.environ.get("FUZZ_RANDOM") is None,
)

# Schema-valid data can still break a business rule the schema cannot express: a token whose
# signature is wrong (400), a spent or expired link (410), a closed round or an amount over the
# maximum (422). Those are correct answers, not rejections of valid data.
schema.config.checks.positive_data_acceptance.expected_statuses = [
    "2xx",
    "3xx",
    "400",
    "401",
    "403",
    "404",
    "409",
    "410",
    "422",
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
