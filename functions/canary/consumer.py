"""The canary consumer: records that a canary event came through the outbox, the bus and its
queue, so ``convene smoke`` can read the result through the API."""

from __future__ import annotations

from functions.common.consumer import consumer
from functions.common.ids import utcnow
from functions.common.store import ConditionFailed, Store, Update
from schemas.events.canary import CanaryPosted

from .routes import canary_key


def on_posted(event: CanaryPosted) -> None:
    pk, sk = canary_key(event.canary_id)
    try:
        Store().write(
            [
                Update(
                    key={"pk": pk, "sk": sk},
                    expression="SET #status = :received, received_at = :at",
                    names={"#status": "status"},
                    values={":received": "received", ":at": utcnow().isoformat()},
                    condition="attribute_exists(pk)",
                )
            ]
        )
    except ConditionFailed:
        return  # expired and deleted already: nothing to record


handler = consumer("canary", {CanaryPosted: on_posted})
