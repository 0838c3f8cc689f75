""" "Supporting Q Connections" funding: rounds, bids, reviewer decisions."""

from __future__ import annotations

from .model import ApiTrigger, Bucket, EventTrigger, Function, ScheduleTrigger

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="funding",
        handler="functions.funding.handler:handler",
        description="Funding rounds, bids, withdrawals, review-link pages and the staff views.",
        triggers=(ApiTrigger(prefixes=("/api/rounds", "/api/bids", "/funding")),),
        tables={"main": "read_write", "outbox": "read_write"},
        reads_signing_keys=True,
    ),
    Function(
        name="funding-workflow",
        handler="functions.funding.workflow:handler",
        description="Assigns reviewers without a conflict of interest to each submitted bid.",
        triggers=(EventTrigger(name="funding-workflow", detail_types=("BidSubmitted",)),),
        tables={"main": "read_write", "outbox": "read_write", "idempotency": "read_write"},
    ),
    Function(
        name="funding-notifications",
        handler="functions.funding.notifications:handler",
        description="Emails applicants, reviewers (with review links) and staff about bids.",
        triggers=(
            EventTrigger(
                name="funding-notifications",
                detail_types=(
                    "BidSubmitted",
                    "BidReviewRequested",
                    "BidLeftShortOfReviewers",
                    "BidNamedPanelMembers",
                    "BidApproved",
                    "BidRejected",
                    "BidUnfunded",
                    "RoundReviewPeriodEnded",
                ),
            ),
        ),
        tables={"main": "read", "idempotency": "read_write"},
        sends_email=True,
        reads_signing_keys=True,
    ),
    Function(
        name="funding-schedule",
        handler="functions.funding.schedule:handler",
        description="Daily: reminds reviewers of pending reviews; tells staff of bids undecided at the end of review.",
        triggers=(
            ScheduleTrigger(
                name="funding-daily",
                expression="cron(0 8 * * ? *)",
                timezone="Europe/London",
                description="08:00 London time, every day.",
            ),
        ),
        tables={"main": "read_write", "outbox": "read_write"},
    ),
)
BUCKETS: tuple[Bucket, ...] = ()
