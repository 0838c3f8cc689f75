"""The newsletter's rules, in plain Python.

- People subscribe with double opt-in; subscribing again or confirming twice changes nothing.
- Items come from community events (a SIG approved, a bid funded with the applicant's consent,
  a visit published with places left) and from staff. Each schedule run gathers the items
  nobody has issued yet into one draft, grouped into sections; no items, no issue.
- An editor approves a draft once; it is then sent to each confirmed subscriber once, in the
  sections they chose. Unsubscribed and suppressed (bounced, complained) addresses get nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from functions.common.errors import Conflict
from schemas.api.newsletter import SECTIONS, Section
from schemas.events.newsletter import MAX_BATCH_RECIPIENTS
from schemas.events.origins import Origin

from .keys import IssueStatus

if TYPE_CHECKING:  # only the items consumer handles them; the API function need not load them
    from schemas.events.followups import TakeawayPublished
    from schemas.events.funding import BidApproved
    from schemas.events.sigs import SigApproved
    from schemas.events.visits import VisitPublished

#: Headings of the sections, in issue order.
HEADINGS: dict[str, str] = {
    "events": "Events",
    "workshops": "Workshops",
    "visits": "Visits",
    "groups": "New Special Interest Groups",
    "funding": "Funded work",
    "news": "News",
}
assert set(HEADINGS) == set(SECTIONS)

#: Stands in for the name of a member who erased their account.
FORMER_MEMBER = "A member"

#: An issue holds at most this many items; the rest wait for the next issue. Also keeps the
#: assembling transaction (issue + one claim per item + event) under DynamoDB's 100 operations.
MAX_ITEMS_PER_ISSUE = 60


# -- subscribers ----------------------------------------------------------------------------
class SubscriberStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class Subscriber:
    subscriber_id: str
    email: str
    name: str
    topics: tuple[str, ...]
    status: SubscriberStatus
    created_at: str
    confirmed_at: str | None = None
    unsubscribed_at: str | None = None
    suppressed_at: str | None = None

    def wants(self, section: str) -> bool:
        """No topics chosen means every section."""
        return not self.topics or section in self.topics


class SubscribeOutcome(StrEnum):
    #: A new address: create it as pending and send the confirmation link.
    NEW = "new"
    #: Pending, or unsubscribed and asking again: (re)send the confirmation link.
    CONFIRM_AGAIN = "confirm again"
    #: Already confirmed: tell them so; change nothing.
    ALREADY = "already subscribed"
    #: Bounced or complained: never email it again, not even to confirm.
    SILENT = "suppressed"


def on_subscribe(existing: Subscriber | None, suppressed: bool) -> SubscribeOutcome:
    if suppressed or (existing is not None and existing.status == SubscriberStatus.SUPPRESSED):
        return SubscribeOutcome.SILENT
    if existing is None:
        return SubscribeOutcome.NEW
    if existing.status == SubscriberStatus.CONFIRMED:
        return SubscribeOutcome.ALREADY
    return SubscribeOutcome.CONFIRM_AGAIN


def new_subscriber(subscriber_id: str, email: str, name: str, topics: Sequence[str], now: datetime) -> Subscriber:
    return Subscriber(
        subscriber_id=subscriber_id,
        email=email.lower(),
        name=name,
        topics=tuple(topics),
        status=SubscriberStatus.PENDING,
        created_at=now.isoformat(),
    )


# -- items ----------------------------------------------------------------------------------
class ItemStatus(StrEnum):
    PENDING = "pending"
    ISSUED = "issued"
    #: Past its use-by date before any issue included it (a visit whose sign-up closed).
    LAPSED = "lapsed"


@dataclass(frozen=True)
class Item:
    item_id: str
    section: Section
    title: str
    body: str
    source: str
    created_at: str
    link: str | None = None
    #: ``markdown`` for staff-written items; ``text`` for text members typed elsewhere (a SIG's
    #: purpose, a bid's summary), which is shown exactly as typed, never interpreted.
    body_format: str = "markdown"
    status: ItemStatus = ItemStatus.PENDING
    issue_id: str | None = None
    #: Leave the item out of any issue assembled after this moment (ISO 8601).
    relevant_until: str | None = None
    #: The member the item names, and the name it uses: if they erase their account, the
    #: name is taken out of the item and out of the archived issue (``privacy.py``).
    named_member_id: str | None = None
    named_name: str | None = None
    #: What the item came from (issue 11), checked when staff named it.
    origins: tuple[Origin, ...] = ()

    def without_name(self) -> Item:
        if not self.named_name:
            return replace(self, named_member_id=None, named_name=None)
        # Whole words only: the name "Tom" must not turn "Tomorrow" into nonsense.
        name = re.compile(rf"(?<!\w){re.escape(self.named_name)}(?!\w)")
        return replace(
            self,
            title=name.sub(FORMER_MEMBER, self.title),
            body=name.sub(FORMER_MEMBER, self.body),
            named_member_id=None,
            named_name=None,
        )

    def lapsed(self, now: datetime) -> bool:
        return self.relevant_until is not None and datetime.fromisoformat(self.relevant_until) <= now


def staff_item(item_id: str, *, section: Section, title: str, body: str, link: str | None, now: datetime) -> Item:
    return Item(
        item_id=item_id, section=section, title=title, body=body, link=link, source="staff", created_at=now.isoformat()
    )


def item_for_sig(event: SigApproved, link: str) -> Item:
    return Item(
        item_id=f"sig-{event.sig_id}",
        section="groups",
        title=f"New group: {event.name}",
        # No proposer's name: the group's page shows its conveners as they are now.
        body=f"{event.purpose}\n\nNew members are welcome to join.",
        body_format="text",
        link=link,
        source="sig",
        created_at=event.occurred_at.isoformat(),
    )


def item_for_takeaway(event: TakeawayPublished, link: str) -> Item:
    """A member's takeaway staff published (issue 11 §2): their words, shown as typed, with
    their name only if they agreed to it (erasure takes it out again: ``named_member_id``)."""
    by = event.name or "A member"
    return Item(
        item_id=f"takeaway-{event.takeaway_id}",
        section="news",
        title=f"What a member took away from {event.event_title}"[:150],
        body=f"{by}:\n\n{event.text}"[:5000],
        body_format="text",
        link=link,
        source="followups",
        created_at=event.occurred_at.isoformat(),
        named_member_id=event.named_member_id if event.name else None,
        named_name=event.name,
        origins=tuple(event.origins),
    )


def item_for_bid(event: BidApproved, link: str | None) -> Item | None:
    """Funded work is celebrated only when the applicant agreed to be named."""
    if not event.consent_to_be_named:
        return None
    pounds, pence = divmod(event.amount_pence, 100)
    amount = f"£{pounds:,}" + (f".{pence:02d}" if pence else "")
    where = f" for the {event.sig_name}" if event.sig_name else ""
    return Item(
        item_id=f"bid-{event.bid_id}",
        section="funding",
        title=f"Funded: {event.title}",
        body=f"{event.applicant_name} has been awarded {amount}{where} in the {event.round_name} round.\n\n"
        f"{event.summary}",
        body_format="text",
        link=link,
        source="bid",
        created_at=event.occurred_at.isoformat(),
        named_member_id=event.applicant_id,
        named_name=event.applicant_name,
    )


_FORMATS = {"online": "Online", "in_person": "In person", "hybrid": "Online and in person"}


def item_for_visit(event: VisitPublished, link: str, timezone: str) -> Item | None:
    """Only a visit people can still sign up for is worth announcing."""
    if event.places_left <= 0 or event.signup_closes_at <= event.occurred_at:
        return None
    zone = ZoneInfo(timezone)
    starts = event.starts_at.astimezone(zone)
    closes = event.signup_closes_at.astimezone(zone)
    return Item(
        item_id=f"visit-{event.visit_id}",
        section="visits",
        title=event.title,
        body=(
            f"{_FORMATS.get(event.format, event.format)} visit hosted by {event.host_organisation}, "
            f"{_when(starts)}.\n\n{event.description}\n\n"
            f"Places are limited: sign up by {_when(closes)}."
        ),
        body_format="text",
        link=link,
        source="visit",
        created_at=event.occurred_at.isoformat(),
        relevant_until=event.signup_closes_at.isoformat(),
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%A %-d %B %Y, %-I:%M%p").replace("AM", "am").replace("PM", "pm")


# -- issues ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class IssueSection:
    section: str
    items: tuple[Item, ...]

    @property
    def heading(self) -> str:
        return HEADINGS[self.section]


@dataclass(frozen=True)
class IssueContent:
    """What an issue says: stored as JSON in S3, rendered for email and the archive."""

    issue_id: str
    title: str
    created_at: str
    sections: tuple[IssueSection, ...]

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    def for_topics(self, topics: Iterable[str]) -> IssueContent | None:
        """The sections a subscriber chose (all when none chosen); None if nothing is left."""
        chosen = set(topics)
        if not chosen:
            return self
        kept = tuple(s for s in self.sections if s.section in chosen)
        return replace(self, sections=kept) if kept else None

    def replace_item(self, item: Item) -> IssueContent:
        """The same issue with this item's text replaced (an erased member's name taken out)."""
        return replace(
            self,
            sections=tuple(
                replace(s, items=tuple(item if i.item_id == item.item_id else i for i in s.items))
                for s in self.sections
            ),
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), default=_plain)

    @classmethod
    def from_json(cls, raw: str | bytes) -> IssueContent:
        data = json.loads(raw)
        return cls(
            issue_id=data["issue_id"],
            title=data["title"],
            created_at=data["created_at"],
            sections=tuple(IssueSection(s["section"], tuple(_item(i) for i in s["items"])) for s in data["sections"]),
        )


def _item(data: dict[str, Any]) -> Item:
    known = {f for f in Item.__dataclass_fields__}
    values = {k: v for k, v in data.items() if k in known}
    values["status"] = ItemStatus(values.get("status", ItemStatus.PENDING))
    values["origins"] = tuple(Origin.model_validate(o) for o in values.get("origins") or ())
    return Item(**values)


def _plain(value: Any) -> Any:
    """An item's origins (pydantic models) as JSON."""
    if isinstance(value, Origin):
        return value.model_dump()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@dataclass(frozen=True)
class Issue:
    issue_id: str
    title: str
    status: IssueStatus
    created_at: str
    item_count: int
    sections: tuple[str, ...] = ()
    approved_by: str | None = None
    approved_at: str | None = None


@dataclass(frozen=True)
class Assembly:
    """The outcome of one schedule run: an issue (or none) and the items that lapsed."""

    content: IssueContent | None
    lapsed: list[str] = field(default_factory=list)

    @property
    def issue(self) -> Issue | None:
        if self.content is None:
            return None
        return Issue(
            issue_id=self.content.issue_id,
            title=self.content.title,
            status=IssueStatus.DRAFT,
            created_at=self.content.created_at,
            item_count=len(self.content.items),
            sections=tuple(s.section for s in self.content.sections),
        )


def issue_title(newsletter_name: str, now: datetime, timezone: str) -> str:
    return f"{newsletter_name}: {now.astimezone(ZoneInfo(timezone)).strftime('%B %Y')}"


def assemble(issue_id: str, title: str, pending: Iterable[Item], now: datetime) -> Assembly:
    """Group every item not yet issued into sections, oldest first within a section.

    Items past their use-by date lapse instead; beyond ``MAX_ITEMS_PER_ISSUE`` the newest
    wait for the next issue. An empty period makes no issue."""
    live: list[Item] = []
    lapsed: list[str] = []
    for item in pending:
        if item.status != ItemStatus.PENDING:
            continue
        (lapsed.append(item.item_id) if item.lapsed(now) else live.append(item))
    live.sort(key=lambda i: (i.created_at, i.item_id))
    chosen = live[:MAX_ITEMS_PER_ISSUE]
    if not chosen:
        return Assembly(None, lapsed)
    sections = tuple(
        IssueSection(section, tuple(i for i in chosen if i.section == section))
        for section in SECTIONS
        if any(i.section == section for i in chosen)
    )
    return Assembly(IssueContent(issue_id, title, now.isoformat(), sections), lapsed)


class AlreadyApproved(Conflict):
    def __init__(self, issue: Issue) -> None:
        super().__init__(f"This issue was already approved by {issue.approved_by} on {issue.approved_at}.")
        self.issue = issue


def approve(issue: Issue, *, by: str, now: datetime) -> Issue:
    if issue.status != IssueStatus.DRAFT:
        raise AlreadyApproved(issue)
    return replace(issue, status=IssueStatus.APPROVED, approved_by=by, approved_at=now.isoformat())


def batches(subscriber_ids: Sequence[str], size: int = MAX_BATCH_RECIPIENTS) -> list[list[str]]:
    """Split the recipients into send batches of at most ``size`` (50)."""
    if not 0 < size <= MAX_BATCH_RECIPIENTS:
        raise ValueError(f"a batch holds 1 to {MAX_BATCH_RECIPIENTS} recipients")
    return [list(subscriber_ids[i : i + size]) for i in range(0, len(subscriber_ids), size)]


# -- bounces and complaints -----------------------------------------------------------------
@dataclass(frozen=True)
class Suppression:
    email: str
    reason: str


def suppressions(detail_type: str, detail: dict[str, Any]) -> list[Suppression]:
    """The addresses an SES event tells us never to email again.

    A permanent (hard) bounce or a complaint suppresses; a transient bounce (a full mailbox,
    which SES reports only after retrying) does not, or one bad day would lose a reader."""
    found: list[Suppression] = []
    if detail_type == "Email Bounced":
        bounce = detail.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return []
        reason = f"bounce: {bounce.get('bounceSubType') or 'General'}"
        recipients = bounce.get("bouncedRecipients") or []
    elif detail_type == "Email Complaint Received":
        complaint = detail.get("complaint") or {}
        reason = f"complaint: {complaint.get('complaintFeedbackType') or 'not given'}"
        recipients = complaint.get("complainedRecipients") or []
    else:
        return []
    for recipient in recipients:
        address = recipient.get("emailAddress") if isinstance(recipient, dict) else None
        if isinstance(address, str) and "@" in address:
            # SES may report "Name <addr>"; we key suppression by the bare, lower-case address.
            bare = address.rsplit("<", 1)[-1].rstrip(">").strip().lower()
            found.append(Suppression(bare, reason))
    return found
