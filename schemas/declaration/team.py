"""The team's workspace: what needs the community team's attention now, and the month at a glance."""

from __future__ import annotations

from .model import ApiTrigger, EventTrigger, Function, ScheduleTrigger

#: The events that open or close something on the team home (see functions/team/attention.py).
ATTENTION_EVENTS: tuple[str, ...] = (
    "SigProposed",
    "SigApproved",
    "SigRejected",
    "SigConvenerLeft",
    "SigConvenerAppointed",
    "BidLeftShortOfReviewers",
    "BidReviewRequested",
    "RoundReviewPeriodEnded",
    "BidApproved",
    "BidRejected",
    "BidUnfunded",
    "BidWithdrawalRecorded",
    "VisitSignedUp",
    "VisitPlaceOffered",
    "VisitSignupPromoted",
    "VisitOfferExpired",
    "VisitSignupCancelled",
    "VisitCancelled",
    "NewsletterDrafted",
    "NewsletterApproved",
    "NewsletterDraftReturned",
    "NewsletterBatchReady",
)

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="team",
        handler="functions.team.handler:handler",
        description="The team home: what needs attention now, with counts and links, and the month at a glance.",
        triggers=(ApiTrigger(prefixes=("/api/staff", "/staff")),),
        tables={"main": "read"},
        reads_signing_keys=True,
    ),
    Function(
        name="team-attention",
        handler="functions.team.attention:handler",
        description="Keeps the team home's list of what needs attention (and the month's counts) up to date "
        "from the domain events, so the page reads it with one Query.",
        triggers=(EventTrigger(name="team-attention", detail_types=ATTENTION_EVENTS),),
        tables={"main": "read_write", "idempotency": "read_write"},
    ),
    Function(
        name="team-dead-letters",
        handler="functions.team.dead_letters:handler",
        description="Counts the events waiting in every dead-letter queue for the team home.",
        triggers=(
            ScheduleTrigger(
                name="team-dead-letters",
                expression="rate(5 minutes)",
                description="Counts what waits in the dead-letter queues, for the team home",
            ),
        ),
        tables={"main": "read_write"},
        reads_dead_letter_queues=True,
    ),
)
