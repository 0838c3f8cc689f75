"""The home page: for a signed-in member, "My Q" (their groups, bids, visit places and what is
coming up); for everyone, the community at a glance (what's on next, open funding rounds, the
newest groups, the latest newsletter).

Each list is one read on a key of its area (GetItem, BatchGetItem or Query), so the page costs
a bounded number of calls whatever the size of the community.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from functions.common.ids import utcnow
from functions.common.store import Store

from .whats_on import Happening, whats_on_next

if TYPE_CHECKING:
    from functions.common.http import User

NEWEST_SIGS = 3
#: What the glance shows of a round and of a group: only these are read of their (long) items.
ROUND_FIELDS = ("round_id", "name", "opens_at", "closes_at")
SIG_FIELDS = ("sig_id", "name", "purpose", "decided_at", "created_at")


@dataclass(frozen=True)
class Line:
    """One row of a list on the home page."""

    title: str
    link: str
    state: str = ""
    when: datetime | None = None


@dataclass(frozen=True)
class MyQ:
    groups: list[Line] = field(default_factory=list)
    bids: list[Line] = field(default_factory=list)
    visits: list[Line] = field(default_factory=list)
    coming_up: list[Line] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.groups or self.bids or self.visits)


@dataclass(frozen=True)
class Glance:
    whats_on: list[Happening]
    rounds: list[Line]
    newest_sigs: list[Line]
    latest_issue: Line | None


def my_q(user: User, store: Store | None = None, now: datetime | None = None) -> MyQ:
    from functions.funding.repository import FundingRepository
    from functions.sigs.repository import SigRepository
    from functions.visits.domain import SignupStatus
    from functions.visits.service import VisitService

    store = store or Store()
    now = now or utcnow()
    sigs = SigRepository(store)
    convened = set(sigs.convened_by(user.email.lower()))
    ids = list(dict.fromkeys([*sigs.memberships_of(user.member_id), *convened]))
    groups = [
        Line(s.name, f"/sigs/{s.sig_id}", "convener" if s.sig_id in convened else "member")
        for s in sorted(sigs.many(ids), key=lambda s: s.name.casefold())
    ]

    bids = [
        Line(b.title, f"/funding/bids/{b.bid_id}", b.status_label)
        for b in sorted(FundingRepository(store).bids_of_member(user.member_id), key=lambda b: b.bid_id, reverse=True)
    ]

    visits: list[Line] = []
    coming_up: list[Line] = []
    for visit, signup, position in VisitService(store=store).signups_of(user.member_id):
        if signup.status in (SignupStatus.CANCELLED, SignupStatus.OFFER_EXPIRED) or visit.starts_at < now:
            continue
        state = {
            SignupStatus.CONFIRMED: "place confirmed",
            SignupStatus.OFFERED: "a place is offered to you: accept it from the visit page",
            SignupStatus.WAITLISTED: f"number {position} on the waiting list" if position else "on the waiting list",
        }.get(signup.status, signup.status.value)
        line = Line(visit.title, f"/visits/{visit.visit_id}", state, visit.starts_at)
        visits.append(line)
        if signup.status == SignupStatus.CONFIRMED:
            coming_up.append(line)
    visits.sort(key=lambda line: line.when or now)
    coming_up.sort(key=lambda line: line.when or now)
    return MyQ(groups=groups, bids=bids, visits=visits, coming_up=coming_up)


def glance(store: Store | None = None, now: datetime | None = None) -> Glance:
    # Read from the items on the areas' keys (``keys`` of each area, shared with its repository),
    # not through the repositories: they load the areas' models, and importing those (with their
    # pydantic schemas) was most of the cold start of the home page, every visitor's first page.
    from functions.funding import keys as funding
    from functions.newsletter import keys as newsletter
    from functions.sigs import keys as sigs

    store = store or Store()
    now = now or utcnow()
    closing = store.query(funding.ROUNDS, index="gsi1", sk_from=funding.closing_by(now), attributes=ROUND_FIELDS)
    opened = sorted(
        (r for r in closing if _time(r["opens_at"]) <= now), key=lambda r: (_time(r["opens_at"]), r["round_id"])
    )
    approved = store.query(sigs.by_status(sigs.SigStatus.APPROVED), index="gsi1", attributes=SIG_FIELDS)
    newest = sorted(approved, key=lambda s: s.get("decided_at") or s["created_at"], reverse=True)[:NEWEST_SIGS]
    sent = newsletter.by_status(newsletter.IssueStatus.APPROVED)
    issues = store.query(sent, index="gsi1", newest_first=True, limit=1, attributes=("issue_id", "title"))
    return Glance(
        whats_on=whats_on_next(store, now),
        rounds=[_round_line(r) for r in opened],
        newest_sigs=[Line(s["name"], f"/sigs/{s['sig_id']}", s["purpose"]) for s in newest],
        latest_issue=Line(issues[0]["title"], f"/newsletter/issues/{issues[0]['issue_id']}") if issues else None,
    )


def _time(stored: str) -> datetime:
    return datetime.fromisoformat(stored)


def _round_line(item: dict[str, Any]) -> Line:
    closes_at = _time(item["closes_at"])
    return Line(item["name"], f"/funding/rounds/{item['round_id']}", f"closes {closes_at:%-d %B %Y}", closes_at)


def home_context(user: User | None) -> dict[str, Any]:
    store = Store()
    return {"mine": my_q(user, store) if user else None, "glance": glance(store)}
