"""Rate limits that cannot be sidestepped: per mailbox (after the normalisation that is safe
for every provider: case, and sub-addressing after ``+``), per client address, and overall.

Each limit is a counter per window (``Store.count_attempt``: one conditional UpdateItem, the
bucket stored as a pseudonym). A refused request raises ``TooManyRequests`` carrying when the
window ends, which the HTTP layer sends as ``Retry-After`` and pages show as a time.
Limits can be tuned per deployment with ``CONVENE_RATE_LIMITS`` (JSON: ``{"<name>": n}``).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

from .errors import TooManyRequests
from .store import Store


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    window_seconds: int


#: Sign-in and subscription emails: a mailbox is flooded by neither; one client cannot spray
#: many mailboxes; and all together cannot exhaust the SES sending quota.
LIMITS: dict[str, Limit] = {
    limit.name: limit
    for limit in (
        Limit("sign-in-mailbox", 5, 3600),
        Limit("sign-in-client", 60, 600),
        Limit("sign-in-overall", 2000, 3600),
        Limit("subscribe-mailbox", 5, 3600),
        Limit("subscribe-client", 60, 600),
        Limit("subscribe-overall", 2000, 3600),
        # Each comment held for the team emails every team member: a member not yet approved
        # cannot flood the team's inboxes.
        Limit("comments-held-member", 3, 3600),
    )
}


def mailbox(email: str) -> str:
    """The mailbox an address delivers to, as far as is true at every provider: case does not
    matter, and ``name+tag@`` reaches ``name@``. (Dots are left alone: only some providers ignore them.)"""
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def _limit(name: str) -> Limit:
    limit = LIMITS[name]
    try:
        override = json.loads(os.environ.get("CONVENE_RATE_LIMITS") or "{}").get(name)
    except (ValueError, AttributeError):
        override = None
    return Limit(name, int(override), limit.window_seconds) if isinstance(override, int) else limit


def check(name: str, key: str, store: Store, *, message: str) -> None:
    """Count one attempt against limit ``name`` for ``key``; raise ``TooManyRequests`` when spent."""
    limit = _limit(name)
    if not store.count_attempt(f"{name}#{key}", limit.count, limit.window_seconds):
        now = time.time()
        retry_after = int(limit.window_seconds - now % limit.window_seconds) + 1
        from .web import format_datetime

        retry = TooManyRequests(message, retry_after=retry_after)
        retry.message = f"{message} Try again after {format_datetime(retry.retry_at, '%-I:%M%p on %A')}."
        raise retry


def check_request(kind: str, email: str, client: str, store: Store, *, mailbox_message: str) -> None:
    """The three limits of one emailed request (``kind`` is ``sign-in`` or ``subscribe``)."""
    busy = "We are sending a lot of emails just now."
    check(f"{kind}-overall", "all", store, message=busy)
    check(f"{kind}-client", client or "unknown", store, message="Too many requests have come from your network.")
    check(f"{kind}-mailbox", mailbox(email), store, message=mailbox_message)
