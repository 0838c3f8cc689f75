"""Every request, event and schedule path reads by key: no Scan and no Query reading items it
throws away; and the SIG requests stay within their AWS call budget.

``bench/calls.py`` runs a scenario of every API operation and page, every event type each
consumer handles and every schedule, on this session's runtime (the bench delivers the events
itself, on its own thread, so each is counted once against the consumer that handled it).
What has to be covered comes from the OpenAPI document, the resolvers' routes and the
declaration, so a new route, event type or schedule without a scenario fails here.
bench/README.md has the measured table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import calls
from bench.calls import Row, event_key, route_key, schedule_key
from schemas.declaration import FUNCTIONS, EventTrigger, ScheduleTrigger

OPENAPI = Path(__file__).resolve().parent.parent / "schemas" / "openapi.json"

#: Most AWS calls one SIG request may make. Lower is fine; raise one only with a reason.
#: Every write by a signed-in member first reads one marker: is this member erased? (GetItem)
BUDGET = {
    # "session": the one GetItem that resolves who is asking (and whether their session ended).
    "list": 1,  # Query gsi1
    "list proposals (staff)": 2,  # session, Query gsi1
    "propose": 2,  # session, TransactWriteItems: name lock, SIG, an item per convener, outbox event
    "get": 1,  # GetItem
    "decision: approve (staff)": 4,  # session, GetItem, TransactWriteItems, GetItem
    "join": 3,  # session, GetItem, TransactWriteItems
    "join, already a member": 4,  # session, GetItem, TransactWriteItems (fails), GetItem
    "members (convener)": 3,  # session, GetItem, Query
    "leave": 3,  # session, GetItem, TransactWriteItems
}


@pytest.fixture(scope="module")
def rows(runtime) -> list[Row]:
    with pytest.MonkeyPatch.context() as patch:
        # Issues go to every confirmed subscriber of the session; the rate is tested elsewhere.
        patch.setenv("NEWSLETTER_SEND_RATE", "1000")
        patch.setenv("CONVENE_SES_MAX_SEND_RATE", "2000")  # the local account's SES quota
        return calls.run(runtime, strict=True)


def test_every_operation_event_type_and_schedule_has_a_scenario(rows: list[Row]) -> None:
    document = json.loads(OPENAPI.read_text())
    operations = {route_key(method, path) for path, methods in document["paths"].items() for method in methods}
    pages = {route_key(method, path) for method, path in calls.routes()}
    assert operations <= pages, "the resolvers' routes should hold every documented operation"
    events = {
        event_key(function.name, detail_type)
        for function in FUNCTIONS
        for trigger in function.of_type(EventTrigger)
        for detail_type in trigger.detail_types  # type: ignore[attr-defined]
    }
    schedules = {schedule_key(t.name) for f in FUNCTIONS for t in f.of_type(ScheduleTrigger)}  # type: ignore[attr-defined]

    covered = {row.covers for row in rows}
    for kind, wanted in (
        ("requests", operations | pages),
        ("consumer <- event types", events),
        ("schedules", schedules),
    ):
        missing = sorted(wanted - covered)
        assert not missing, f"{kind} without a scenario in bench/calls.py: {missing}"
    failing = sorted((operations | pages) - {row.covers for row in rows if 200 <= row.status < 400})
    assert not failing, f"requests whose scenarios in bench/calls.py never succeed: {failing}"


def test_no_request_event_or_schedule_scans_or_reads_what_it_discards(rows: list[Row]) -> None:
    for row in rows:
        made = row.window.summary()
        assert not row.window.scans, f"{row.operation} ({row.request}) scanned a table: {made}"
        assert not row.window.wasted_reads, f"{row.operation} ({row.request}) read items it did not return: {made}"
        if not row.covers.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE ")):
            assert row.window.total, f"{row.operation} ({row.request}) made no AWS call: is the counter attached?"


def test_sig_requests_stay_within_their_aws_call_budget(rows: list[Row]) -> None:
    seen = {}
    for row in rows:
        if row.area == "SIGs" and row.request.startswith(("GET /api/", "POST /api/", "DELETE /api/")):
            seen.setdefault(row.operation, row.window)
    assert set(BUDGET) <= set(seen)
    for operation, limit in BUDGET.items():
        window = seen[operation]
        assert window.total >= 1, f"{operation} made no AWS call: is the counter attached?"
        assert window.total <= limit, f"{operation} made {window.total} AWS calls: {window.summary()}"
        # Events leave through the outbox table, in the same transaction: never a direct put.
        assert all(c.service == "dynamodb" for c in window.calls), f"{operation}: {window.summary()}"
    assert [q.count for q in seen["members (convener)"].queries] == [2]  # the proposer and the joiner


def test_knowing_who_is_asking_costs_one_small_read(rows: list[Row]) -> None:
    """A signed-in request resolves its session with one GetItem, whatever else it does."""
    by_operation = {row.operation: row.window for row in rows}
    who = by_operation["who am I"]
    assert [(c.operation, c.index or None) for c in who.calls] == [("GetItem", None)], who.summary()
    ended = by_operation["who am I, session ended"]
    assert [c.operation for c in ended.calls] == ["GetItem"], ended.summary()
    assert [c.operation for c in by_operation["who am I, signed out"].calls] == []


def test_the_team_home_costs_a_bounded_number_of_calls(rows: list[Row]) -> None:
    # The attention ledger, the month's counts, pending newsletter items, unsubscribed
    # addresses, this month's rounds, the visits: six Queries, however big the community, after
    # the one GetItem that says who is asking.
    for row in rows:
        if row.area == "Team" and row.request.startswith("GET "):
            calls = row.window.calls
            assert calls and calls[0].operation == "GetItem", row.window.summary()
            assert len(calls) <= 7, f"{row.operation}: {row.window.summary()}"
            assert all(c.operation == "Query" for c in calls[1:]), row.window.summary()


def test_the_taken_forward_pages_cost_at_most_three_queries_and_no_scan(rows: list[Row]) -> None:
    # An event's story: one GetItem for the event, one Query for its chain (conversations, what
    # followed, the write-up). Across events: one Query. What something led to: one Query.
    pages = ("/chain", "/api/chain")
    checked = 0
    for row in rows:
        path = row.request.split(" ", 1)[-1]
        if row.request.startswith("GET ") and path.split("?")[0].startswith(pages) and "write-up" not in path:
            operations = [c.operation for c in row.window.calls]
            assert operations.count("Query") <= 3 and "Scan" not in operations, row.window.summary()
            assert len(operations) <= 4, f"{row.operation}: {row.window.summary()}"
            checked += 1
    assert checked >= 5
