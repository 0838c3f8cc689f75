"""Demo content for the chain of ideas (issue 11): October's community event in Bristol, already
held and run as Open Space, with the conversations members hosted there (harvested, proceedings
published), and one chain taken forward from it, as in the source post: Tom Hughes's conversation
on responding to failure led to the Coaching SIG, the SIG to a funded Supporting Q Connections bid
for its convener role, and the bid to a Q-municate item.

Loaded silently (no email): the records are written through the areas' repositories, and the
chain's read model by the same functions the ``chain-links`` consumer runs for each event, so the
Bristol "taken forward" page and the staff draft write-up show the chain from the first start.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runtime import LocalRuntime

EVENT_ID = "event_demobristolheld"
#: The conversations hosted at Bristol: title, themes, host (index into DEMO_MEMBERS), harvest.
CONVERSATIONS = (
    (
        "How we relate across difference",
        ("inclusion",),
        0,
        "How we notice and talk about difference in teams.",
        "An online visit on community organising.",
    ),
    (
        "Effective collaboration with different accessibility needs",
        ("inclusion", "accessibility"),
        2,
        "Asking, not assuming, what people need to take part.",
        "Share an accessibility checklist for meetings.",
    ),
    (
        "How different organisations can work together",
        ("collaboration",),
        3,
        "The third sector and the NHS across the wider patch.",
        "Talk to the Third Sector SIG.",
    ),
    (
        "Responding to failure honestly, openly and safely",
        ("resilience", "kindness"),
        1,
        "What helps teams speak about failure: coaching conversations, kindness, time.",
        "Start a Coaching SIG; bid for a convener role.",
    ),
    (
        "Cultivating kindness",
        ("kindness",),
        2,
        "Small acts that make kindness the norm under pressure.",
        "A kindness check-in at the start of meetings.",
    ),
)
#: The chain: the conversation it starts from, the SIG, the bid and the newsletter item.
FROM_CONVERSATION = 3
SIG_ID = "sig_demo2"  # the Coaching SIG (infra/local/demo.py)
BID_ID = "bid_democoachingconvener"
ITEM_ID = "nli_democoachingconvener"


def seed(runtime: LocalRuntime) -> None:
    from functions.events.attendance import get_event

    if get_event(EVENT_ID) is not None:
        return
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    held = (now - timedelta(days=75)).replace(hour=9, minute=30)
    conversations = _event(runtime, held)
    _chain(runtime, held, conversations, now)


def _event(runtime: LocalRuntime, held: datetime) -> list[tuple[str, str, tuple[str, ...], str, str]]:
    """The Bristol event as held, its conversations harvested and its proceedings published."""
    from functions.common.store import Put, Store
    from functions.events.domain import Event, EventKind
    from functions.events.repository import EventRepository
    from functions.members.repository import MemberRepository
    from functions.openspace.domain import Conversation
    from functions.openspace.repository import OpenSpaceRepository, _conversation_item
    from functions.places.domain import Format, ListingStatus, WaitlistMode
    from functions.places.repository import ts

    from .demo import DEMO_MEMBERS
    from .demo_events import LONDON, _open_space

    staff = runtime.staff_emails.split(",")[0].strip()
    local = held.astimezone(LONDON)
    EventRepository().import_event(
        Event(
            listing_id=EVENT_ID,
            kind=EventKind.COMMUNITY_EVENT,
            title=f"Q community event: Bristol, {local:%B %Y}",
            description=(
                "A day of Open Space conversations in Bristol: members proposed the topics they cared about, "
                "hosted the conversations and recorded what came of them."
            ),
            format=Format.IN_PERSON,
            location="Harbourside Conference Centre, Bristol",
            joining_link="",
            starts_at=held,
            ends_at=held + timedelta(hours=7),
            signup_closes_at=held - timedelta(days=3),
            places=120,
            waitlist_mode=WaitlistMode.AUTOMATIC,
            offer_hours=24,
            status=ListingStatus.PUBLISHED,
            created_at=held - timedelta(days=60),
            created_by=staff,
            open_space=_open_space(local, [("Main hall", 60, False), ("Harbour room", 20, False)]),
        )
    )
    members = MemberRepository()
    store = Store()
    made: list[tuple[str, str, tuple[str, ...], str, str]] = []
    for i, (title, themes, host, discussed, next_steps) in enumerate(CONVERSATIONS):
        email, name = DEMO_MEMBERS[host]
        member = members.get_or_create(email, name)[0]
        conversation = Conversation(
            event_id=EVENT_ID,
            conversation_id=f"conv_demoheld{i + 1}",
            title=title,
            question=f"{title}: what can we learn, and what will we do?",
            themes=themes,
            host_email=email,
            host_name=name,
            host_member_id=member.member_id,
            proposed_at=held + timedelta(minutes=10 + i),
        )
        harvested = held + timedelta(hours=5)
        item = {
            **_conversation_item(conversation),
            "discussed": discussed,
            "next_steps": next_steps,
            "keep_going": name,
            "harvested_at": ts(harvested),
        }
        store.write([Put(item)])
        made.append((conversation.conversation_id, title, themes, name, member.member_id))
    OpenSpaceRepository().publish_proceedings(EVENT_ID, held + timedelta(days=2), staff, [])
    return made


def _chain(
    runtime: LocalRuntime,
    held: datetime,
    conversations: list[tuple[str, str, tuple[str, ...], str, str]],
    now: datetime,
) -> None:
    """The conversation -> the Coaching SIG -> a funded convener bid -> a Q-municate item."""
    from functions.chain import links
    from functions.common.store import Put, Store, Update
    from functions.funding.domain import (
        Applicant,
        BidStatus,
        BudgetLine,
        Decision,
        HistoryEntry,
        Review,
        SupportedSig,
    )
    from functions.funding.domain import Bid as FundedBid
    from functions.funding.repository import FundingRepository, _bid_item, _mention
    from functions.newsletter.domain import staff_item
    from functions.newsletter.repository import NewsletterRepository
    from functions.sigs.repository import SigRepository
    from schemas.events.funding import BidApproved
    from schemas.events.newsletter import NewsletterItemAdded
    from schemas.events.openspace import ConversationProposed
    from schemas.events.origins import Origin
    from schemas.events.sigs import SigApproved

    from .demo_funding import DEMO_REVIEWERS, DEMO_ROUND_ID

    store = Store()
    for conversation_id, title, themes, name, member_id in conversations:
        links.conversation_proposed(
            ConversationProposed(
                gathering_id=EVENT_ID,
                conversation_id=conversation_id,
                title=title,
                question=title,
                host_name=name,
                themes=list(themes),
                host_member_id=member_id,
                occurred_at=held,
            )
        )
    conversation_id, title, _, _, _ = conversations[FROM_CONVERSATION]
    from_conversation = Origin(kind="conversation", id=conversation_id, event_id=EVENT_ID, title=title)

    # The Coaching SIG came from the conversation: approved three weeks after the event.
    sig = SigRepository().get(SIG_ID)
    if sig is None:
        return
    approved_at = held + timedelta(days=21)
    store.write(
        [
            Update(
                {"pk": f"SIG#{SIG_ID}", "sk": "SIG"},
                "SET origins = :o, created_at = :c, decided_at = :d",
                values={
                    ":o": [from_conversation.model_dump()],
                    ":c": (approved_at - timedelta(days=5)).isoformat(),
                    ":d": approved_at.isoformat(),
                },
            )
        ]
    )
    proposer = sig.proposer
    links.sig_approved(
        SigApproved(
            sig_id=SIG_ID,
            name=sig.name,
            purpose=sig.purpose,
            proposer_email=proposer.email,
            proposer_name=proposer.name,
            convener_emails=sig.convener_emails,
            decided_by=runtime.staff_emails.split(",")[0].strip() or "community.team@q.example.org",
            note="",
            origins=[from_conversation],
            proposer_id=proposer.member_id,
            occurred_at=approved_at,
        )
    )

    # Its convener bid was funded in the open round (the pot shows the award).
    funding = FundingRepository()
    rnd = funding.get_round(DEMO_ROUND_ID)
    if rnd is None:
        return
    from_sig = Origin(kind="sig", id=SIG_ID, title=sig.name)
    submitted, decided = now - timedelta(days=12), now - timedelta(days=3)
    summary = (
        "Two paid days a month for the Coaching SIG's convener: hosting peer coaching conversations, "
        "welcoming new members and connecting the group with teams learning to respond to failure openly."
    )
    bid = FundedBid(
        bid_id=BID_ID,
        round_id=rnd.round_id,
        round_name=rnd.name,
        applicant=Applicant(proposer.member_id, proposer.email, proposer.name),
        title="A paid convener for the Coaching SIG",
        summary=summary,
        amount_pence=1_500_00,
        budget_lines=(BudgetLine("Convener days (12 at £125)", 1_500_00),),
        co_applicant_emails=(),
        consent_to_be_named=True,
        submitted_at=submitted.isoformat(),
        approvals_needed=2,
        status=BidStatus.APPROVED,
        sig=SupportedSig(SIG_ID, sig.name),
        reviews=tuple(
            Review(r, submitted.isoformat(), Decision.APPROVE, "", (decided - timedelta(hours=i)).isoformat())
            for i, r in enumerate(DEMO_REVIEWERS[:2])
        ),
        decided_at=decided.isoformat(),
        decision_reason="2 approvals of the 2 needed.",
        origins=(from_sig,),
    )
    entry = HistoryEntry(decided.isoformat(), "", "decided", "in_review", "approved", "Demo content.")
    store.write(
        [
            Put(_bid_item(bid)),
            Put({"pk": f"BID#{BID_ID}", "sk": f"HISTORY#{entry.at}#00", **vars(entry)}),
            _mention(proposer.email, f"BID#{BID_ID}"),
            funding.award_op(rnd, bid.amount_pence),
        ]
    )
    links.bid_approved(
        BidApproved(
            bid_id=BID_ID,
            round_id=rnd.round_id,
            round_name=rnd.name,
            title=bid.title,
            summary=summary,
            amount_pence=bid.amount_pence,
            applicant_id=proposer.member_id,
            applicant_email=proposer.email,
            applicant_name=proposer.name,
            sig_id=SIG_ID,
            sig_name=sig.name,
            consent_to_be_named=True,
            origins=[from_sig],
            occurred_at=decided,
        )
    )

    # The team wrote it up for the next Q-municate, naming the bid it came from.
    from_bid = Origin(kind="bid", id=BID_ID, title=bid.title)
    added = now - timedelta(days=2)
    item = replace(
        staff_item(
            ITEM_ID,
            section="funding",
            title="The Coaching SIG has a paid convener",
            body=(
                f"It began with an Open Space conversation in Bristol on responding to failure. {proposer.name} "
                "started the **Coaching SIG**, and Supporting Q Connections now funds two convener days a month. "
                "Join the group to take part in its peer coaching conversations."
            ),
            link=None,
            now=added,
        ),
        origins=(from_bid,),
    )
    NewsletterRepository().add_item(item)
    links.item_added(
        NewsletterItemAdded(
            item_id=ITEM_ID, title=item.title, section=item.section, origins=[from_bid], occurred_at=added
        )
    )
