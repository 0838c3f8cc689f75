"""AWS calls per SIG request stay within budget: no Scan, no Query reading items it throws
away, and no more calls than each operation needs (bench/README.md has the measured table).

The functions run in this process, so hooks on their boto3 clients see every call they
make; calls made by the runtime's background threads (event consumers) are left out.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests

from bench.counting import CallCounter, Window
from tests.conftest import Api

#: Most AWS calls one request may make. Lower is fine; raise one only with a reason.
#: Every write by a signed-in member first reads one marker: is this member erased? (GetItem)
BUDGET = {
    "list": 1,  # Query gsi1
    "list proposals (staff)": 1,  # Query gsi1
    "propose": 2,  # erased?, TransactWriteItems: name lock, SIG, an item per convener, outbox event
    "get": 1,  # GetItem
    "decision": 4,  # erased?, GetItem, TransactWriteItems, GetItem
    "join": 3,  # erased?, GetItem, TransactWriteItems
    "join again": 4,  # erased?, GetItem, TransactWriteItems (fails), GetItem
    "members": 2,  # GetItem, Query
    "leave": 3,  # erased?, GetItem, TransactWriteItems
}


@pytest.fixture()
def counter(runtime) -> Iterator[CallCounter]:
    with CallCounter.for_convene() as counting:
        yield counting


def test_sig_requests_stay_within_their_aws_call_budget(api: Api, counter: CallCounter, email) -> None:
    proposer, joiner = email("proposer"), email("joiner")
    as_proposer, as_joiner = api.auth(proposer), api.auth(joiner)
    as_staff = api.auth(email("staff"), staff=True)
    seen: dict[str, Window] = {}

    def measure(operation: str, method: str, path: str, status: int, **kwargs: object) -> requests.Response:
        with counter.window() as calls:
            response = api.request(method, path, **kwargs)
        assert response.status_code == status, f"{operation}: {response.text}"
        seen[operation] = calls
        return response

    measure("list", "GET", "/api/sigs", 200)
    measure("list proposals (staff)", "GET", "/api/sigs?status=proposed", 200, headers=as_staff)
    body = {"name": f"Budget SIG {uuid.uuid4().hex[:6]}", "purpose": "Keeping requests lean."}
    sig_id = measure("propose", "POST", "/api/sigs", 201, json=body, headers=as_proposer).json()["sig_id"]
    decision = {"decision": "approve", "note": ""}
    measure("decision", "POST", f"/api/sigs/{sig_id}/decision", 200, json=decision, headers=as_staff)
    measure("get", "GET", f"/api/sigs/{sig_id}", 200)
    measure("join", "POST", f"/api/sigs/{sig_id}/members", 201, headers=as_joiner)
    measure("join again", "POST", f"/api/sigs/{sig_id}/members", 200, headers=as_joiner)
    measure("members", "GET", f"/api/sigs/{sig_id}/members", 200, headers=as_proposer)
    measure("leave", "DELETE", f"/api/sigs/{sig_id}/members/me", 204, headers=as_joiner)

    assert set(seen) == set(BUDGET)
    for operation, calls in seen.items():
        made = dict(calls.by_operation())
        assert calls.total >= 1, f"{operation} made no AWS call: is the counter attached?"
        assert not calls.scans, f"{operation} scanned a table: {made}"
        assert not calls.wasted_reads, f"{operation} read items its Query did not return: {calls.summary()}"
        assert calls.total <= BUDGET[operation], f"{operation} made {calls.total} AWS calls: {calls.summary()}"
        # Events leave through the outbox table, in the same transaction: never a direct put.
        assert all(c.service == "dynamodb" for c in calls.calls), f"{operation}: {made}"
    assert [q.count for q in seen["members"].queries] == [2]  # the proposer and the joiner
