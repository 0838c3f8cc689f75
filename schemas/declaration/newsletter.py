"""The newsletter: subscribers, assembly from community events, editor approval, sending."""

from __future__ import annotations

from .model import ApiTrigger, Bucket, EventTrigger, Function, ScheduleTrigger

#: Drafts and sent issues: ``issues/<id>/content.json`` (and the draft's HTML and text).
BUCKETS: tuple[Bucket, ...] = (Bucket("newsletter"),)

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="newsletter",
        handler="functions.newsletter.handler:handler",
        description="Subscribing, the confirm/unsubscribe/preferences links, the archive, editors' pages and review.",
        triggers=(ApiTrigger(prefixes=("/api/newsletter", "/newsletter")),),
        tables={"main": "read_write", "outbox": "read_write"},
        # read_write: editors make a draft now and take items out of a draft (its S3 content).
        buckets={"newsletter": "read_write"},
        reads_signing_keys=True,
    ),
    Function(
        name="newsletter-items",
        handler="functions.newsletter.items:handler",
        description="Collects newsletter items (SIGs approved, bids funded with consent, visits published, "
        "takeaways published); "
        "takes an erased member's name out of archived issues.",
        triggers=(
            EventTrigger(
                name="newsletter-items",
                detail_types=("SigApproved", "BidApproved", "VisitPublished", "TakeawayPublished", "MemberErased"),
            ),
        ),
        tables={"main": "read_write", "idempotency": "read_write"},
        buckets={"newsletter": "read_write"},
    ),
    Function(
        name="newsletter-assemble",
        handler="functions.newsletter.assemble:handler",
        description="Monthly: gathers the items since the last issue into a draft in S3 for the editors.",
        triggers=(
            ScheduleTrigger(
                name="newsletter-monthly",
                expression="cron(0 9 1 * ? *)",
                timezone="Europe/London",
                description="Assemble a draft of the newsletter at 9am on the first of each month.",
            ),
        ),
        tables={"main": "read_write", "outbox": "read_write"},
        buckets={"newsletter": "read_write"},
        timeout_seconds=60,
    ),
    Function(
        name="newsletter-mail",
        handler="functions.newsletter.mailer:handler",
        description="Emails the subscription confirmation link and the editors' [TEST] send of each draft.",
        triggers=(
            EventTrigger(
                name="newsletter-mail",
                detail_types=(
                    "NewsletterSubscriptionRequested",
                    "NewsletterDrafted",
                    "NewsletterTestRequested",
                    "NewsletterDraftReturned",
                ),
            ),
        ),
        tables={"main": "read", "idempotency": "read_write"},
        buckets={"newsletter": "read"},
        sends_email=True,
        reads_signing_keys=True,
    ),
    Function(
        name="newsletter-fanout",
        handler="functions.newsletter.fanout:handler",
        description="Splits an approved issue's confirmed subscribers into send batches of at most 50.",
        triggers=(EventTrigger(name="newsletter-fanout", detail_types=("NewsletterApproved",)),),
        tables={"main": "read", "outbox": "read_write", "idempotency": "read_write"},
        timeout_seconds=120,
    ),
    Function(
        name="newsletter-send",
        handler="functions.newsletter.sender:handler",
        description="Sends one batch of an issue at the configured rate, each subscriber exactly once.",
        triggers=(
            EventTrigger(
                name="newsletter-send",
                detail_types=("NewsletterBatchReady",),
                # One batch (<= 50 emails) per invocation: at 10 emails a second that is ~5 s.
                batch_size=1,
                max_receive_count=5,
                visibility_timeout_seconds=180,
            ),
        ),
        tables={"main": "read_write", "idempotency": "read_write"},
        buckets={"newsletter": "read"},
        sends_email=True,
        reads_signing_keys=True,
        timeout_seconds=30,
    ),
    Function(
        name="newsletter-bounces",
        handler="functions.newsletter.bounces:handler",
        description="Suppresses addresses that hard-bounce or complain (SES events via EventBridge).",
        triggers=(
            EventTrigger(
                name="newsletter-bounces",
                detail_types=("Email Bounced", "Email Complaint Received"),
                source="aws.ses",
            ),
        ),
        tables={"main": "read_write"},
    ),
)
