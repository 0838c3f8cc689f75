"""Special Interest Groups: proposals, staff review, membership."""

from __future__ import annotations

from .model import ApiTrigger, EventTrigger, Function

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="sigs",
        handler="functions.sigs.handler:handler",
        description="SIG directory, proposals, staff review pages, joining and leaving.",
        triggers=(ApiTrigger(prefixes=("/api/sigs", "/sigs")),),
        tables={"main": "read_write", "outbox": "read_write"},
        reads_signing_keys=True,
    ),
    Function(
        name="sig-notifications",
        handler="functions.sigs.notifications:handler",
        description="Emails staff a review link for each proposal and proposers the outcome.",
        triggers=(
            EventTrigger(
                name="sig-notifications",
                detail_types=(
                    "SigProposed",
                    "SigApproved",
                    "SigRejected",
                    "SigConvenerLeft",
                    "SigConvenerOffered",
                    "SigConvenerAppointed",
                ),
            ),
        ),
        tables={"main": "read", "idempotency": "read_write"},
        sends_email=True,
        reads_signing_keys=True,
    ),
)
