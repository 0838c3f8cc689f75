"""Every DynamoDB table Convene uses."""

from __future__ import annotations

from .model import Index, Key, Table

#: Single-table design for the community's records (SIGs, members, bids, visits ...).
#: Item types and their keys are documented in docs/architecture.md.
MAIN = Table(
    name="main",
    partition_key=Key("pk"),
    sort_key=Key("sk"),
    indexes=(
        Index("gsi1", Key("gsi1pk"), Key("gsi1sk")),
        Index("gsi2", Key("gsi2pk"), Key("gsi2sk")),
        # Sparse: only what falls due at a time across the whole community (open visit offers,
        # by expiry), so a schedule reads exactly what is due and nothing else.
        Index("gsi3", Key("gsi3pk"), Key("gsi3sk")),
    ),
    ttl_attribute="expires_at",
)

#: Transactional outbox: written in the same transaction as the state change it reports;
#: its stream carries each new item to the event bus (the outbox forwarder, functions/outbox).
OUTBOX = Table(
    name="outbox",
    partition_key=Key("event_id"),
    ttl_attribute="expires_at",
    stream="NEW_IMAGE",
)

#: Powertools idempotency records for event consumers and retried API requests.
IDEMPOTENCY = Table(
    name="idempotency",
    partition_key=Key("id"),
    ttl_attribute="expiration",
    holds_personal_data=False,
)

TABLES: tuple[Table, ...] = (MAIN, OUTBOX, IDEMPOTENCY)
