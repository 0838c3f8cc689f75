"""The follow-ups' rules in plain Python (no AWS): planning days, who is asked, editing until
used, publishing with consent, and what a takeaway names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.common.errors import Conflict, NotFound
from functions.followups import domain
from functions.followups.domain import Answer, FollowupDay, Plan
from functions.places.domain import Signup, SignupStatus

END = datetime(2026, 10, 14, 17, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def answer(**changes: object) -> Answer:
    values: dict[str, object] = {
        "event_id": "event_bristol",
        "day": 14,
        "member_id": "mem_1",
        "event_title": "Q community event: Bristol",
        "text": "A learning-from-failure huddle on our ward.",
        "consent": "named",
        "name": "Amara",
        "answered_at": NOW,
        "updated_at": NOW,
        **changes,
    }
    return Answer(**values)  # type: ignore[arg-type]


def test_a_new_plan_has_every_day_due_after_the_end() -> None:
    change = domain.replan(None, END, [90, 14])
    assert [(d.day, d.due_at) for d in change.put] == [(14, END + timedelta(days=14)), (90, END + timedelta(days=90))]
    assert change.drop == ()


def test_changing_days_keeps_a_started_follow_up_and_moves_the_others() -> None:
    plan = Plan(
        "event_bristol",
        "Bristol",
        END,
        (FollowupDay(14, END + timedelta(days=14), started_at=NOW), FollowupDay(90, END + timedelta(days=90))),
    )
    change = domain.replan(plan, END, [14, 30])
    assert [d.day for d in change.put] == [30] and change.drop == (90,)
    moved = domain.replan(plan, END + timedelta(days=1), [14, 90])
    assert [(d.day, d.due_at) for d in moved.put] == [(90, END + timedelta(days=91))]  # 14 was sent already


def test_only_people_who_were_not_marked_absent_are_asked() -> None:
    def signup(member_id: str, attended: bool | None) -> Signup:
        return Signup(
            "event_b",
            member_id,
            f"s_{member_id}",
            "N",
            f"{member_id}@x.org",
            SignupStatus.CONFIRMED,
            NOW,
            attended=attended,
        )

    asked = domain.recipients([signup("a", True), signup("b", None), signup("c", False)])
    assert [s.member_id for s in asked] == ["a", "b"]


def test_an_answer_can_change_until_it_is_used() -> None:
    domain.ensure_editable(None)
    domain.ensure_editable(answer())
    with pytest.raises(domain.AnswerLocked):
        domain.ensure_editable(answer(used_at=NOW))


def test_only_answers_with_consent_are_published_once() -> None:
    assert domain.ensure_publishable(answer()).publishable
    with pytest.raises(Conflict):
        domain.ensure_publishable(answer(consent="private"))
    with pytest.raises(Conflict):
        domain.ensure_publishable(answer(used_at=NOW))
    with pytest.raises(NotFound):
        domain.ensure_publishable(None)


def test_a_takeaway_names_the_member_only_with_consent_and_comes_from_the_event_and_conversation() -> None:
    named = domain.takeaway_of(
        answer(conversation_id="conv_1", conversation_title="Responding to failure"), "tk_1", NOW
    )
    assert (named.name, named.named_member_id) == ("Amara", "mem_1")
    anonymous = domain.takeaway_of(answer(consent="anonymous"), "tk_2", NOW)
    assert (anonymous.name, anonymous.named_member_id) == (None, None)
    origins = domain.origins_of(answer(conversation_id="conv_1", conversation_title="Responding to failure"))
    assert [o.ref for o in origins] == ["event:event_bristol", "conversation:event_bristol:conv_1"]
    assert [o.ref for o in domain.origins_of(answer())] == ["event:event_bristol"]


def test_answer_ids_round_trip_and_bad_ones_are_not_found() -> None:
    assert domain.parse_answer_id(domain.answer_id(90, "mem_1")) == (90, "mem_1")
    for bad in ("x-mem", "14", "-mem_1"):
        with pytest.raises(NotFound):
            domain.parse_answer_id(bad)
