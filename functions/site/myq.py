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
    from functions.funding.repository import FundingRepository
    from functions.newsletter.repository import NewsletterRepository
    from functions.sigs.domain import SigStatus
    from functions.sigs.repository import SigRepository

    store = store or Store()
    now = now or utcnow()
    rounds = [
        Line(r.name, f"/funding/rounds/{r.round_id}", f"closes {r.closes_at:%-d %B %Y}", r.closes_at)
        for r in FundingRepository(store).rounds(closing_after=now)
        if r.opens_at <= now
    ]
    approved = SigRepository(store).by_status(SigStatus.APPROVED)
    newest = sorted(approved, key=lambda s: s.decided_at or s.created_at, reverse=True)[:NEWEST_SIGS]
    issue = NewsletterRepository(store).latest_sent()
    return Glance(
        whats_on=whats_on_next(store, now),
        rounds=rounds,
        newest_sigs=[Line(s.name, f"/sigs/{s.sig_id}", s.purpose) for s in newest],
        latest_issue=Line(issue.title, f"/newsletter/issues/{issue.issue_id}") if issue else None,
    )


def home_context(user: User | None) -> dict[str, Any]:
    store = Store()
    return {"mine": my_q(user, store) if user else None, "glance": glance(store)}
