"""The newsletter's rules without AWS: assembling and grouping items, empty periods, items
from community events, topics, batches, suppression from SES events, the send-rate throttle
and how item text is rendered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.newsletter import domain, rendering
from functions.newsletter.domain import (
    MAX_ITEMS_PER_ISSUE,
    AlreadyApproved,
    IssueContent,
    IssueStatus,
    Item,
    ItemStatus,
    SubscribeOutcome,
    SubscriberStatus,
)
from functions.newsletter.throttle import SendThrottle
from schemas.events.funding import BidApproved
from schemas.events.sigs import SigApproved
from schemas.events.visits import VisitPublished

NOW = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def item(item_id: str, section: str = "news", minutes: int = 0, **extra: object) -> Item:
    fields: dict[str, object] = {
        "item_id": item_id,
        "section": section,
        "title": f"Item {item_id}",
        "body": "Some *news*.",
        "source": "staff",
        "created_at": (NOW - timedelta(days=10) + timedelta(minutes=minutes)).isoformat(),
    }
    return Item(**{**fields, **extra})  # type: ignore[arg-type]


# -- assembly -------------------------------------------------------------------------------
def test_items_are_grouped_into_sections_in_issue_order_oldest_first() -> None:
    pending = [
        item("n1", "news", 5),
        item("w2", "workshops", 9),
        item("e1", "events", 7),
        item("w1", "workshops", 1),
        item("g1", "groups", 3),
    ]
    assembly = domain.assemble("nl_1", "Q-municate: May 2025", pending, NOW)
    assert assembly.content is not None
    sections = [(s.section, [i.item_id for i in s.items]) for s in assembly.content.sections]
    assert sections == [("events", ["e1"]), ("workshops", ["w1", "w2"]), ("groups", ["g1"]), ("news", ["n1"])]
    issue = assembly.issue
    assert issue is not None
    assert issue.status == IssueStatus.DRAFT
    assert issue.item_count == 5
    assert issue.sections == ("events", "workshops", "groups", "news")
    assert [s.heading for s in assembly.content.sections][:2] == ["Events", "Workshops"]


def test_an_empty_period_makes_no_issue() -> None:
    assembly = domain.assemble("nl_1", "t", [], NOW)
    assert assembly.content is None and assembly.issue is None and assembly.lapsed == []


def test_issued_items_are_not_issued_again() -> None:
    done = item("old", status=ItemStatus.ISSUED, issue_id="nl_0")
    assembly = domain.assemble("nl_1", "t", [done], NOW)
    assert assembly.issue is None


def test_items_past_their_date_lapse_instead_of_making_an_issue() -> None:
    stale = item("v1", "visits", relevant_until=(NOW - timedelta(hours=1)).isoformat())
    fresh = item("v2", "visits", relevant_until=(NOW + timedelta(days=3)).isoformat())
    only_stale = domain.assemble("nl_1", "t", [stale], NOW)
    assert only_stale.issue is None and only_stale.lapsed == ["v1"]
    both = domain.assemble("nl_2", "t", [stale, fresh], NOW)
    assert both.content is not None
    assert [i.item_id for i in both.content.items] == ["v2"] and both.lapsed == ["v1"]


def test_a_long_period_keeps_the_newest_items_for_the_next_issue() -> None:
    pending = [item(f"i{n:03d}", minutes=n) for n in range(MAX_ITEMS_PER_ISSUE + 5)]
    assembly = domain.assemble("nl_1", "t", reversed(pending), NOW)
    assert assembly.content is not None
    assert [i.item_id for i in assembly.content.items] == [i.item_id for i in pending[:MAX_ITEMS_PER_ISSUE]]


def test_the_title_names_the_month_in_the_community_timezone() -> None:
    # 23:30 UTC on 31 May is already June in London (BST).
    late = datetime(2025, 5, 31, 23, 30, tzinfo=UTC)
    assert domain.issue_title("Q-municate", late, "Europe/London") == "Q-municate: June 2025"


def test_content_survives_its_json_round_trip_and_follows_topics() -> None:
    content = domain.assemble("nl_1", "t", [item("e1", "events"), item("n1", "news")], NOW).content
    assert content is not None
    again = IssueContent.from_json(content.to_json())
    assert again == content
    assert content.for_topics([]) == content
    news_only = content.for_topics(["news", "funding"])
    assert news_only is not None and [s.section for s in news_only.sections] == ["news"]
    assert content.for_topics(["funding"]) is None


def test_an_issue_is_approved_once() -> None:
    issue = domain.assemble("nl_1", "t", [item("n1")], NOW).issue
    assert issue is not None
    approved = domain.approve(issue, by="editor@q.example.org", now=NOW)
    assert approved.status == IssueStatus.APPROVED and approved.approved_by == "editor@q.example.org"
    with pytest.raises(AlreadyApproved):
        domain.approve(approved, by="other@q.example.org", now=NOW)


# -- items from community events ------------------------------------------------------------
def bid(consent: bool) -> BidApproved:
    return BidApproved(
        bid_id="bid_1",
        round_id="rnd_1",
        round_name="Spring 2025",
        title="A convener for the Third Sector SIG",
        summary="Paying a convener to help the SIG support members.",
        amount_pence=250050,
        applicant_id="mem_1",
        applicant_email="amara@example.org",
        applicant_name="Amara Okafor",
        sig_id="sig_1",
        sig_name="Third Sector SIG",
        consent_to_be_named=consent,
    )


def test_a_funded_bid_is_announced_only_with_the_applicants_consent() -> None:
    assert domain.item_for_bid(bid(consent=False), None) is None
    announced = domain.item_for_bid(bid(consent=True), "https://q.example.org/funding")
    assert announced is not None
    assert announced.item_id == "bid-bid_1" and announced.section == "funding"
    assert "Amara Okafor has been awarded £2,500.50 for the Third Sector SIG" in announced.body


def visit(places_left: int, closes_in: timedelta = timedelta(days=20)) -> VisitPublished:
    published = NOW - timedelta(days=1)
    return VisitPublished(
        visit_id="vis_1",
        title="Building peer groups to galvanise and sustain change",
        host_organisation="A community health network",
        description="How peer groups help sustain change.",
        format="in_person",
        starts_at=datetime(2025, 4, 26, 9, 30, tzinfo=UTC),
        ends_at=datetime(2025, 4, 26, 12, 0, tzinfo=UTC),
        places=20,
        places_left=places_left,
        signup_closes_at=published + closes_in,
        occurred_at=published,
    )


def test_a_visit_is_announced_only_with_places_left_and_lapses_when_sign_up_closes() -> None:
    assert domain.item_for_visit(visit(0), "https://x/visits/vis_1", "Europe/London") is None
    assert domain.item_for_visit(visit(5, -timedelta(hours=1)), "https://x", "Europe/London") is None
    announced = domain.item_for_visit(visit(5), "https://x/visits/vis_1", "Europe/London")
    assert announced is not None
    assert "In person visit hosted by A community health network, Saturday 26 April 2025, 10:30am" in announced.body
    assert not announced.lapsed(NOW)
    assert announced.lapsed(NOW + timedelta(days=30))


def test_a_sig_is_announced_in_groups_with_its_purpose_as_typed() -> None:
    event = SigApproved(
        sig_id="sig_9",
        name="Coaching SIG",
        purpose="1. Coaching *approaches*\n2. <b>kindness</b>",
        proposer_email="tom@example.org",
        proposer_name="Tom Hughes",
        convener_emails=["tom@example.org"],
        decided_by="team@q.example.org",
        note="",
    )
    announced = domain.item_for_sig(event, "https://x/sigs/sig_9")
    assert announced.section == "groups" and announced.body_format == "text"
    html = rendering.body_html(announced)
    # Shown as typed: no list, no emphasis, no tag.
    assert "1. Coaching *approaches*<br>" in html and "&lt;b&gt;kindness&lt;/b&gt;" in html
    assert "<ol>" not in html and "<em>" not in html and "<b>" not in html


def test_markdown_items_render_without_raw_html_or_script_links() -> None:
    written = item(
        "n1", body="**Bold** <script>alert(1)</script> [x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>"
    )
    html = rendering.body_html(written)
    assert "<strong>Bold</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html


# -- subscribers, batches, suppression ------------------------------------------------------
def test_subscribing_again_is_harmless() -> None:
    pending = domain.new_subscriber("sub_1", "A@Example.org", "", [], NOW)
    assert pending.email == "a@example.org" and pending.status == SubscriberStatus.PENDING
    assert domain.on_subscribe(None, suppressed=False) == SubscribeOutcome.NEW
    assert domain.on_subscribe(pending, suppressed=False) == SubscribeOutcome.CONFIRM_AGAIN
    confirmed = domain.Subscriber(**{**pending.__dict__, "status": SubscriberStatus.CONFIRMED})
    assert domain.on_subscribe(confirmed, suppressed=False) == SubscribeOutcome.ALREADY
    gone = domain.Subscriber(**{**pending.__dict__, "status": SubscriberStatus.UNSUBSCRIBED})
    assert domain.on_subscribe(gone, suppressed=False) == SubscribeOutcome.CONFIRM_AGAIN
    assert domain.on_subscribe(None, suppressed=True) == SubscribeOutcome.SILENT
    assert domain.on_subscribe(confirmed, suppressed=True) == SubscribeOutcome.SILENT


def test_recipients_are_split_into_batches_of_at_most_fifty() -> None:
    ids = [f"sub_{n}" for n in range(1001)]
    batches = domain.batches(ids)
    assert [len(b) for b in batches] == [50] * 20 + [1]
    assert [i for b in batches for i in b] == ids
    assert domain.batches([]) == []
    with pytest.raises(ValueError):
        domain.batches(ids, size=51)


def test_hard_bounces_and_complaints_suppress_soft_bounces_do_not() -> None:
    hard = {
        "eventType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "A@x.org"}]},
    }
    soft = {
        "eventType": "Bounce",
        "bounce": {"bounceType": "Transient", "bouncedRecipients": [{"emailAddress": "a@x.org"}]},
    }
    complaint = {"eventType": "Complaint", "complaint": {"complainedRecipients": [{"emailAddress": "Bo <b@x.org>"}]}}
    assert [s.email for s in domain.suppressions("Email Bounced", hard)] == ["a@x.org"]
    assert domain.suppressions("Email Bounced", soft) == []
    assert [s.email for s in domain.suppressions("Email Complaint Received", complaint)] == ["b@x.org"]
    assert domain.suppressions("Email Delivered", hard) == []
    assert domain.suppressions("Email Bounced", {"bounce": {"bounceType": "Permanent", "bouncedRecipients": "x"}}) == []


# -- the send rate --------------------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_throttle_never_exceeds_the_rate_shared_by_every_sender() -> None:
    clock = FakeClock()
    used: dict[int, int] = {}

    def reserve(window: int, count: int, limit: int) -> bool:  # what the conditional update does
        if used.get(window, 0) + count > limit:
            return False
        used[window] = used.get(window, 0) + count
        return True

    first, second = (SendThrottle(7, reserve, clock=clock.time, sleep=clock.sleep) for _ in range(2))
    sends: list[int] = []
    for n in range(30):
        (first if n % 2 else second).take(30 - n)
        sends.append(int(clock.now))
        clock.now += 0.01
    per_second = {s: sends.count(s) for s in set(sends)}
    assert max(per_second.values()) <= 7
    assert all(v <= 7 for v in used.values())
    assert len(per_second) >= 30 // 7  # it had to wait for later seconds


def test_the_throttle_reserves_several_slots_with_one_write() -> None:
    calls: list[int] = []

    def reserve(window: int, count: int, limit: int) -> bool:
        calls.append(count)
        return True

    throttle = SendThrottle(100, reserve, clock=lambda: 5.0, sleep=lambda s: None)
    for left in range(50, 0, -1):
        throttle.take(left)
    assert calls == [50]


def test_an_erased_members_name_is_taken_out_by_whole_words() -> None:
    funded = domain.item_for_bid(bid(consent=True), None)
    assert funded is not None and funded.named_member_id == "mem_1"
    tom = Item(**{**funded.__dict__, "named_name": "Tom", "body": "Tom met Tomasz tomorrow. Tom."})
    scrubbed = tom.without_name()
    assert scrubbed.body == "A member met Tomasz tomorrow. A member."
    assert scrubbed.named_member_id is None and scrubbed.named_name is None
    assert funded.without_name().body.startswith("A member has been awarded £2,500.50")
