"""Newsletters pace themselves to the account's SES send rate (issue 12, point 5): in the
sandbox (1 a second) a send is slow, never refused for going too fast, and never lost."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from typing import Any

import pytest

from bench.newsletter_send import readers
from functions.common import mail
from functions.newsletter.repository import NewsletterRepository
from functions.newsletter.throttle import paced_rate, send_rate
from schemas.events.newsletter import NewsletterBatchReady
from tests.conftest import Api
from tests.test_newsletter_send import approved_issue, deliver, forget, sent_to


@pytest.mark.parametrize(
    ("account_rate", "cap", "expected"),
    [
        (1, None, 1),  # the sandbox: newsletters share the one email a second
        (14, None, 11),  # a new production account: a fifth is left for sign-in links and notices
        (200, None, 160),
        (14, 5, 5),  # NEWSLETTER_SEND_RATE lowers it...
        (14, 5000, 11),  # ...and never raises it above the account's rate
        (0.5, None, 1),
    ],
)
def test_the_pace_follows_the_account_rate(account_rate: float, cap: int | None, expected: int) -> None:
    assert paced_rate(account_rate, cap) == expected


def test_an_unreadable_quota_sends_at_the_sandbox_rate() -> None:
    def unreadable() -> float:
        raise ConnectionError("SES did not answer")

    assert send_rate(unreadable) == 1


def test_the_sender_reads_the_accounts_quota_from_ses(runtime: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSLETTER_SEND_RATE", raising=False)
    monkeypatch.setenv("CONVENE_SES_MAX_SEND_RATE", "1")
    assert mail.account_send_rate() == 1.0
    assert send_rate(mail.account_send_rate) == 1
    monkeypatch.delenv("CONVENE_SES_MAX_SEND_RATE")
    assert mail.account_send_rate() == 14.0  # locally: a new production account
    assert send_rate(mail.account_send_rate) == 11


def test_in_the_sandbox_a_batch_goes_out_one_a_second_to_everyone(
    api: Api, runtime: Any, email, monkeypatch: pytest.MonkeyPatch
) -> None:
    issue_id = approved_issue(api, runtime, email)
    few = readers(f"{uuid.uuid4().hex[:6]}q", 3)
    NewsletterRepository().import_subscribers(few)
    addresses = {s.email for s in few}
    batch = NewsletterBatchReady(issue_id=issue_id, batch=98, subscriber_ids=[s.subscriber_id for s in few])
    monkeypatch.delenv("NEWSLETTER_SEND_RATE", raising=False)
    monkeypatch.setenv("CONVENE_SES_MAX_SEND_RATE", "1")  # the account is in the sandbox
    try:
        started = time.monotonic()
        outcome = deliver(runtime, "newsletter-send", batch)
        elapsed = time.monotonic() - started
        assert outcome["batchItemFailures"] == []
        assert Counter(to for to, _ in sent_to(runtime, addresses)) == dict.fromkeys(addresses, 1)
        # Three emails at one a second take three one-second windows: first and last are more
        # than a second apart (at the account's 14 a second they take a few milliseconds).
        assert elapsed > 1.0, elapsed
    finally:
        forget(few, [issue_id])
