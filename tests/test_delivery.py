"""Events are never lost between a state change and the bus, each consumer does its work once,
and failures are retried record by record, then dead-lettered."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from functions.common import mail
from functions.sigs.repository import SigRepository
from infra.local.delivery import sqs_event
from infra.local.local_pages import dead_letters, redrive
from schemas.events.sigs import SigProposed
from tests.conftest import STAFF, Api


class ContainerDied(BaseException):
    """Stands for the Lambda container being killed: nothing after it runs."""


def proposal(name: str) -> dict[str, str]:
    return {"name": name, "purpose": "A group to test event delivery with."}


# The killed "container" takes its request thread with it: that is the point of the test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_event_written_before_the_function_dies_still_arrives(
    api: Api, email, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = SigRepository.create

    def create_then_die(self: SigRepository, sig: Any, event: Any) -> None:
        original(self, sig, event)
        raise ContainerDied()

    monkeypatch.setattr(SigRepository, "create", create_then_die)
    name = f"Resilience SIG {uuid.uuid4().hex[:6]}"
    with pytest.raises(requests.RequestException):
        api.post("/api/sigs", json=proposal(name), headers=api.auth(email()))
    monkeypatch.undo()
    review = api.one_mail(STAFF, subject=name)
    assert any("/review?token=" in link for link in review["links"])


def envelope(event: SigProposed) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": event.detail_type(),
        "source": "convene",
        "time": event.occurred_at.isoformat(),
        "region": "eu-west-2",
        "resources": [],
        "detail": json.loads(event.model_dump_json()),
    }


def sqs_batch(runtime: Any, events: list[SigProposed]) -> dict[str, Any]:
    [binding] = [q for q in runtime.resources.queues if q.function == "sig-notifications"]
    messages = [
        {
            "MessageId": str(uuid.uuid4()),
            "ReceiptHandle": str(uuid.uuid4()),
            "Body": json.dumps(envelope(e)),
            "Attributes": {"ApproximateReceiveCount": "1"},
        }
        for e in events
    ]
    return sqs_event(messages, binding)


def proposed(name: str, proposer: str = "someone@example.org") -> SigProposed:
    return SigProposed(
        sig_id=f"sig_{uuid.uuid4().hex[:12]}",
        name=name,
        purpose="Testing delivery.",
        themes=[],
        proposer_id="mem_x",
        proposer_email=proposer,
        proposer_name="Someone",
        co_convener_emails=[],
    )


@pytest.fixture()
def failing_subject(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Emails whose subject contains one of these words fail to send."""
    failing: set[str] = set()
    real_send = mail.send

    def send(message: mail.Email) -> str:
        if any(word in message.subject for word in failing):
            raise ConnectionError("SES is unavailable")
        return real_send(message)

    monkeypatch.setattr(mail, "send", send)
    yield failing


def test_a_batch_reports_only_the_record_that_failed(api: Api, runtime, failing_subject: set[str]) -> None:
    good, bad = f"Good {uuid.uuid4().hex[:6]}", f"Broken {uuid.uuid4().hex[:6]}"
    failing_subject.add(bad)
    batch = sqs_batch(runtime, [proposed(good), proposed(bad)])
    result = runtime.pools["sig-notifications"].invoke(batch)
    bad_id = batch["Records"][1]["messageId"]
    assert result == {"batchItemFailures": [{"itemIdentifier": bad_id}]}
    assert len(api.mail(STAFF, subject=good, settle=False)) == 1


def test_each_event_is_handled_once_however_often_it_is_delivered(api: Api, runtime) -> None:
    name = f"Thrice {uuid.uuid4().hex[:6]}"
    batch = sqs_batch(runtime, [proposed(name)])
    for _ in range(3):
        assert runtime.pools["sig-notifications"].invoke(batch) == {"batchItemFailures": []}
    assert len(api.mail(STAFF, subject=name, settle=False)) == 1


def test_a_failing_event_is_retried_then_dead_lettered_then_redriven(
    api: Api, runtime, email, failing_subject: set[str]
) -> None:
    name = f"Doomed SIG {uuid.uuid4().hex[:6]}"
    failing_subject.add(name)
    assert api.post("/api/sigs", json=proposal(name), headers=api.auth(email())).status_code == 201
    api.settle()  # three receives, one second apart, then SQS moves it to the DLQ
    letters = dead_letters(runtime)["sig-notifications"]
    assert [letter["detail_type"] for letter in letters] == ["SigProposed"]
    assert int(letters[0]["receive_count"]) >= 1
    assert api.mail(STAFF, subject=name) == []

    failing_subject.clear()  # SES is back
    assert redrive(runtime) == 1
    assert len(api.mail(STAFF, subject=name)) == 1
    assert dead_letters(runtime)["sig-notifications"] == []


def test_two_staff_deciding_at_once_make_one_decision(api: Api, email) -> None:
    proposer = email("proposer")
    name = f"Race SIG {uuid.uuid4().hex[:6]}"
    sig_id = api.post("/api/sigs", json=proposal(name), headers=api.auth(proposer)).json()["sig_id"]
    staff = [api.auth(email("staff"), staff=True) for _ in range(6)]
    results: list[int] = []
    barrier = threading.Barrier(len(staff))

    def decide(headers: dict[str, str]) -> None:
        barrier.wait()
        response = requests.post(
            f"{api.url}/api/sigs/{sig_id}/decision", json={"decision": "approve"}, headers=headers, timeout=30
        )
        results.append(response.status_code)

    threads = [threading.Thread(target=decide, args=(h,)) for h in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200] + [409] * 5
    assert len(api.mail(proposer, subject=name)) == 1
    assert api.get(f"/api/sigs/{sig_id}").json()["member_count"] == 1
