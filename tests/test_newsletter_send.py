"""Sending at scale, exactly once: 1,000 confirmed subscribers each get one email with their own
unsubscribe link, although a batch fails once and is redelivered, the fan-out runs again, a
batch event is delivered again and the schedule fires twice at once.

Emails are counted in moto's SES backend in this process (the tests run beside the runtime):
parsing 1,000 messages through the mail viewer's JSON on every look would be slow. At the end
the test's subscribers are unsubscribed and its messages dropped, so later tests stay fast.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from bench.newsletter_send import readers
from functions.common import mail, tokens
from functions.common.store import Store, to_attributes
from functions.newsletter.domain import Subscriber, SubscriberStatus
from functions.newsletter.repository import NewsletterRepository
from infra.local.delivery import sqs_event
from infra.local.moto_server import ACCOUNT_ID, REGION
from infra.local.ses_events import inject_ses_event
from schemas.events.newsletter import NewsletterApproved, NewsletterBatchReady
from tests.conftest import Api

SCHEDULE = "newsletter-monthly"
READERS = 1000


def _messages(runtime: Any) -> list[Any]:
    from moto.ses.models import ses_backends

    with runtime.moto.lock:
        return list(ses_backends[ACCOUNT_ID][REGION].sent_messages)


def _recipients(message: Any) -> set[str]:
    # moto lists a recipient twice (Destinations and the To header): count each message once.
    return set(getattr(message, "destinations", None) or [])


def sent_to(runtime: Any, addresses: set[str]) -> list[tuple[str, Any]]:
    """(recipient, headers) of every message SES accepted for one of ``addresses``."""
    found = []
    for message in _messages(runtime):
        for destination in _recipients(message) & addresses:
            raw = message.raw_data.encode() if isinstance(message.raw_data, str) else message.raw_data
            found.append((destination, BytesHeaderParser(policy=policy.default).parsebytes(raw)))
    return found


def wait_for_mail(runtime: Any, addresses: set[str], count: int, timeout: float = 120) -> None:
    """Wait until ``count`` messages reached ``addresses``, looking twice a second: lighter on
    the shared moto server than polling every queue while 1,000 emails go out."""
    deadline = time.monotonic() + timeout
    while sum(1 for m in _messages(runtime) if _recipients(m) & addresses) < count:
        assert time.monotonic() < deadline, "the send did not finish in time"
        time.sleep(0.5)
    assert runtime.wait_until_idle(30)


def forget_mail(runtime: Any, addresses: set[str]) -> None:
    """Drop the test's 1,000 messages, so later tests' mail viewer lookups stay fast."""
    from moto.ses.models import ses_backends

    with runtime.moto.lock:
        backend = ses_backends[ACCOUNT_ID][REGION]
        backend.sent_messages[:] = [m for m in backend.sent_messages if not _recipients(m) & addresses]


def forget(subscribers: list[Subscriber], issue_ids: list[str]) -> None:
    """Delete the test's subscribers and sent records, so later tests' issues do not go to
    them and the main table stays small (moto copies it for every transaction operation)."""
    store = Store()
    keys = [(f"SUBSCRIBER#{s.subscriber_id}", "SUBSCRIBER") for s in subscribers]
    keys += [(f"NLEMAIL#{s.email}", "SUBSCRIBER") for s in subscribers]
    for issue_id in issue_ids:
        keys += [(r["pk"], r["sk"]) for r in store.query(f"NEWSLETTER#{issue_id}", sk_prefix="SENT#")]
    table = store.table_name("main")
    for start in range(0, len(keys), 25):
        deletes = [
            {"DeleteRequest": {"Key": to_attributes({"pk": pk, "sk": sk})}} for pk, sk in keys[start : start + 25]
        ]
        store.ddb.batch_write_item(RequestItems={table: deletes})


@dataclass
class Readers:
    subscribers: list[Subscriber]
    issue_ids: list[str] = field(default_factory=list)


@pytest.fixture()
def thousand(runtime: Any) -> Iterator[Readers]:
    tag = uuid.uuid4().hex[:6]
    made = Readers(readers(tag, READERS))
    assert NewsletterRepository().import_subscribers(made.subscribers) == READERS
    yield made
    forget(made.subscribers, made.issue_ids)
    forget_mail(runtime, {s.email for s in made.subscribers})


@pytest.fixture()
def fails_once(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """SES refuses one chosen recipient's message, once: its batch fails and is redelivered."""
    state: dict[str, Any] = {"victim": None, "failed": 0}
    real_send = mail.send
    lock = threading.Lock()

    def send(message: mail.Email) -> str:
        with lock:
            if message.to == state["victim"] and not state["failed"]:
                state["failed"] += 1
                raise ConnectionError("SES throttled the request")
        return real_send(message)

    monkeypatch.setattr(mail, "send", send)
    yield state


def envelope(event: Any) -> dict[str, Any]:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": event.detail_type(), "source": "convene",
            "detail": json.loads(event.model_dump_json())}  # fmt: skip


def deliver(runtime: Any, function: str, event: Any) -> Any:
    """Invoke a consumer as its SQS queue would, with one event."""
    [binding] = [q for q in runtime.resources.queues if q.function == function]
    message = {"MessageId": str(uuid.uuid4()), "ReceiptHandle": str(uuid.uuid4()), "Body": json.dumps(envelope(event)),
               "Attributes": {"ApproximateReceiveCount": "2"}}  # fmt: skip
    return runtime.pools[function].invoke(sqs_event([message], binding))


def test_a_thousand_subscribers_each_get_exactly_one_email(
    api: Api, runtime: Any, email, thousand: Readers, fails_once: dict[str, Any], monkeypatch
) -> None:
    monkeypatch.setenv("NEWSLETTER_SEND_RATE", "5000")  # the rate is tested in the domain tests
    monkeypatch.setenv("CONVENE_SES_MAX_SEND_RATE", "10000")  # the local account's SES quota, read by the sender
    subscribers = thousand.subscribers
    tag = subscribers[0].subscriber_id[4:10]
    # Those who must get nothing: unconfirmed, unsubscribed, suppressed.
    silent = readers(f"{tag}p", 2, SubscriberStatus.PENDING) + readers(f"{tag}u", 2, SubscriberStatus.UNSUBSCRIBED)
    silent = [Subscriber(**{**s.__dict__, "email": s.email.replace("reader", "quiet")}) for s in silent]
    bounced = readers(f"{tag}b", 1)[0]
    bounced = Subscriber(**{**bounced.__dict__, "email": bounced.email.replace("reader", "bounced")})
    NewsletterRepository().import_subscribers([*silent, bounced])
    thousand.subscribers += [*silent, bounced]
    inject_ses_event(runtime, "bounce", bounced.email)
    fails_once["victim"] = subscribers[417].email

    staff = api.auth(email("editor"), staff=True)
    item = {"title": f"Building resilience in the workforce {tag}", "body": "A series.", "section": "workshops"}
    assert api.post("/api/newsletter/items", json=item, headers=staff).status_code == 201
    api.settle()
    issue_id = runtime.run_schedule(SCHEDULE)["issue_id"]
    assert issue_id
    thousand.issue_ids.append(issue_id)
    api.settle()
    assert api.post(f"/api/newsletter/issues/{issue_id}/approval", headers=staff).status_code == 200
    addresses = {s.email for s in subscribers[:READERS]}
    wait_for_mail(runtime, addresses, READERS)

    messages = sent_to(runtime, addresses | {s.email for s in silent} | {bounced.email})
    counts = Counter(to for to, _ in messages)
    assert fails_once["failed"] == 1  # the failure happened, and the batch was retried
    assert set(counts) == addresses and set(counts.values()) == {1}, Counter(counts.values())

    # Each email's one-click link is its reader's own.
    by_email = {s.email: s.subscriber_id for s in subscribers}
    for to, headers in messages:
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = headers["List-Unsubscribe"].strip("<>")
        claims = tokens.verify(parse_qs(urlparse(link).query)["token"][0], "newsletter-unsubscribe")
        assert claims.subject == by_email[to]
        assert headers["Subject"].startswith("Q-municate")

    repo = NewsletterRepository()
    record = repo.sent_record(issue_id, subscribers[417].subscriber_id)
    assert record is not None and record["status"] == "sent" and record["message_id"]

    # A redelivered batch, a second fan-out and a schedule firing again send nothing more.
    first = NewsletterBatchReady(issue_id=issue_id, batch=1, subscriber_ids=[s.subscriber_id for s in subscribers[:50]])
    with monkeypatch.context() as stale:
        # Even if the batch read that skips those already sent were stale, the claims hold.
        stale.setattr(NewsletterRepository, "already_claimed", lambda *_: set())
        assert deliver(runtime, "newsletter-send", first) == {"batchItemFailures": []}
    again = NewsletterApproved(issue_id=issue_id, title="again", approved_by="community.team@q.example.org")
    assert deliver(runtime, "newsletter-fanout", again) == {"batchItemFailures": []}
    assert runtime.run_schedule(SCHEDULE)["issue_id"] is None
    assert api.runtime.wait_until_idle(60)
    assert len(sent_to(runtime, addresses)) == READERS


def test_a_schedule_firing_twice_at_once_makes_one_issue(api: Api, runtime: Any, email) -> None:
    staff = api.auth(email("editor"), staff=True)
    item = {"title": f"Open Space {uuid.uuid4().hex[:6]}", "body": "Responding to failure.", "section": "events"}
    item_id = api.post("/api/newsletter/items", json=item, headers=staff).json()["item_id"]
    api.settle()
    results: list[dict[str, Any]] = []
    barrier = threading.Barrier(3)

    def fire() -> None:
        barrier.wait()
        results.append(runtime.run_schedule(SCHEDULE))

    threads = [threading.Thread(target=fire) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    drafted = [r for r in results if r["issue_id"]]
    assert len(results) == 3 and len(drafted) == 1, results
    stored = NewsletterRepository().item(item_id)
    assert stored is not None and stored.issue_id == drafted[0]["issue_id"]


def approved_issue(api: Api, runtime: Any, email: Any) -> str:
    """An issue drafted from one staff item and approved (its fan-out done): its id."""
    staff = api.auth(email("editor"), staff=True)
    item = {"title": f"Coaching SIG news {uuid.uuid4().hex[:6]}", "body": "Kindness in teams.", "section": "groups"}
    assert api.post("/api/newsletter/items", json=item, headers=staff).status_code == 201
    api.settle()
    issue_id = str(runtime.run_schedule(SCHEDULE)["issue_id"])
    api.settle()
    assert api.post(f"/api/newsletter/issues/{issue_id}/approval", headers=staff).status_code == 200
    api.settle()
    return issue_id


def test_a_batch_out_of_time_finishes_on_redelivery_without_repeats(
    api: Api, runtime: Any, email, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow send rate can outlast the function: the batch stops and fails, SQS redelivers it,
    and each attempt goes on from where the last one stopped."""
    issue_id = approved_issue(api, runtime, email)
    # Three readers who joined after the fan-out, in a batch of their own.
    few = readers(f"{uuid.uuid4().hex[:6]}s", 3)
    NewsletterRepository().import_subscribers(few)
    addresses = {s.email for s in few}
    batch = NewsletterBatchReady(issue_id=issue_id, batch=99, subscriber_ids=[s.subscriber_id for s in few])
    for name, module in list(sys.modules.items()):
        if name.startswith("functions.newsletter.sender"):  # every warm container's copy
            monkeypatch.setattr(module, "SEND_BUDGET_SECONDS", -1)  # out of time after one email

    def attempt() -> str:
        try:
            outcome = deliver(runtime, "newsletter-send", batch)
        except BatchProcessingError:  # a batch whose every record failed fails as a whole
            return "failed"
        return "failed" if outcome["batchItemFailures"] else "done"

    try:
        assert [attempt() for _ in range(4)] == ["failed", "failed", "done", "done"]
        assert Counter(to for to, _ in sent_to(runtime, addresses)) == dict.fromkeys(addresses, 1)
    finally:
        forget(few, [issue_id])
