"""Demo content for funding: an open Supporting Q Connections round that funds convener roles.

Written directly through the repository, without events, so seeding sends no email.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runtime import LocalRuntime

DEMO_ROUND_ID = "rnd_demo2026"
DEMO_REVIEWERS = (
    "reviewer.one@q.example.org",
    "reviewer.two@q.example.org",
    "reviewer.three@q.example.org",
    "reviewer.four@q.example.org",
)

DESCRIPTION = (
    "Supporting Q Connections funds members to build connections across the community. This round pays "
    "for convener roles: a few paid days a month that help a Special Interest Group support its members "
    "and the organisations they work with, for example by hosting Open Space conversations, running a "
    "Liberating Structures session, or bringing the third sector and the NHS together across the wider "
    "patch.\n\nBids of up to £5,000. Tell us who the role connects and what difference it will make."
)


def seed(runtime: LocalRuntime) -> None:
    from functions.common.ids import utcnow
    from functions.funding import domain
    from functions.funding.repository import FundingRepository
    from schemas.api.funding import CreateRound

    now = utcnow().replace(minute=0, second=0, microsecond=0)
    draft = CreateRound(
        name="Supporting Q Connections 2026",
        description=DESCRIPTION,
        opens_at=now - timedelta(days=14),
        closes_at=now + timedelta(days=60),
        budget_pence=20_000_00,
        max_award_pence=5_000_00,
        reviewer_emails=list(DEMO_REVIEWERS),
        decision_rule={"approvals_needed": 2, "higher_amount_pence": 2_500_00, "approvals_needed_above": 3},
        review_period_days=28,
        reminder_after_days=3,
    )
    staff = runtime.staff_emails.split(",")[0].strip() or "community.team@q.example.org"
    rnd = domain.open_round(DEMO_ROUND_ID, draft, by=staff, now=now - timedelta(days=21))
    entry = domain.HistoryEntry(rnd.created_at, staff, "round opened", why="Demo content.")
    FundingRepository().create_round(rnd, entry)
