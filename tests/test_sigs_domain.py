"""The SIG rules, in plain Python: no AWS, no HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from functions.common.errors import Conflict, Forbidden
from functions.sigs import domain
from functions.sigs.domain import AlreadyDecided, Proposer, SigStatus
from schemas.api.sigs import ProposeSig
from schemas.events.sigs import SigApproved, SigRejected

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
AMARA = Proposer("mem_1", "Amara.Okafor@example.org", "Amara Okafor")


def proposal(**overrides: object) -> ProposeSig:
    data: dict[str, object] = {"name": "Coaching SIG", "purpose": "A peer space for coaching approaches."}
    data.update(overrides)
    return ProposeSig.model_validate(data)


def test_proposing_makes_the_proposer_a_convener_and_announces_it() -> None:
    sig, event = domain.propose(
        "sig_1", proposal(co_convener_emails=["Tom@Example.org", "amara.okafor@example.org"]), AMARA, NOW
    )
    assert sig.status == SigStatus.PROPOSED
    # A named co-convener is invited, not a convener, until they confirm by link.
    assert sig.convener_emails == ["amara.okafor@example.org"]
    assert list(sig.invited) == ["tom@example.org"] and not sig.is_convener("tom@example.org")
    assert event.co_convener_emails == ["tom@example.org"]
    assert event.sig_id == "sig_1" and event.proposer_name == "Amara Okafor"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Coaching SIG", "coaching sig"),
        ("Coaching  SIG", " Coaching SIG "),
        ("Café SIG", "Cafe\u0301 SIG"),
        ("ＣＯＡＣＨＩＮＧ SIG", "coaching sig"),
        # Look-alikes (UTS #39 skeleton): Cyrillic а/о/і/с, Greek Ο, invisible characters.
        ("Coaching SIG", "C\u043eaching SIG"),
        ("Coaching SIG", "\u0421oaching SIG"),
        ("Kindness SIG", "K\u0456ndness SIG"),
        ("Coaching SIG", "C\u039fACHING SIG"),
        ("Coaching SIG", "Coach\u200bing\u00ad SIG\u2060"),
        ("Coaching SIG", "Coaching\u00a0\u2003SIG"),
        ("Coaching SIG", "Coaching\ufe0f SIG\u202e"),
        ("Community SIG", "Cornrnunity SIG"),
        ("Coaching SIG 1", "Coaching SIG l"),
    ],
)
def test_names_differing_only_in_case_spacing_or_unicode_form_are_the_same(a: str, b: str) -> None:
    assert domain.name_key(a) == domain.name_key(b)


def test_text_is_cleaned_of_control_characters_and_line_breaks_in_names() -> None:
    cleaned = proposal(name="Third\r\nSector\x00 SIG", purpose="Line one\r\nLine two\x07", themes=["a\nb", "A B"])
    assert cleaned.name == "Third Sector SIG"
    assert cleaned.purpose == "Line one\nLine two"
    assert cleaned.themes == ["a b"]


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "ab"},
        {"purpose": "too short"},
        {"name": "x" * 81},
        {"themes": ["t"] * 11},
        {"co_convener_emails": ["not-an-email"]},
        {"unexpected": True},
        {"name": "\x00\x00\x00\x00"},
    ],
)
def test_bad_proposals_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        proposal(**bad)


def test_a_proposal_is_decided_once() -> None:
    sig, _ = domain.propose("sig_1", proposal(), AMARA, NOW)
    approved, event = domain.decide(sig, approve=True, by="team@q.example.org", note="Welcome", now=NOW)
    assert approved.status == SigStatus.APPROVED and isinstance(event, SigApproved)
    assert event.convener_emails == ["amara.okafor@example.org"]
    with pytest.raises(AlreadyDecided) as again:
        domain.decide(approved, approve=False, by="other@q.example.org", note="", now=NOW)
    assert "team@q.example.org" in again.value.message


def test_rejection_carries_the_note() -> None:
    sig, _ = domain.propose("sig_1", proposal(), AMARA, NOW)
    rejected, event = domain.decide(sig, approve=False, by="team@q.example.org", note="Join the Coaching SIG", now=NOW)
    assert rejected.status == SigStatus.REJECTED and isinstance(event, SigRejected)
    assert event.note == "Join the Coaching SIG"


def test_who_may_see_what() -> None:
    sig, _ = domain.propose("sig_1", proposal(), AMARA, NOW)
    assert not sig.visible_to(None, False) and not sig.visible_to("someone@example.org", False)
    assert sig.visible_to("AMARA.okafor@example.org", False) and sig.visible_to("x@example.org", True)
    with pytest.raises(Conflict):
        domain.ensure_joinable(sig)
    approved, _ = domain.decide(sig, approve=True, by="t@q.example.org", note="", now=NOW)
    assert approved.visible_to(None, False)
    domain.ensure_joinable(approved)
    domain.ensure_can_list_members(approved, "amara.okafor@example.org", False)
    domain.ensure_can_list_members(approved, "anyone@example.org", True)
    with pytest.raises(Forbidden):
        domain.ensure_can_list_members(approved, "anyone@example.org", False)


@pytest.mark.parametrize(("a", "b"), [("Coaching SIG", "Coaching SIGs"), ("Kindness", "Kindless"), ("Café", "Cafe")])
def test_names_that_read_differently_stay_different(a: str, b: str) -> None:
    assert domain.name_key(a) != domain.name_key(b)


def test_the_confusables_data_is_unicodes_uts39_file() -> None:
    from functions.common import names

    header = names._confusables_file().read_text(encoding="utf-8-sig")[:600]
    assert "Unicode Security Mechanisms for UTS #39" in header and "Version: 18.0.0" in header
    assert len(names.prototypes()) > 6000
    assert names.skeleton("\u0430") == "a" and names.skeleton("\u2010") == "-"
