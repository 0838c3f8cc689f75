"""Newsletter records in the main table (every read a GetItem or a key Query).

| item | pk | sk | gsi1 |
| --- | --- | --- | --- |
| subscriber | ``SUBSCRIBER#<id>`` | ``SUBSCRIBER`` | ``NLSUBS#<status>`` / ``<id>`` |
| address -> subscriber | ``NLEMAIL#<email>`` | ``SUBSCRIBER`` | |
| suppressed address | ``NLSUPPRESSED#<sha256 of the address>`` | ``SUPPRESSED`` | |
| item | ``NLITEM#<id>`` | ``ITEM`` | ``NLITEMS#pending`` / ``<created_at>#<id>`` while not issued |
| issue | ``NEWSLETTER#<id>`` | ``ISSUE`` | ``NLISSUES#<status>`` / ``<created_at>#<id>`` |
| sent (issue, subscriber) | ``NEWSLETTER#<id>`` | ``SENT#<subscriber id>`` | |
| send-rate window | ``NLRATE#send`` | ``<epoch second>`` | |

An item naming a member (a funded bid) is also on gsi2: ``NLNAMED#<member id>`` / ``<item id>``,
and after the member's erasure, until its archived issue is rewritten, ``NLSCRUB#<member id>``.

The confirmed subscribers are one gsi1 partition, read in id order to make send batches. An
item leaves ``NLITEMS#pending`` (its gsi1 keys are removed) in the transaction that puts it in
an issue, so two assemblies can never issue the same item.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterable, Sequence
from typing import Any

from functions.common.store import (
    NOT_EXISTS,
    Condition,
    ConditionFailed,
    Delete,
    Operation,
    Put,
    Store,
    Update,
    to_attributes,
)
from schemas.events.base import DomainEvent
from schemas.events.origins import Origin

from . import keys
from .domain import Issue, IssueStatus, Item, ItemStatus, Subscriber, SubscriberStatus

#: Sent records outlive any redelivery or retry by far; then TTL removes them.
SENT_RECORD_DAYS = 400


class EmailTaken(Exception):
    pass


class NotInState(Exception):
    """The record was not in the state the change requires (someone else acted first)."""


class TokenAlreadyUsed(Exception):
    pass


class ItemsTaken(Exception):
    """Some items were issued by another assembly meanwhile; ``item_ids`` says which."""

    def __init__(self, item_ids: list[str]) -> None:
        super().__init__(f"items already issued: {item_ids}")
        self.item_ids = item_ids


# -- item shapes ----------------------------------------------------------------------------
def _subscriber_item(s: Subscriber) -> dict[str, Any]:
    return {
        "pk": f"SUBSCRIBER#{s.subscriber_id}",
        "sk": "SUBSCRIBER",
        "gsi1pk": f"NLSUBS#{s.status.value}",
        "gsi1sk": s.subscriber_id,
        "subscriber_id": s.subscriber_id,
        "email": s.email,
        "name": s.name,
        "topics": list(s.topics),
        "status": s.status.value,
        "created_at": s.created_at,
        "confirmed_at": s.confirmed_at,
        "unsubscribed_at": s.unsubscribed_at,
        "suppressed_at": s.suppressed_at,
    }


def _subscriber(item: dict[str, Any]) -> Subscriber:
    return Subscriber(
        subscriber_id=item["subscriber_id"],
        email=item["email"],
        name=item.get("name", ""),
        topics=tuple(item.get("topics", [])),
        status=SubscriberStatus(item["status"]),
        created_at=item["created_at"],
        confirmed_at=item.get("confirmed_at"),
        unsubscribed_at=item.get("unsubscribed_at"),
        suppressed_at=item.get("suppressed_at"),
    )


def _item_item(i: Item) -> dict[str, Any]:
    record: dict[str, Any] = {
        "pk": f"NLITEM#{i.item_id}",
        "sk": "ITEM",
        "item_id": i.item_id,
        "section": i.section,
        "title": i.title,
        "body": i.body,
        "body_format": i.body_format,
        "link": i.link,
        "source": i.source,
        "created_at": i.created_at,
        "status": i.status.value,
        "issue_id": i.issue_id,
        "relevant_until": i.relevant_until,
        "named_member_id": i.named_member_id,
        "named_name": i.named_name,
        "origins": [o.model_dump() for o in i.origins] or None,
    }
    if i.status == ItemStatus.PENDING:
        record.update(gsi1pk="NLITEMS#pending", gsi1sk=f"{i.created_at}#{i.item_id}")
    if i.named_member_id:
        record.update(gsi2pk=f"NLNAMED#{i.named_member_id}", gsi2sk=i.item_id)
    return record


def _item(record: dict[str, Any]) -> Item:
    return Item(
        item_id=record["item_id"],
        section=record["section"],
        title=record["title"],
        body=record["body"],
        body_format=record.get("body_format", "markdown"),
        link=record.get("link"),
        source=record["source"],
        created_at=record["created_at"],
        status=ItemStatus(record.get("status", "pending")),
        issue_id=record.get("issue_id"),
        relevant_until=record.get("relevant_until"),
        named_member_id=record.get("named_member_id"),
        named_name=record.get("named_name"),
        origins=tuple(Origin.model_validate(o) for o in record.get("origins") or ()),
    )


def address_key(email: str) -> str:
    """Suppressed addresses are kept as a SHA-256 of the address: enough to never email it
    again, without keeping the address itself (it outlives an erased account)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _issue_item(issue: Issue) -> dict[str, Any]:
    return {
        "pk": f"NEWSLETTER#{issue.issue_id}",
        "sk": "ISSUE",
        "gsi1pk": keys.by_status(issue.status),
        "gsi1sk": f"{issue.created_at}#{issue.issue_id}",
        "issue_id": issue.issue_id,
        "title": issue.title,
        "status": issue.status.value,
        "created_at": issue.created_at,
        "item_count": issue.item_count,
        "sections": list(issue.sections),
        "approved_by": issue.approved_by,
        "approved_at": issue.approved_at,
    }


def _issue(record: dict[str, Any]) -> Issue:
    return Issue(
        issue_id=record["issue_id"],
        title=record["title"],
        status=IssueStatus(record["status"]),
        created_at=record["created_at"],
        item_count=int(record.get("item_count", 0)),
        sections=tuple(record.get("sections", [])),
        approved_by=record.get("approved_by"),
        approved_at=record.get("approved_at"),
    )


class NewsletterRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # -- subscribers ----------------------------------------------------------------------
    def subscriber(self, subscriber_id: str) -> Subscriber | None:
        record = self.store.get(f"SUBSCRIBER#{subscriber_id}", "SUBSCRIBER")
        return _subscriber(record) if record else None

    def subscriber_by_email(self, email: str) -> Subscriber | None:
        link = self.store.get(f"NLEMAIL#{email.lower()}", "SUBSCRIBER")
        return self.subscriber(str(link["subscriber_id"])) if link else None

    def subscribers(self, subscriber_ids: Iterable[str]) -> list[Subscriber]:
        found = self.store.get_many((f"SUBSCRIBER#{i}", "SUBSCRIBER") for i in subscriber_ids)
        return [_subscriber(r) for r in found]

    def confirmed_ids(self) -> list[str]:
        """Every confirmed subscriber's id, in id (sign-up) order."""
        return [r["gsi1sk"] for r in self.store.query("NLSUBS#confirmed", index="gsi1")]

    def create_subscriber(self, subscriber: Subscriber, events: Sequence[DomainEvent] = ()) -> None:
        try:
            self.store.write(
                [
                    Put(
                        {
                            "pk": f"NLEMAIL#{subscriber.email}",
                            "sk": "SUBSCRIBER",
                            "subscriber_id": subscriber.subscriber_id,
                        },
                        NOT_EXISTS,
                    ),
                    Put(_subscriber_item(subscriber), NOT_EXISTS),
                ],
                events,
            )
        except ConditionFailed as failure:
            if 0 in failure.failed:
                raise EmailTaken(subscriber.email) from None
            raise

    def import_subscribers(self, subscribers: Sequence[Subscriber]) -> int:
        """Load subscribers as they are, announcing nothing (demo content, tests, migrations).
        Addresses already held are skipped. Returns how many were added."""
        held = {
            str(r["pk"]).removeprefix("NLEMAIL#")
            for r in self.store.get_many((f"NLEMAIL#{s.email}", "SUBSCRIBER") for s in subscribers)
        }
        fresh = list({s.email: s for s in subscribers if s.email not in held}.values())
        self._put_many(
            [
                record
                for s in fresh
                for record in (
                    {"pk": f"NLEMAIL#{s.email}", "sk": "SUBSCRIBER", "subscriber_id": s.subscriber_id},
                    _subscriber_item(s),
                )
            ]
        )
        return len(fresh)

    def _put_many(self, records: Sequence[dict[str, Any]]) -> None:
        """Unconditional puts, 25 a request (BatchWriteItem). For bulk writes that need no
        condition: on AWS they cost half a transaction's capacity, and locally moto copies the
        whole table for every operation of a transaction, which large batches cannot afford."""
        table = self.store.table_name("main")
        for start in range(0, len(records), 25):
            request: dict[str, Any] = {
                table: [{"PutRequest": {"Item": to_attributes(r)}} for r in records[start : start + 25]]
            }
            for attempt in range(8):
                unprocessed = self.store.ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
                if not unprocessed:
                    break
                request = unprocessed
                time.sleep(0.05 * 2**attempt)  # throttled: back off, then retry only what was left
            else:
                raise RuntimeError("DynamoDB kept refusing a batch write")

    def request_again(self, subscriber: Subscriber, name: str, topics: Sequence[str], event: DomainEvent) -> None:
        """A pending or unsubscribed address asks again: pending, with what they asked for now."""
        try:
            self.store.write(
                [
                    Update(
                        key={"pk": f"SUBSCRIBER#{subscriber.subscriber_id}", "sk": "SUBSCRIBER"},
                        expression="SET #status = :pending, gsi1pk = :gsi1pk, #name = :name, topics = :topics",
                        names={"#status": "status", "#name": "name"},
                        values={
                            ":pending": SubscriberStatus.PENDING.value,
                            ":unsubscribed": SubscriberStatus.UNSUBSCRIBED.value,
                            ":gsi1pk": f"NLSUBS#{SubscriberStatus.PENDING.value}",
                            ":name": name,
                            ":topics": list(topics),
                        },
                        condition="#status IN (:pending, :unsubscribed)",
                    )
                ],
                [event],
            )
        except ConditionFailed:
            raise NotInState(subscriber.subscriber_id) from None

    def announce(self, event: DomainEvent) -> None:
        """Record an event with no state change (e.g. "you are already subscribed")."""
        self.store.write([], [event])

    def confirm(self, subscriber_id: str, at: str, spend_token: Put) -> None:
        try:
            self.store.write(
                [
                    self._status_change(
                        subscriber_id, SubscriberStatus.CONFIRMED, at, "confirmed_at", (SubscriberStatus.PENDING,)
                    ),
                    spend_token,
                ]
            )
        except ConditionFailed as failure:
            if 0 in failure.failed:
                raise NotInState(subscriber_id) from None
            raise TokenAlreadyUsed() from None

    def unsubscribe(self, subscriber_id: str, at: str) -> None:
        try:
            self.store.write(
                [
                    self._status_change(
                        subscriber_id,
                        SubscriberStatus.UNSUBSCRIBED,
                        at,
                        "unsubscribed_at",
                        (SubscriberStatus.PENDING, SubscriberStatus.CONFIRMED),
                    )
                ]
            )
        except ConditionFailed:
            raise NotInState(subscriber_id) from None

    def save_preferences(self, subscriber_id: str, name: str, topics: Sequence[str]) -> None:
        self.store.write(
            [
                Update(
                    key={"pk": f"SUBSCRIBER#{subscriber_id}", "sk": "SUBSCRIBER"},
                    expression="SET #name = :name, topics = :topics",
                    names={"#name": "name"},
                    values={":name": name, ":topics": list(topics)},
                    condition="attribute_exists(pk)",
                )
            ]
        )

    @staticmethod
    def _status_change(
        subscriber_id: str,
        status: SubscriberStatus,
        at: str,
        stamp: str,
        allowed_from: Sequence[SubscriberStatus] = tuple(SubscriberStatus),
    ) -> Update:
        """Move the subscriber to ``status`` (and its gsi1 list) if, and only if, it is in one
        of ``allowed_from``: the condition makes each transition once."""
        allowed = {f":from{i}": s.value for i, s in enumerate(allowed_from)}
        return Update(
            key={"pk": f"SUBSCRIBER#{subscriber_id}", "sk": "SUBSCRIBER"},
            expression=f"SET #status = :status, gsi1pk = :gsi1pk, {stamp} = :at",
            names={"#status": "status"},
            values={":status": status.value, ":gsi1pk": f"NLSUBS#{status.value}", ":at": at, **allowed},
            condition=f"#status IN ({', '.join(allowed)})",
        )

    # -- suppression ----------------------------------------------------------------------
    def suppress(self, email: str, reason: str, at: str) -> None:
        """Never email this address again; its subscriber (if any) stops receiving."""
        record = Put({"pk": f"NLSUPPRESSED#{address_key(email)}", "sk": "SUPPRESSED", "reason": reason, "at": at})
        subscriber = self.subscriber_by_email(email)
        if subscriber is None:
            self.store.write([record])
            return
        self.store.write(
            [record, self._status_change(subscriber.subscriber_id, SubscriberStatus.SUPPRESSED, at, "suppressed_at")]
        )

    def is_suppressed(self, email: str) -> bool:
        return self.store.get(f"NLSUPPRESSED#{address_key(email)}", "SUPPRESSED") is not None

    def suppressed(self, emails: Iterable[str]) -> set[str]:
        by_key = {address_key(e): e for e in emails}
        found = self.store.get_many((f"NLSUPPRESSED#{k}", "SUPPRESSED") for k in by_key)
        return {by_key[str(r["pk"]).removeprefix("NLSUPPRESSED#")] for r in found}

    def forget_subscriber(self, subscriber: Subscriber) -> None:
        """Erasure: the subscription and its address go (a suppression stays, as a hash)."""
        self.store.write(
            [
                Delete({"pk": f"SUBSCRIBER#{subscriber.subscriber_id}", "sk": "SUBSCRIBER"}),
                Delete({"pk": f"NLEMAIL#{subscriber.email}", "sk": "SUBSCRIBER"}),
            ]
        )

    # -- items ----------------------------------------------------------------------------
    def add_item(self, item: Item, events: Sequence[DomainEvent] = ()) -> bool:
        """False if an item with this id exists (the same event delivered again)."""
        try:
            self.store.write([Put(_item_item(item), NOT_EXISTS)], events)
        except ConditionFailed:
            return False
        return True

    def item(self, item_id: str) -> Item | None:
        record = self.store.get(f"NLITEM#{item_id}", "ITEM")
        return _item(record) if record else None

    def pending_items(self) -> list[Item]:
        return [_item(r) for r in self.store.query("NLITEMS#pending", index="gsi1")]

    def items_naming(self, member_id: str) -> list[Item]:
        return [_item(r) for r in self.store.query(f"NLNAMED#{member_id}", index="gsi2")]

    def items_to_rewrite(self, member_id: str) -> list[Item]:
        """Issued items a name was taken out of, whose archived issue still shows it."""
        return [_item(r) for r in self.store.query(f"NLSCRUB#{member_id}", index="gsi2")]

    def delete_item(self, item_id: str) -> None:
        self.store.write([Delete({"pk": f"NLITEM#{item_id}", "sk": "ITEM"})])

    def take_name_out(self, item: Item, member_id: str) -> None:
        """Replace the member's name in the item; an issued item is then listed under
        ``NLSCRUB#<member id>`` until its archived issue has been rewritten too."""
        scrubbed = item.without_name()
        expression = "SET title = :title, body = :body REMOVE named_member_id, named_name"
        values: dict[str, Any] = {":title": scrubbed.title, ":body": scrubbed.body}
        if item.issue_id:
            expression = "SET title = :title, body = :body, gsi2pk = :scrub REMOVE named_member_id, named_name"
            values[":scrub"] = f"NLSCRUB#{member_id}"
        else:
            expression += ", gsi2pk, gsi2sk"
        self.store.write(
            [Update(key={"pk": f"NLITEM#{item.item_id}", "sk": "ITEM"}, expression=expression, values=values)]
        )

    def rewritten(self, item_id: str) -> None:
        self.store.write([Update(key={"pk": f"NLITEM#{item_id}", "sk": "ITEM"}, expression="REMOVE gsi2pk, gsi2sk")])

    def lapse(self, item_ids: Iterable[str]) -> None:
        for item_id in item_ids:
            try:
                self.store.write([self._leave_pending(item_id, ItemStatus.LAPSED, None)])
            except ConditionFailed:
                continue  # issued or lapsed meanwhile: nothing to do

    @staticmethod
    def _leave_pending(item_id: str, status: ItemStatus, issue_id: str | None) -> Update:
        # Removing the gsi1 keys takes the item out of the pending list (a sparse index).
        values: dict[str, Any] = {":status": status.value, ":pending": ItemStatus.PENDING.value}
        expression = "SET #status = :status"
        if issue_id is not None:
            expression += ", issue_id = :issue"
            values[":issue"] = issue_id
        return Update(
            key={"pk": f"NLITEM#{item_id}", "sk": "ITEM"},
            expression=expression + " REMOVE gsi1pk, gsi1sk",
            names={"#status": "status"},
            values=values,
            condition="#status = :pending",
        )

    # -- issues ---------------------------------------------------------------------------
    def create_issue(self, issue: Issue, item_ids: Sequence[str], event: DomainEvent) -> None:
        """The issue, its claim on each item, and the event: all or nothing."""
        ops: list[Operation] = [Put(_issue_item(issue), NOT_EXISTS)]
        ops += [self._leave_pending(i, ItemStatus.ISSUED, issue.issue_id) for i in item_ids]
        try:
            self.store.write(ops, [event])
        except ConditionFailed as failure:
            taken = [item_ids[i - 1] for i in failure.failed if 0 < i <= len(item_ids)]
            if taken:
                raise ItemsTaken(taken) from None
            raise

    def issue(self, issue_id: str) -> Issue | None:
        record = self.store.get(f"NEWSLETTER#{issue_id}", "ISSUE")
        return _issue(record) if record else None

    def issues(self, status: IssueStatus) -> list[Issue]:
        """Newest first."""
        return [_issue(r) for r in self.store.query(keys.by_status(status), index="gsi1", newest_first=True)]

    def latest_sent(self) -> Issue | None:
        """The newest approved (sent) issue: one item read."""
        found = self.store.query(keys.by_status(IssueStatus.APPROVED), index="gsi1", newest_first=True, limit=1)
        return _issue(found[0]) if found else None

    def approve(self, issue: Issue, event: DomainEvent, spend_token: Put | None = None) -> None:
        ops: list[Operation] = [
            Update(
                key={"pk": f"NEWSLETTER#{issue.issue_id}", "sk": "ISSUE"},
                expression="SET #status = :status, gsi1pk = :gsi1pk, approved_by = :by, approved_at = :at",
                names={"#status": "status"},
                values={
                    ":status": IssueStatus.APPROVED.value,
                    ":gsi1pk": keys.by_status(IssueStatus.APPROVED),
                    ":by": issue.approved_by,
                    ":at": issue.approved_at,
                    ":draft": IssueStatus.DRAFT.value,
                },
                condition="#status = :draft",
            )
        ]
        if spend_token:
            ops.append(spend_token)
        try:
            self.store.write(ops, [event])
        except ConditionFailed as failure:
            if 0 in failure.failed:
                raise NotInState(issue.issue_id) from None
            raise TokenAlreadyUsed() from None

    # -- who has been sent what -----------------------------------------------------------
    def claim_send(self, issue_id: str, subscriber_id: str, at: str) -> bool:
        """Record, before sending, that this subscriber is being sent this issue. False if
        they already were (a retried batch, a redelivered event): then do not send."""
        try:
            self.store.write(
                [
                    Put(
                        {
                            "pk": f"NEWSLETTER#{issue_id}",
                            "sk": f"SENT#{subscriber_id}",
                            "status": "sending",
                            "claimed_at": at,
                            "expires_at": int(time.time()) + SENT_RECORD_DAYS * 86400,
                        },
                        NOT_EXISTS,
                    )
                ]
            )
        except ConditionFailed:
            return False
        return True

    def already_claimed(self, issue_id: str, subscriber_ids: Iterable[str]) -> set[str]:
        """Who of these has a claim on the issue: one read for a whole batch, so a redelivered
        batch skips them without a failed conditional write each. Only a shortcut: the read
        may be stale, and the conditional claim alone decides."""
        found = self.store.get_many((f"NEWSLETTER#{issue_id}", f"SENT#{i}") for i in subscriber_ids)
        return {str(r["sk"]).removeprefix("SENT#") for r in found}

    def release_send(self, issue_id: str, subscriber_id: str) -> None:
        """SES refused the message: let a retry send it."""
        with contextlib.suppress(ConditionFailed):
            self.store.write(
                [
                    Delete(
                        {"pk": f"NEWSLETTER#{issue_id}", "sk": f"SENT#{subscriber_id}"},
                        Condition("#status = :sending", {"#status": "status"}, {":sending": "sending"}),
                    )
                ]
            )

    def mark_sent(self, issue_id: str, sent: Sequence[tuple[str, str, str]], at: str) -> None:
        """Turn a batch's claims (subscriber id, message id, claimed at) into "sent" records
        with SES's message ids. Plain puts: each replaces a claim this batch itself holds."""
        expires = int(time.time()) + SENT_RECORD_DAYS * 86400
        self._put_many(
            [
                {
                    "pk": f"NEWSLETTER#{issue_id}",
                    "sk": f"SENT#{subscriber_id}",
                    "status": "sent",
                    "claimed_at": claimed_at,
                    "sent_at": at,
                    "message_id": message_id,
                    "expires_at": expires,
                }
                for subscriber_id, message_id, claimed_at in sent
            ]
        )

    def sent_record(self, issue_id: str, subscriber_id: str) -> dict[str, Any] | None:
        return self.store.get(f"NEWSLETTER#{issue_id}", f"SENT#{subscriber_id}")

    # -- send rate ------------------------------------------------------------------------
    def reserve_send_slots(self, window: int, count: int, limit: int) -> bool:
        """Take ``count`` of the ``limit`` sends allowed in one-second ``window``, for every
        sending container together; False if they are not all free."""
        try:
            self.store.write(
                [
                    Update(
                        key={"pk": "NLRATE#send", "sk": str(window)},
                        expression="ADD used :count SET expires_at = :expires",
                        values={":count": count, ":room": limit - count, ":expires": window + 120},
                        condition="attribute_not_exists(used) OR used <= :room",
                    )
                ]
            )
        except ConditionFailed:
            return False
        return True


# -- editing (the editors' pages) -------------------------------------------------------------
class EditingRepository(NewsletterRepository):
    """Changes editors make to waiting items and to a draft before it is approved. Each is
    conditional on the state it was decided from: a waiting item still waiting, a draft still
    a draft (approval by another editor wins, and nothing half-changes)."""

    def change_item(self, item: Item) -> None:
        try:
            self.store.write(
                [
                    Put(
                        _item_item(item),
                        Condition("#status = :pending", {"#status": "status"}, {":pending": ItemStatus.PENDING.value}),
                    )
                ]
            )
        except ConditionFailed:
            raise NotInState(item.item_id) from None

    def remove_item(self, item_id: str) -> None:
        condition = Condition("#status = :pending", {"#status": "status"}, {":pending": ItemStatus.PENDING.value})
        try:
            self.store.write([Delete({"pk": f"NLITEM#{item_id}", "sk": "ITEM"}, condition)])
        except ConditionFailed:
            raise NotInState(item_id) from None

    @staticmethod
    def _back_to_waiting(item: Item, issue_id: str) -> Update:
        return Update(
            key={"pk": f"NLITEM#{item.item_id}", "sk": "ITEM"},
            expression="SET #status = :pending, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk REMOVE issue_id",
            names={"#status": "status"},
            values={
                ":pending": ItemStatus.PENDING.value,
                ":gsi1pk": "NLITEMS#pending",
                ":gsi1sk": f"{item.created_at}#{item.item_id}",
                ":issue": issue_id,
            },
            condition="issue_id = :issue",
        )

    @staticmethod
    def _still_draft(issue_id: str) -> Condition:
        return Condition("#status = :draft", {"#status": "status"}, {":draft": IssueStatus.DRAFT.value})

    def take_out_of_draft(self, issue: Issue, item: Item, sections: Sequence[str]) -> None:
        """The item waits again; the draft counts one item fewer."""
        ops: list[Operation] = [
            Update(
                key={"pk": f"NEWSLETTER#{issue.issue_id}", "sk": "ISSUE"},
                expression="SET item_count = :count, sections = :sections",
                names={"#status": "status"},
                values={":count": issue.item_count - 1, ":sections": list(sections), ":draft": IssueStatus.DRAFT.value},
                condition="#status = :draft",
            ),
            self._back_to_waiting(item, issue.issue_id),
        ]
        try:
            self.store.write(ops)
        except ConditionFailed:
            raise NotInState(issue.issue_id) from None

    def return_draft(self, issue: Issue, items: Sequence[Item], event: DomainEvent) -> None:
        """The draft is withdrawn and every item in it waits again: all or nothing."""
        ops: list[Operation] = [
            Delete({"pk": f"NEWSLETTER#{issue.issue_id}", "sk": "ISSUE"}, self._still_draft(issue.issue_id))
        ]
        ops += [self._back_to_waiting(item, issue.issue_id) for item in items]
        try:
            self.store.write(ops, [event])
        except ConditionFailed:
            raise NotInState(issue.issue_id) from None

    def announce_test(self, issue: Issue, event: DomainEvent) -> None:
        from functions.common.store import Check

        try:
            self.store.write(
                [Check({"pk": f"NEWSLETTER#{issue.issue_id}", "sk": "ISSUE"}, self._still_draft(issue.issue_id))],
                [event],
            )
        except ConditionFailed:
            raise NotInState(issue.issue_id) from None
