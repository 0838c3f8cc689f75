"""The local runtime is built from the declaration and refuses what it cannot emulate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from infra.local import gateway
from infra.local.patterns import UnsupportedTrigger, check_pattern
from infra.local.schedules import parse_expression
from schemas.declaration import FUNCTIONS, TABLES, ApiTrigger, EventTrigger


def test_every_declared_queue_exists_with_its_dead_letter_queue(runtime) -> None:
    sqs = runtime.client("sqs")
    declared = {t.name for f in FUNCTIONS for t in f.triggers if isinstance(t, EventTrigger)}
    assert {b.trigger.name for b in runtime.resources.queues} == declared
    for binding in runtime.resources.queues:
        attributes = sqs.get_queue_attributes(QueueUrl=binding.queue_url, AttributeNames=["All"])["Attributes"]
        assert f'"maxReceiveCount": {binding.trigger.max_receive_count}' in attributes["RedrivePolicy"].replace(
            '"maxReceiveCount":', '"maxReceiveCount": '
        ).replace("  ", " ")
        own = binding.trigger.pattern()["source"] == ["convene"]
        rules = runtime.client("events").list_rule_names_by_target(
            TargetArn=binding.queue_arn, EventBusName=runtime.resources.bus_name if own else "default"
        )["RuleNames"]
        assert len(rules) == 1


def test_every_declared_table_exists_with_its_indexes(runtime) -> None:
    ddb = runtime.client("dynamodb")
    for table in TABLES:
        description = ddb.describe_table(TableName=runtime.resources.tables[table.name])["Table"]
        assert {i["IndexName"] for i in description.get("GlobalSecondaryIndexes", [])} == {
            i.name for i in table.indexes
        }
        assert bool(description.get("StreamSpecification", {}).get("StreamEnabled")) == bool(table.stream)


def test_every_api_prefix_routes_to_its_function() -> None:
    routes = gateway.route_table()
    for function in FUNCTIONS:
        for trigger in function.triggers:
            if isinstance(trigger, ApiTrigger):
                for prefix in trigger.prefixes:
                    assert gateway.match(routes, prefix)[0] == function.name  # type: ignore[index]
                    assert gateway.match(routes, prefix.rstrip("/") + "/anything/below")[0] == function.name  # type: ignore[index]


def test_unknown_paths_fall_to_the_site_function_for_a_readable_404() -> None:
    assert gateway.match(gateway.route_table(), "/nowhere/at/all") == ("site", "/{proxy+}", "nowhere/at/all")
    assert gateway.match(gateway.route_table(), "/sigsomething")[0] == "site"  # type: ignore[index]


@pytest.mark.parametrize(
    "pattern",
    [
        {"detail": {"x": [{"wildcard": "a*"}]}},
        {"detail": {"x": [{"cidr": "10.0.0.0/8"}]}},
        {"$or": [{"a": ["b"]}]},
        {"detail": {"x": "not-a-list"}},
    ],
)
def test_patterns_the_runtime_cannot_emulate_are_refused_loudly(pattern: dict[str, object]) -> None:
    with pytest.raises(UnsupportedTrigger):
        check_pattern(pattern, where="test")


def test_supported_pattern_operators_pass() -> None:
    check_pattern(
        {
            "source": ["convene"],
            "detail": {"a": [{"prefix": "x"}], "b": [{"numeric": [">", 0]}], "c": [{"exists": True}]},
        },
        where="test",
    )


@pytest.mark.parametrize(
    "expression",
    ["cron(0 8 L * ? *)", "cron(0 8 ? * 2#1 *)", "cron(0 8 * * *)", "rate(0 days)", "every day", "cron(0 8 * * 1 *)"],
)
def test_schedules_the_runtime_cannot_emulate_are_refused(expression: str) -> None:
    with pytest.raises(UnsupportedTrigger):
        parse_expression(expression, "Europe/London")


def test_cron_schedules_fire_at_local_time() -> None:
    daily = parse_expression("cron(0 8 * * ? *)", "Europe/London")
    # 08:00 London in summer is 07:00 UTC; in winter 08:00 UTC.
    assert daily.next_after(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)
    assert daily.next_after(datetime(2026, 12, 1, 7, 59, tzinfo=UTC)) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    monthly = parse_expression("cron(0 9 1 * ? *)", "Europe/London")
    assert monthly.next_after(datetime(2026, 11, 26, tzinfo=UTC)) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    mondays = parse_expression("cron(30 17 ? * MON *)", "UTC")
    assert mondays.next_after(datetime(2026, 11, 26, tzinfo=UTC)) == datetime(2026, 11, 30, 17, 30, tzinfo=UTC)
    rate = parse_expression("rate(2 hours)")
    assert rate.next_after(datetime(2026, 1, 1, tzinfo=UTC)) == datetime(2026, 1, 1, 2, tzinfo=UTC)


def test_each_function_is_imported_once_and_reused(api, runtime) -> None:
    pool = runtime.pools["sigs"]
    before = pool.containers
    for _ in range(5):
        assert api.get("/api/sigs").status_code == 200
    assert pool.containers == before


def test_a_retried_transaction_with_the_same_token_is_not_applied_twice(runtime) -> None:
    """As DynamoDB does (botocore keeps ClientRequestToken across its retries)."""
    import uuid

    ddb, table = runtime.client("dynamodb"), runtime.resources.tables["main"]
    put = {
        "Put": {
            "TableName": table,
            "Item": {"pk": {"S": f"TEST#{uuid.uuid4()}"}, "sk": {"S": "X"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    token = str(uuid.uuid4())
    ddb.transact_write_items(TransactItems=[put], ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=[put], ClientRequestToken=token)  # the retry succeeds
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[put], ClientRequestToken=str(uuid.uuid4()))


def test_concurrent_requests_to_one_function_never_see_each_others_event(api) -> None:
    """Each container serves one request at a time, but the local runtime runs a function's
    containers on threads of one process: a request must never be answered with another's
    event (Powertools keeps the event being resolved on a class, one per process)."""
    import sys
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    import requests

    people = [f"who{i}.{uuid.uuid4().hex[:8]}@example.org" for i in range(48)]
    tokens = {email: api.token(email) for email in people}
    local = __import__("threading").local()

    def ask(email: str) -> tuple[str, str]:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        answer = local.session.get(
            f"{api.url}/api/auth/me", headers={"Authorization": f"Bearer {tokens[email]}"}, timeout=30
        )
        return email, answer.json().get("email", "")

    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns far more often: a shared event shows at once
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(ask, people * 8))
    finally:
        sys.setswitchinterval(switching)
    crossed = [(asked, answered) for asked, answered in answers if asked != answered]
    assert not crossed, f"{len(crossed)} of {len(answers)} requests were answered for someone else: {crossed[:3]}"
