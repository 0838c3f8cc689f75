"""Funding records in the main table (see docs/funding.md for the whole layout).

- ``ROUND#<id> / ROUND``: a round and its running ``awarded_pence``; ``gsi1`` =
  (``ROUNDS``, ``<closes_at>#<id>``) lists rounds by closing time: those not yet closed are a
  short range, however many years of closed rounds lie before it.
- ``BID#<id> / BID``: a bid with its reviewers and their reviews; ``gsi1`` =
  (``BIDS#ROUND#<round id>``, ``<status>#<submitted_at>#<id>``) lists a round's bids by status,
  ``gsi2`` = (``BIDS#MEMBER#<member id>``, ``<submitted_at>#<id>``) lists a member's bids.
- ``BID#<id> / HISTORY#<at>#<n>``: one audit entry (who, when, what, why).
- ``BIDTITLE#<round id>#<member id>#<title hash> / LOCK``: one live bid per member, round and
  normalised title; ``BIDREQUEST#<member id>#<key hash> / LOCK``: an ``Idempotency-Key`` seen in
  the last day. Both name the bid they made.
- ``MENTION#<email> / BID#<id>`` or ``ROUND#<id>``: this address is on that bid or round (as
  applicant, co-applicant, reviewer, panel member or the staff member acting), so a member's
  data can be exported and erased without reading every bid.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from functions.common.store import (
    NOT_EXISTS,
    Condition,
    ConditionFailed,
    Delete,
    Operation,
    Put,
    Store,
    Update,
)
from schemas.events.base import DomainEvent
from schemas.events.origins import Origin

from . import keys
from .domain import (
    Applicant,
    Bid,
    BidStatus,
    BudgetLine,
    Change,
    Decision,
    DecisionRule,
    HistoryEntry,
    Review,
    Round,
    SupportedSig,
)

#: How long an ``Idempotency-Key`` is remembered: long enough for any client's retries.
REQUEST_KEY_SECONDS = 24 * 3600


class WriteConflict(Exception):
    """Conditions that did not hold, by name: ``bid`` (someone changed it first), ``token``
    (the link was already used), ``pot`` (no room left), ``title`` / ``request`` (a duplicate)."""

    def __init__(self, failed: set[str]) -> None:
        super().__init__(", ".join(sorted(failed)))
        self.failed = failed


@dataclass(frozen=True)
class Lock:
    bid_id: str
    fingerprint: str


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _key(pk: str, sk: str) -> dict[str, str]:
    return {"pk": pk, "sk": sk}


# -- rounds -------------------------------------------------------------------------------------
def _round_item(rnd: Round) -> dict[str, Any]:
    return {
        **_key(f"ROUND#{rnd.round_id}", "ROUND"),
        "gsi1pk": keys.ROUNDS,
        "gsi1sk": f"{keys.stored_time(rnd.closes_at)}#{rnd.round_id}",
        "round_id": rnd.round_id,
        "name": rnd.name,
        "description": rnd.description,
        "opens_at": keys.stored_time(rnd.opens_at),
        "closes_at": keys.stored_time(rnd.closes_at),
        "budget_pence": rnd.budget_pence,
        "max_award_pence": rnd.max_award_pence,
        "reviewer_emails": list(rnd.reviewer_emails),
        "rule": {
            "approvals_needed": rnd.rule.approvals_needed,
            "higher_amount_pence": rnd.rule.higher_amount_pence,
            "approvals_needed_above": rnd.rule.approvals_needed_above,
        },
        "review_period_days": rnd.review_period_days,
        "reminder_after_days": rnd.reminder_after_days,
        "created_by": rnd.created_by,
        "created_at": rnd.created_at,
        "awarded_pence": rnd.awarded_pence,
        "review_period_reported": True if rnd.review_period_reported else None,
    }


def _round(item: dict[str, Any]) -> Round:
    rule = item["rule"]
    return Round(
        round_id=item["round_id"],
        name=item["name"],
        description=item["description"],
        opens_at=datetime.fromisoformat(item["opens_at"]),
        closes_at=datetime.fromisoformat(item["closes_at"]),
        budget_pence=int(item["budget_pence"]),
        max_award_pence=int(item["max_award_pence"]),
        reviewer_emails=tuple(item.get("reviewer_emails", [])),
        rule=DecisionRule(
            int(rule["approvals_needed"]), rule.get("higher_amount_pence"), rule.get("approvals_needed_above")
        ),
        review_period_days=int(item["review_period_days"]),
        reminder_after_days=int(item.get("reminder_after_days", 3)),
        created_by=item.get("created_by", ""),
        created_at=item.get("created_at", ""),
        awarded_pence=int(item.get("awarded_pence", 0)),
        review_period_reported=bool(item.get("review_period_reported")),
    )


# -- bids ---------------------------------------------------------------------------------------
def _bid_item(bid: Bid) -> dict[str, Any]:
    return {
        **_key(f"BID#{bid.bid_id}", "BID"),
        "gsi1pk": f"BIDS#ROUND#{bid.round_id}",
        "gsi1sk": f"{bid.status.value}#{bid.submitted_at}#{bid.bid_id}",
        # An erased applicant's bid leaves their list of bids (it keeps no member id).
        "gsi2pk": f"BIDS#MEMBER#{bid.applicant.member_id}" if bid.applicant.member_id else None,
        "gsi2sk": f"{bid.submitted_at}#{bid.bid_id}" if bid.applicant.member_id else None,
        "bid_id": bid.bid_id,
        "round_id": bid.round_id,
        "round_name": bid.round_name,
        "applicant": {"member_id": bid.applicant.member_id, "email": bid.applicant.email, "name": bid.applicant.name},
        "title": bid.title,
        "summary": bid.summary,
        "amount_pence": bid.amount_pence,
        "budget_lines": [{"description": b.description, "amount_pence": b.amount_pence} for b in bid.budget_lines],
        "co_applicant_emails": list(bid.co_applicant_emails),
        "co_applicants_confirmed": list(bid.confirmed_co_applicants),
        "consent_to_be_named": bid.consent_to_be_named,
        "submitted_at": bid.submitted_at,
        "approvals_needed": bid.approvals_needed,
        "status": bid.status.value,
        "sig": ({"sig_id": bid.sig.sig_id, "name": bid.sig.name} if bid.sig else None),
        "reviews": [
            {
                "reviewer": r.reviewer,
                "assigned_at": r.assigned_at,
                "decision": r.decision.value if r.decision else None,
                "comment": r.comment,
                "reviewed_at": r.reviewed_at,
                "reminded_at": r.reminded_at,
            }
            for r in bid.reviews
        ],
        "needs_reviewers": bid.needs_reviewers,
        "decided_at": bid.decided_at,
        "decision_reason": bid.decision_reason,
        "version": bid.version,
        "origins": [o.model_dump() for o in bid.origins] or None,
    }


def _bid(item: dict[str, Any]) -> Bid:
    applicant, sig = item["applicant"], item.get("sig")
    return Bid(
        bid_id=item["bid_id"],
        round_id=item["round_id"],
        round_name=item.get("round_name", ""),
        applicant=Applicant(applicant["member_id"], applicant["email"], applicant.get("name", "")),
        title=item["title"],
        summary=item["summary"],
        amount_pence=int(item["amount_pence"]),
        budget_lines=tuple(BudgetLine(b["description"], int(b["amount_pence"])) for b in item.get("budget_lines", [])),
        co_applicant_emails=tuple(item.get("co_applicant_emails", [])),
        confirmed_co_applicants=tuple(item.get("co_applicants_confirmed", [])),
        consent_to_be_named=bool(item.get("consent_to_be_named")),
        submitted_at=item["submitted_at"],
        approvals_needed=int(item["approvals_needed"]),
        status=BidStatus(item["status"]),
        sig=SupportedSig(sig["sig_id"], sig.get("name", "")) if sig else None,
        reviews=tuple(
            Review(
                reviewer=r["reviewer"],
                assigned_at=r["assigned_at"],
                decision=Decision(r["decision"]) if r.get("decision") else None,
                comment=r.get("comment", ""),
                reviewed_at=r.get("reviewed_at"),
                reminded_at=r.get("reminded_at"),
            )
            for r in item.get("reviews", [])
        ),
        needs_reviewers=bool(item.get("needs_reviewers")),
        decided_at=item.get("decided_at"),
        decision_reason=item.get("decision_reason", ""),
        version=int(item.get("version", 0)),
        origins=tuple(Origin.model_validate(o) for o in item.get("origins") or ()),
    )


def _history_puts(bid_id: str, entries: list[HistoryEntry]) -> list[Put]:
    # The random tail keeps two changes made in the same microsecond apart; n keeps one
    # change's entries in order.
    tail = secrets.token_hex(3)
    return [
        Put(
            {
                **_key(f"BID#{bid_id}", f"HISTORY#{e.at}#{n:02d}{tail}"),
                "at": e.at,
                "by": e.by,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "why": e.why,
            },
            NOT_EXISTS,
        )
        for n, e in enumerate(entries)
    ]


def _mention(email: str, target: str) -> Put:
    return Put({**_key(f"MENTION#{email.lower()}", target), "target": target})


def _entry(item: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        at=item["at"],
        by=item.get("by", ""),
        action=item.get("action", ""),
        from_status=item.get("from_status"),
        to_status=item.get("to_status"),
        why=item.get("why", ""),
    )


class FundingRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # -- rounds ---------------------------------------------------------------------------------
    def create_round(self, rnd: Round, entry: HistoryEntry) -> None:
        """Opening a round announces nothing (no consumer needs it), so no events: the round
        and its first audit entry are written together."""
        people = dict.fromkeys([rnd.created_by, *rnd.reviewer_emails])
        self.store.write(
            [
                Put(_round_item(rnd), NOT_EXISTS),
                Put({**_key(f"ROUND#{rnd.round_id}", f"HISTORY#{entry.at}"), **asdict(entry)}, NOT_EXISTS),
                *(_mention(email, f"ROUND#{rnd.round_id}") for email in people if email),
            ]
        )

    def get_round(self, round_id: str) -> Round | None:
        item = self.store.get(f"ROUND#{round_id}", "ROUND")
        return _round(item) if item else None

    def rounds(self, *, closing_after: datetime | None = None, closed_by: datetime | None = None) -> list[Round]:
        """Rounds in opening order: every one, or only those closing after a time (the open and
        upcoming ones, without the years of closed ones), or only those closed by a time."""
        found = self.store.query(
            keys.ROUNDS,
            index="gsi1",
            sk_from=keys.closing_by(closing_after) if closing_after else None,
            sk_to=keys.closing_by(closed_by) if closed_by else None,
        )
        return sorted((_round(i) for i in found), key=lambda r: (r.opens_at, r.round_id))

    def award_op(self, rnd: Round, amount_pence: int) -> Update:
        """Reserve ``amount_pence`` from the pot, only if it still fits. DynamoDB conditions
        have no arithmetic, so "awarded + amount <= budget" is written "awarded <= budget - amount"."""
        return Update(
            key=_key(f"ROUND#{rnd.round_id}", "ROUND"),
            expression="ADD awarded_pence :amount",
            values={":amount": amount_pence, ":headroom": rnd.budget_pence - amount_pence},
            condition="awarded_pence <= :headroom",
        )

    def report_review_period(self, rnd: Round, event: DomainEvent | None) -> bool:
        """Mark the round's review period as reported (once, whoever runs the schedule)."""
        try:
            self.store.write(
                [
                    Update(
                        key=_key(f"ROUND#{rnd.round_id}", "ROUND"),
                        expression="SET review_period_reported = :yes",
                        values={":yes": True},
                        condition="attribute_exists(pk) AND attribute_not_exists(review_period_reported)",
                    )
                ],
                [event] if event else [],
            )
        except ConditionFailed:
            return False
        return True

    # -- bids -----------------------------------------------------------------------------------
    def get_bid(self, bid_id: str) -> Bid | None:
        item = self.store.get(f"BID#{bid_id}", "BID")
        return _bid(item) if item else None

    def bids_of_round(self, round_id: str, status: BidStatus | None = None) -> list[Bid]:
        prefix = f"{status.value}#" if status else None
        return [_bid(i) for i in self.store.query(f"BIDS#ROUND#{round_id}", index="gsi1", sk_prefix=prefix)]

    def bids_of_member(self, member_id: str) -> list[Bid]:
        return [_bid(i) for i in self.store.query(f"BIDS#MEMBER#{member_id}", index="gsi2", newest_first=True)]

    def history(self, bid_id: str) -> list[HistoryEntry]:
        return [_entry(i) for i in self.store.query(f"BID#{bid_id}", sk_prefix="HISTORY#", consistent=True)]

    # -- duplicate submissions --------------------------------------------------------------
    @staticmethod
    def _title_key(round_id: str, member_id: str, title_key: str) -> dict[str, str]:
        return _key(f"BIDTITLE#{round_id}#{member_id}#{_hash(title_key)}", "LOCK")

    @staticmethod
    def _request_key(member_id: str, request_key: str) -> dict[str, str]:
        return _key(f"BIDREQUEST#{member_id}#{_hash(request_key)}", "LOCK")

    def create_bid(self, change: Change, *, title_key: str, fingerprint: str, request_key: str | None) -> None:
        """Write the bid, its audit entry and ``BidSubmitted`` together with the locks that
        make a resubmission find it: the (member, round, title) lock and, when the client sent
        one, the ``Idempotency-Key`` lock. Raises ``WriteConflict({"title"|"request"})``."""
        bid = change.bid
        member = bid.applicant.member_id
        lock = {"bid_id": bid.bid_id, "fingerprint": fingerprint}
        labelled: list[tuple[str, Operation]] = [
            ("title", Put({**self._title_key(bid.round_id, member, title_key), **lock}, NOT_EXISTS))
        ]
        if request_key is not None:
            now = int(time.time())
            expired_or_new = Condition(
                "attribute_not_exists(pk) OR expires_at < :now", values={":now": now}
            )  # TTL deletes late: an expired key is free again even while its item lingers
            item = {**self._request_key(member, request_key), **lock, "expires_at": now + REQUEST_KEY_SECONDS}
            labelled.append(("request", Put(item, expired_or_new)))
        labelled.append(("bid", Put(_bid_item(bid), NOT_EXISTS)))
        self._write(labelled, change)

    def lock_for_title(self, round_id: str, member_id: str, title_key: str) -> Lock | None:
        key = self._title_key(round_id, member_id, title_key)
        item = self.store.get(key["pk"], key["sk"])
        return Lock(item["bid_id"], item.get("fingerprint", "")) if item else None

    def lock_for_request(self, member_id: str, request_key: str) -> Lock | None:
        key = self._request_key(member_id, request_key)
        item = self.store.get(key["pk"], key["sk"])
        return Lock(item["bid_id"], item.get("fingerprint", "")) if item else None

    def release_title_op(self, bid: Bid, title_key: str) -> Delete:
        """After a withdrawal the member may bid again under the same title."""
        return Delete(
            self._title_key(bid.round_id, bid.applicant.member_id, title_key),
            Condition("attribute_not_exists(pk) OR bid_id = :bid", values={":bid": bid.bid_id}),
        )

    # -- changes --------------------------------------------------------------------------------
    def save(
        self,
        change: Change,
        *,
        token: Put | None = None,
        pot: Update | None = None,
        release: Delete | None = None,
        also: Sequence[Operation] = (),
    ) -> Bid:
        """Write a changed bid if nobody changed it since it was read (its version), with its
        audit entries, its events and the operations that must happen with it: spending the
        review link (``token``), reserving money (``pot``), freeing its title (``release``)."""
        read_version = change.bid.version
        bid = replace(change.bid, version=read_version + 1)
        unchanged = Condition("#version = :version", names={"#version": "version"}, values={":version": read_version})
        labelled: list[tuple[str, Operation]] = [("bid", Put(_bid_item(bid), unchanged))]
        labelled += [(name, op) for name, op in (("token", token), ("pot", pot), ("release", release)) if op]
        labelled += [("also", op) for op in also]
        self._write(labelled, replace(change, bid=bid))
        return bid

    # -- a member's data (UK GDPR) --------------------------------------------------------------
    def mentions_of(self, email: str) -> list[str]:
        """``BID#<id>`` and ``ROUND#<id>``: every bid and round that names this address."""
        return [str(i["sk"]) for i in self.store.query(f"MENTION#{email.lower()}", consistent=True)]

    def forget_mention_op(self, email: str, target: str) -> Delete:
        return Delete(_key(f"MENTION#{email.lower()}", target))

    def history_items(self, pk: str) -> list[dict[str, Any]]:
        return self.store.query(pk, sk_prefix="HISTORY#", consistent=True)

    def forget_in_history(self, pk: str, email: str, stand_in: str) -> None:
        """Audit entries keep what happened and when, with a stand-in for who."""
        email = email.lower()
        changed = [
            Put(
                {
                    **item,
                    "by": stand_in if item.get("by", "").lower() == email else item.get("by", ""),
                    "why": item.get("why", "").replace(email, stand_in),
                }
            )
            for item in self.history_items(pk)
            if item.get("by", "").lower() == email or email in item.get("why", "").lower()
        ]
        for start in range(0, len(changed), 25):
            self.store.write(changed[start : start + 25])

    def forget_in_round(self, rnd: Round, email: str, stand_in: str) -> None:
        """Take the address off the round's panel (and off its creator, for a staff member).
        The panel entry is removed by position on condition it is still there, so two erasures
        at once cannot undo each other; a ``ConditionFailed`` means: read the round again."""
        email = email.lower()
        sets: list[str] = []
        removes: list[str] = []
        conditions = ["attribute_exists(pk)"]
        values: dict[str, Any] = {}
        if email in rnd.reviewer_emails:
            at = rnd.reviewer_emails.index(email)
            removes.append(f"reviewer_emails[{at}]")
            conditions.append(f"reviewer_emails[{at}] = :email")
            values[":email"] = email
        if rnd.created_by.lower() == email:
            sets.append("created_by = :stand_in")
            values[":stand_in"] = stand_in
        parts = [f"SET {', '.join(sets)}"] if sets else []
        parts += [f"REMOVE {', '.join(removes)}"] if removes else []
        expression = " ".join(parts)
        ops: list[Operation] = [self.forget_mention_op(email, f"ROUND#{rnd.round_id}")]
        if expression:
            ops.insert(
                0,
                Update(
                    key=_key(f"ROUND#{rnd.round_id}", "ROUND"),
                    expression=expression,
                    values=values,
                    condition=" AND ".join(conditions),
                ),
            )
        self.store.write(ops)

    def _write(self, labelled: list[tuple[str, Operation]], change: Change) -> None:
        ops = [
            *(op for _, op in labelled),
            *_history_puts(change.bid.bid_id, change.history),
            *(_mention(email, f"BID#{change.bid.bid_id}") for email in dict.fromkeys(change.mentions) if email),
        ]
        try:
            self.store.write(ops, change.events)
        except ConditionFailed as failure:
            names = {labelled[i][0] for i in failure.failed if i < len(labelled)}
            raise WriteConflict(names or {"history"}) from None
        except ClientError as error:
            # Cancelled for another reason than a condition: on AWS, a concurrent transaction
            # on the same item (TransactionConflict). Nothing was written; the caller retries.
            if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                raise WriteConflict({"busy"}) from None
            raise


__all__ = ["FundingRepository", "Lock", "WriteConflict"]
