"""The chain of ideas (issue 11): where something came from, what it led to, and the "taken
forward" pages and staff write-up, from a read model kept by a consumer of the domain events."""

from __future__ import annotations

from .model import ApiTrigger, EventTrigger, Function

#: The events the chain's read model is kept from (see functions/chain/links.py).
CHAIN_EVENTS: tuple[str, ...] = (
    "ConversationProposed",
    "SigApproved",
    "BidApproved",
    "VisitPublished",
    "EventPublished",
    "NewsletterItemAdded",
    "TakeawayPublished",
)

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="chain",
        handler="functions.chain.handler:handler",
        description="The 'taken forward' pages of an event and of the community, what something led to, "
        "and the staff write-up.",
        triggers=(ApiTrigger(prefixes=("/api/chain", "/chain")),),
        tables={"main": "read_write", "outbox": "read_write"},
        reads_signing_keys=True,
    ),
    Function(
        name="chain-links",
        handler="functions.chain.links:handler",
        description="Keeps the chain's read model from the domain events, so each page is one Query.",
        triggers=(EventTrigger(name="chain-links", detail_types=CHAIN_EVENTS),),
        tables={"main": "read_write", "idempotency": "read_write"},
    ),
)
