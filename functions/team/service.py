"""The team home: what needs attention now (from the attention ledger) and the month at a glance.

Every number comes from a Query on a key: the ledger the ``team-attention`` consumer (and, for
dead-lettered events, the ``team-dead-letters`` schedule) keeps, the
newsletter's pending-items and subscriber-status indexes, the funding rounds' and the visits'
date indexes. The page makes six calls, however large the community grows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from functions.common.ids import utcnow
from functions.common.store import Store

from .attention import (
    BID_OVERDUE,
    BID_SHORT,
    COMMENT_HELD,
    COMMENT_REPORTED,
    CONVENER_WANTED,
    DEAD_LETTERS,
    NEWSLETTER_DRAFT,
    NEWSLETTER_EMAILS,
    SIG_PROPOSAL,
    VISIT_OFFER,
    VISIT_WAITING,
)
from .charts import Bar, BarChart
from .ledger import Attention, Ledger

#: At most this many visits in the month's sign-ups chart (the soonest).
CHART_VISITS = 8


@dataclass(frozen=True)
class Group:
    """A visit with members waiting or offered a place."""

    title: str
    link: str
    count: int


@dataclass(frozen=True)
class Tile:
    key: str
    heading: str
    count: int
    link: str
    empty: str
    items: list[Attention] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)


@dataclass(frozen=True)
class TeamHome:
    tiles: list[Tile]
    charts: list[BarChart]
    month: str
    newsletter_emails: int
    unsubscribed: int

    @property
    def needing_attention(self) -> int:
        return sum(t.count for t in self.tiles)


def _groups(items: list[Attention]) -> list[Group]:
    counts: dict[str, int] = defaultdict(int)
    titles: dict[str, str] = {}
    for item in items:
        counts[item.group] += 1
        titles[item.group] = item.group_title or "A visit"
    return [Group(titles[g], f"/visits/{g}/staff", n) for g, n in sorted(counts.items(), key=lambda kv: -kv[1])]


def team_home(store: Store | None = None, now: datetime | None = None) -> TeamHome:
    from functions.funding.repository import FundingRepository
    from functions.visits.repository import VisitRepository

    store = store or Store()
    now = now or utcnow()
    start_of_month = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    ledger = Ledger(store)
    open_items = ledger.open_items()
    by_kind: dict[str, list[Attention]] = defaultdict(list)
    for item in sorted(open_items, key=lambda i: i.since):
        by_kind[item.kind].append(item)
    newsletter_waiting = store.count("NLITEMS#pending", index="gsi1")
    month = ledger.month(now)
    unsubscribed = store.count("NLSUBS#unsubscribed", index="gsi1")

    tiles = [
        Tile(
            "sigs",
            "SIG proposals to review",
            len(by_kind[SIG_PROPOSAL]),
            "#sigs",
            "No proposals are waiting.",
            items=by_kind[SIG_PROPOSAL],
        ),
        Tile(
            "conveners",
            "Groups looking for a convener",
            len(by_kind[CONVENER_WANTED]),
            "#conveners",
            "Every group has a convener.",
            items=by_kind[CONVENER_WANTED],
        ),
        Tile(
            "reviewers",
            "Bids waiting for reviewers",
            len(by_kind[BID_SHORT]),
            "#reviewers",
            "Every bid has enough reviewers.",
            items=by_kind[BID_SHORT],
        ),
        Tile(
            "overdue",
            "Bids past their review reminder",
            len(by_kind[BID_OVERDUE]),
            "#overdue",
            "No reviews are late.",
            items=by_kind[BID_OVERDUE],
        ),
        Tile(
            "offers",
            "Open offers of a place on a visit",
            len(by_kind[VISIT_OFFER]),
            "#offers",
            "No offers are open.",
            groups=_groups(by_kind[VISIT_OFFER]),
        ),
        Tile(
            "waiting",
            "Members on visit waiting lists",
            len(by_kind[VISIT_WAITING]),
            "#waiting",
            "Nobody is waiting for a place.",
            groups=_groups(by_kind[VISIT_WAITING]),
        ),
        Tile(
            "items",
            "Newsletter items waiting for the next issue",
            newsletter_waiting,
            "/newsletter/items",
            "No items are waiting.",
        ),
        Tile(
            "drafts",
            "Newsletter drafts to approve",
            len(by_kind[NEWSLETTER_DRAFT]),
            "#drafts",
            "No draft is waiting for approval.",
            items=by_kind[NEWSLETTER_DRAFT],
        ),
        Tile(
            "held-comments",
            "First comments waiting for approval",
            len(by_kind[COMMENT_HELD]),
            "/comments/staff#held",
            "No comment is waiting for approval.",
            items=by_kind[COMMENT_HELD],
        ),
        Tile(
            "reported-comments",
            "Reported comments",
            len(by_kind[COMMENT_REPORTED]),
            "/comments/staff#reported",
            "No comment has been reported.",
            items=by_kind[COMMENT_REPORTED],
        ),
        Tile(
            "dead-letters",
            "Dead-lettered events",
            sum(item.count for item in by_kind[DEAD_LETTERS]),
            "#dead-letters",
            "Every event was delivered.",
            items=sorted(by_kind[DEAD_LETTERS], key=lambda i: i.ref),
        ),
    ]

    rounds = FundingRepository(store).rounds(closing_after=start_of_month)
    funding = BarChart(
        key="funding",
        title="Funding awarded against each pot",
        description="For each funding round open this month: the amount awarded and the pot.",
        unit="pounds",
        bars=[Bar(r.name, r.awarded_pence, r.budget_pence) for r in rounds],
        value_label="Awarded",
        total_label="Pot",
        empty="No funding round is open this month.",
    )
    visits = VisitRepository(store).upcoming(start_of_month)[:CHART_VISITS]
    signups = BarChart(
        key="visits",
        title="Sign-ups per visit against places",
        description=f"The next {CHART_VISITS} visits from the start of this month: places confirmed, and places.",
        unit="people",
        bars=[Bar(v.title, v.confirmed, v.places) for v in visits],
        value_label="Confirmed",
        total_label="Places",
        empty="No visits this month.",
    )
    return TeamHome(
        tiles=tiles,
        charts=[funding, signups],
        month=f"{now:%B %Y}",
        newsletter_emails=month.get(NEWSLETTER_EMAILS, 0),
        unsubscribed=unsubscribed,
    )
