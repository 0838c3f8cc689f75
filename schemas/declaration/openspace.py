"""Open Space at an event: marketplace, agenda, harvest and proceedings."""

from __future__ import annotations

from .model import ApiTrigger, EventTrigger, Function, ScheduleTrigger

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="openspace",
        handler="functions.openspace.handler:handler",
        description="Open Space pages and API: the marketplace, marks, the agenda, harvest links and proceedings.",
        triggers=(ApiTrigger(prefixes=("/api/open-space", "/open-space")),),
        tables={"main": "read_write", "outbox": "read_write"},
        reads_signing_keys=True,
        # Building an agenda is CPU-bound (about 0.2 s of one core for 60 conversations and
        # 400 attendees): a full vCPU keeps it well under a second.
        memory_mb=1769,
    ),
    Function(
        name="openspace-schedule",
        handler="functions.openspace.schedule:handler",
        description="Builds the agenda when a marketplace closes; asks hosts for the harvest when a slot ends.",
        triggers=(
            ScheduleTrigger(
                name="openspace-agenda",
                expression="rate(15 minutes)",
                description="Builds and publishes the agenda of every event whose marketplace has closed",
            ),
            ScheduleTrigger(
                name="openspace-harvest",
                expression="rate(15 minutes)",
                description="Sends each conversation's hosts the harvest link once its slot has ended",
            ),
        ),
        tables={"main": "read_write", "outbox": "read_write"},
        memory_mb=1769,
        timeout_seconds=60,
    ),
    Function(
        name="openspace-notifications",
        handler="functions.openspace.notifications:handler",
        description="Emails co-host links, the agenda and its changes, harvest links and the proceedings.",
        triggers=(
            EventTrigger(
                name="openspace-notifications",
                detail_types=(
                    "ConversationProposed",
                    "CoHostConfirmed",
                    "OpenSpaceAgendaPublished",
                    "ConversationEnded",
                    "OpenSpaceProceedingsPublished",
                ),
            ),
        ),
        # read_write: a marker per (event, recipient) so a retried fan-out does not email twice.
        tables={"main": "read_write", "idempotency": "read_write"},
        sends_email=True,
        reads_signing_keys=True,
        # The first agenda and the proceedings email every attendee in one invocation.
        timeout_seconds=120,
    ),
)
