"""The chain's read model (issue 11): the ``chain-links`` consumer's work is the same however
often an event is handled; a step reaches the conversations its origins came from; the story
groups conversations by theme; an erased member's name leaves every page of the chain."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from functions.chain import domain, links
from functions.chain.domain import ConversationSummary, Follow, Root
from functions.chain.repository import ChainRepository, event_pk
from functions.common.store import Store
from schemas.events.funding import BidApproved
from schemas.events.openspace import ConversationProposed
from schemas.events.origins import Origin
from schemas.events.sigs import SigApproved


def _items(store: Store, *pks: str) -> list[dict[str, Any]]:
    return sorted((i for pk in pks for i in store.query(pk)), key=lambda i: (i["pk"], i["sk"]))


def _chain(event_id: str) -> tuple[ConversationProposed, SigApproved, BidApproved]:
    conversation = ConversationProposed(
        gathering_id=event_id,
        conversation_id=f"conv_{uuid.uuid4().hex[:8]}",
        title="Cultivating kindness",
        question="How do we cultivate kindness?",
        host_name="Priya Shah",
        themes=["kindness"],
        host_member_id="mem_priya",
    )
    origin = Origin(
        kind="conversation", id=conversation.conversation_id, event_id=event_id, title="Cultivating kindness"
    )
    sig_id = f"sig_{uuid.uuid4().hex[:8]}"
    sig = SigApproved(
        sig_id=sig_id,
        name="Kindness SIG",
        purpose="Kindness in teams.",
        proposer_email="priya@example.org",
        proposer_name="Priya Shah",
        convener_emails=["priya@example.org"],
        decided_by="team@example.org",
        note="",
        origins=[origin],
        proposer_id="mem_priya",
    )
    bid = BidApproved(
        bid_id=f"bid_{uuid.uuid4().hex[:8]}",
        round_id="rnd_1",
        round_name="Supporting Q Connections",
        title="A convener for the Kindness SIG",
        summary="Two days a month.",
        amount_pence=150000,
        applicant_id="mem_tom",
        applicant_email="tom@example.org",
        applicant_name="Tom Hughes",
        sig_id=sig_id,
        sig_name="Kindness SIG",
        consent_to_be_named=False,
        origins=[Origin(kind="sig", id=sig_id, title="Kindness SIG")],
    )
    return conversation, sig, bid


def at_start() -> str:
    return datetime(2026, 1, 1, tzinfo=UTC).isoformat()


def test_handling_an_event_again_writes_the_same_items(runtime) -> None:
    store = Store()
    event_id = f"event_{uuid.uuid4().hex[:8]}"
    conversation, sig, bid = _chain(event_id)
    for event in (conversation, sig, bid):
        links.HANDLERS[type(event)](event)
    pks = (event_pk(event_id), f"CHAIN#sig:{sig.sig_id}", f"CHAIN#bid:{bid.bid_id}", "CHAINNAMED#mem_priya")
    before = _items(store, *pks)
    for event in (bid, sig, conversation, sig, bid):  # again, and out of order
        links.HANDLERS[type(event)](event)
    assert _items(store, *pks) == before

    conversations, follows, _ = ChainRepository(store).event_chain(event_id)
    assert [c.title for c in conversations] == ["Cultivating kindness"]
    followed = follows[conversation.conversation_id]
    assert [(f.kind, f.via) for f in sorted(followed, key=lambda f: f.at)] == [("sig", ""), ("bid", "Kindness SIG")]
    # Not named without consent: the bid is shown, its applicant is not.
    assert next(f for f in followed if f.kind == "bid").people == ()


def test_an_erased_member_leaves_the_chain_as_a_former_member(runtime) -> None:
    from functions.chain import privacy
    from functions.members.model import Member

    store = Store()
    event_id = f"event_{uuid.uuid4().hex[:8]}"
    conversation, sig, _ = _chain(event_id)
    links.conversation_proposed(conversation)
    links.sig_approved(sig)
    member = Member(member_id="mem_priya", email="priya@example.org", name="Priya Shah", created_at=at_start())
    assert privacy.export(member, store)["named_in_taken_forward_pages"]
    privacy.erase(member, store)
    text = str(_items(store, event_pk(event_id), "CHAINALL", f"CHAIN#{conversation.conversation_id}"))
    story = ChainRepository(store).event_chain(event_id)
    assert story[0][0].hosts == ("Former member",)
    assert story[1][conversation.conversation_id][0].people == ("Former member",)
    assert "Priya" not in str(story) and "Priya" not in text.replace("Kindness", "")
    assert privacy.export(member, store)["named_in_taken_forward_pages"] == []


def test_roots_reach_the_conversations_an_origin_came_from() -> None:
    conversation = Origin(kind="conversation", id="conv_1", event_id="event_1", title="Kindness")
    sig = Origin(kind="sig", id="sig_1", title="Kindness SIG")
    event = Origin(kind="event", id="event_2", title="Leeds")
    found = domain.roots([conversation, sig, event], {"sig:sig_1": ["event_1:conv_1", "event_3:conv_9"]})
    assert found == {
        Root("event_1", "conv_1"): "",
        Root("event_3", "conv_9"): "Kindness SIG",
        Root("event_2", domain.WHOLE_EVENT): "",
    }
    assert domain.roots([sig], {}) == {}  # a SIG not in the chain leads nowhere


def test_the_story_groups_conversations_by_theme_and_the_write_up_tells_it() -> None:
    at = datetime(2026, 11, 3, tzinfo=UTC).isoformat()
    conversations = [
        ConversationSummary("conv_1", "Cultivating kindness", ("kindness", "teams"), ("Priya Shah",)),
        ConversationSummary("conv_2", "Responding to failure", (), ("Tom Hughes",)),
        ConversationSummary("conv_3", "Relating across *difference*", ("teams",), ("Amara Okafor",)),
    ]
    follows = {
        "conv_1": [Follow("sig", "sig:sig_1", "Kindness SIG", at, "Special Interest Group started", "/sigs/sig_1")],
        domain.WHOLE_EVENT: [Follow("newsletter", "newsletter:n1", "Bristol write-up", at, "In Q-municate")],
    }
    story = domain.taken_forward("event_1", "Q community event: Bristol", conversations, follows)
    assert [t for t, _ in story.themes] == ["kindness", "teams", domain.OTHER_THEMES]
    assert [c.conversation.title for c in dict(story.themes)["teams"]] == [
        "Cultivating kindness",
        "Relating across *difference*",
    ]
    assert story.followed_count == 2  # a conversation under two themes counts once
    text = domain.write_up(story)
    assert "Cultivating kindness" in text and "Kindness SIG" in text and "3 November 2026" in text
    assert "Relating across" not in text  # nothing taken forward from it yet
    assert "From the event as a whole" in text
    empty = domain.write_up(domain.taken_forward("event_1", "Leeds", conversations, {}))
    assert "Nothing has been taken forward" in empty
    assert "\\*" in domain.write_up(
        domain.taken_forward("event_1", "Leeds", conversations[2:], {"conv_3": follows["conv_1"]})
    )


def test_an_issue_with_an_item_naming_its_origins_survives_its_json_round_trip() -> None:
    from dataclasses import replace

    from functions.newsletter import domain as newsletter

    origin = Origin(kind="bid", id="bid_1", title="A convener for the Coaching SIG")
    item = replace(
        newsletter.staff_item("nli_1", section="funding", title="Funded", body="Yes", link=None, now=datetime.now(UTC)),
        origins=(origin,),
    )
    content = newsletter.assemble("nl_1", "Q-municate", [item], datetime.now(UTC)).content
    assert content is not None
    assert newsletter.IssueContent.from_json(content.to_json()) == content
