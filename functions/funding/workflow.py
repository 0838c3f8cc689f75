"""Assigns reviewers to each submitted bid (``BidSubmitted``).

Idempotent twice over: the consumer handles each event id once (Powertools idempotency), and a
bid that is no longer ``submitted`` is left alone, so even an event replayed after its
idempotency record expired assigns nobody twice and emails nobody twice.
"""

from __future__ import annotations

from functions.common.consumer import consumer
from schemas.events.funding import BidSubmitted

from .service import FundingService

service = FundingService()


def on_submitted(event: BidSubmitted) -> None:
    service.assign_reviewers(event.bid_id)


handler = consumer("funding-workflow", {BidSubmitted: on_submitted})
