"""The rules of comments, in plain Python (no AWS): what can be commented on, who sees what, and
the one-way life of a comment (held -> published or rejected, published -> hidden)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import ValidationError

from functions.comments import domain
from functions.comments.domain import AlreadyDecided, Comment, Status, Target
from functions.common.errors import Conflict, Forbidden, NotFound
from schemas.api.comments import NewComment, NewReport

HELD = Comment(
    comment_id="comment_1",
    target="taken-forward:event_demobristolheld",
    target_title="How ideas from Bristol are being taken forward",
    author_id="mem_priya",
    author_name="Priya Shah",
    text="Since Bristol we run a kindness check-in.",
    status=Status.HELD,
    created_at="2026-11-01T10:00:00+00:00",
)


def test_targets_name_their_page_and_title() -> None:
    assert Target.parse("proceedings:event_1").url == "/open-space/event_1/proceedings"
    assert Target.parse("taken-forward:event_1").url == "/chain/events/event_1"
    assert Target.parse("newsletter:nl_1").url == "/newsletter/issues/nl_1"
    assert Target.parse("proceedings:event_1").title_of("Bristol") == "Proceedings: Bristol"
    assert Target.parse("taken-forward:event_1").title_of("Bristol") == "How ideas from Bristol are being taken forward"
    for bad in ("sig:sig_1", "proceedings:", "nonsense"):
        with pytest.raises(NotFound):
            Target.parse(bad)


def test_a_first_comment_is_held_and_an_approved_members_is_shown() -> None:
    assert domain.first_status(approved_member=False) == Status.HELD
    assert domain.first_status(approved_member=True) == Status.PUBLISHED


def test_who_sees_a_comment() -> None:
    assert not domain.visible_to(HELD, None, False)
    assert not domain.visible_to(HELD, "mem_other", False)
    assert domain.visible_to(HELD, "mem_priya", False)
    assert domain.visible_to(HELD, None, True)
    assert domain.visible_to(replace(HELD, status=Status.PUBLISHED), None, False)
    assert not domain.visible_to(replace(HELD, status=Status.HIDDEN), None, False)


def test_a_held_comment_is_decided_once() -> None:
    approved = domain.decide(HELD, approve=True, by="team@q.example.org", at="2026-11-02T09:00:00+00:00")
    assert approved.status == Status.PUBLISHED and approved.decided_by == "team@q.example.org"
    assert domain.decide(HELD, approve=False, by="t", at="x").status == Status.REJECTED
    with pytest.raises(AlreadyDecided) as already:
        domain.decide(approved, approve=False, by="t", at="x")
    assert already.value.comment.status == Status.PUBLISHED and already.value.status == 409


def test_reporting_and_hiding() -> None:
    shown = replace(HELD, status=Status.PUBLISHED)
    domain.ensure_reportable(shown, "mem_other")
    with pytest.raises(Conflict):
        domain.ensure_reportable(shown, "mem_priya")  # your own
    with pytest.raises(NotFound):
        domain.ensure_reportable(HELD, "mem_other")
    with pytest.raises(Forbidden):
        domain.hide(shown, reason="Unkind.", by="m", at="x", is_staff=False)
    hidden = domain.hide(shown, reason="Unkind.", by="t", at="x", is_staff=True)
    assert hidden.status == Status.HIDDEN and hidden.hidden_reason == "Unkind." and not hidden.shown
    for not_shown in (hidden, HELD):
        with pytest.raises(Conflict):
            domain.hide(not_shown, reason="Again.", by="t", at="x", is_staff=True)


def test_bodies_clean_and_bound_text() -> None:
    body = NewComment(target="proceedings:event_1", text="  Thank you.\r\n\r\nSee you in Leeds.\x00 ")
    assert body.text == "Thank you.\n\nSee you in Leeds."
    for bad in (
        {"target": "proceedings:event_1", "text": " \n "},
        {"target": "proceedings:event_1", "text": "x" * 2001},
        {"target": "event:event_1", "text": "Hi"},
        {"target": "proceedings:event_1", "text": "Hi", "name": "Me"},
    ):
        with pytest.raises(ValidationError):
            NewComment.model_validate(bad)
    assert NewReport().reason == "" and NewReport(reason=" Spam ").reason == "Spam"


def test_the_policy_is_a_setting_with_a_default(monkeypatch) -> None:
    from functions.comments.policy import policy_paragraphs

    monkeypatch.delenv("COMMENTS_POLICY", raising=False)
    default = policy_paragraphs()
    assert any("first comment" in p for p in default) and all("{community}" not in p for p in default)
    monkeypatch.setenv("COMMENTS_POLICY", "Be kind in the {community}.\n\nThat is all.")
    assert policy_paragraphs()[1] == "That is all." and policy_paragraphs()[0].startswith("Be kind in the ")
