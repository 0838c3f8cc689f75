"""The team home's dead-lettered events: the ``team-dead-letters`` schedule counts what waits in
every dead-letter queue (found by the names the stack and the runtime both give them) and the
page shows each queue that holds any, until it is empty again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.team.dead_letters import queue_label
from schemas.declaration import FUNCTIONS, EventTrigger, StreamTrigger, dead_letter_queue_name
from tests.conftest import Api
from tests.test_funding_helpers import as_staff


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("convene-local-team-attention-dlq", "team-attention"),
        ("convene-local-outbox-forwarder-failed", "outbox-forwarder"),
        ("Convene-sig-notifications-dlq", None),  # another deployment's queue
        ("convene-local-team-attention", None),  # the trigger's own queue, not its DLQ
        ("convene-local--dlq", None),
        ("convene-local-dlq", None),
    ],
)
def test_dead_letter_queues_are_told_apart_by_name(name: str, label: str | None) -> None:
    assert queue_label(name, "convene-local") == label


def test_every_trigger_that_can_dead_letter_has_a_named_queue() -> None:
    triggers = [t for f in FUNCTIONS for t in f.triggers if isinstance(t, EventTrigger | StreamTrigger)]
    assert triggers and all(queue_label(dead_letter_queue_name("p", t.name), "p") == t.name for t in triggers)


def _dead_letters(api: Api) -> tuple[int, str]:
    staff = as_staff(api)
    summary = api.get("/api/staff/summary", headers=staff).json()
    count = {c["key"]: c["count"] for c in summary["counts"]}["dead-letters"]
    page = api.get("/staff", headers={"Cookie": f"convene_session={staff['Authorization'][7:]}"}).text
    return count, page


def _empty(sqs: Any, url: str) -> None:
    """Take every message off (what a redrive does; PurgeQueue may run once a minute only)."""
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages"):
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_the_team_home_counts_dead_lettered_events_until_they_are_redriven(api: Api) -> None:
    runtime = api.runtime
    sqs = runtime.client("sqs")
    dlq = sqs.get_queue_url(QueueName="convene-local-team-attention-dlq")["QueueUrl"]
    _empty(sqs, dlq)
    assert runtime.run_schedule("team-dead-letters")["dead_lettered"] == 0
    assert _dead_letters(api)[0] == 0

    for n in range(3):  # what EventBridge puts there: whole events
        sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({"detail-type": "SigProposed", "id": f"e{n}"}))
    result = runtime.run_schedule("team-dead-letters")
    assert result["dead_lettered"] == 3 and result["writes"] == 1
    count, page = _dead_letters(api)
    assert count == 3
    assert '<h3 id="dead-letters">Dead-lettered events</h3>' in page and "<li>team-attention: 3</li>" in page
    assert runtime.run_schedule("team-dead-letters")["writes"] == 0  # nothing changed, nothing written

    _empty(sqs, dlq)
    assert runtime.run_schedule("team-dead-letters")["writes"] == 1
    count, page = _dead_letters(api)
    assert count == 0 and "team-attention: " not in page
