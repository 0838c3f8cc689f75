"""Demo content for follow-ups after an event (issue 11 §2), at October's Bristol event
(``demo_taken_forward``): its follow-ups 14 and 90 days after; the 14-day one went out, Amara
Okafor answered with consent to be named and the community team published her answer as a
takeaway (so it shows on the event's page, its "taken forward" page and among the items for the
next Q-municate); Gareth Evans's follow-up email is in the mail viewer, waiting for his answer.

The takeaway is published through the same use case as the team's button, so its event reaches
the chain and the newsletter items through the outbox once the runtime's delivery starts.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runtime import LocalRuntime

#: Seeded after every other module: the Bristol event is ``demo_taken_forward``'s.
LATE = True

ANSWER = (
    "Since Bristol our ward team starts each week with a ten-minute huddle on what did not go to plan, "
    "with a coach from the Coaching SIG joining once a month. People now bring mistakes early, and we have "
    "changed two handover steps because of what we heard."
)


def seed(runtime: LocalRuntime) -> None:
    from functions.common import tokens
    from functions.common.identity import User
    from functions.events.attendance import get_event
    from functions.followups import domain, worker
    from functions.followups.repository import FollowupRepository
    from functions.followups.service import PURPOSE, FollowupService
    from functions.members.repository import MemberRepository
    from schemas.api.followups import AnswerBody

    from .demo import DEMO_MEMBERS
    from .demo_taken_forward import EVENT_ID

    repo = FollowupRepository()
    event = get_event(EVENT_ID)
    if event is None or repo.plan(EVENT_ID) is not None:
        return
    fourteen = event.ends_at + timedelta(days=14)
    repo.save_plan(
        EVENT_ID,
        event.title,
        event.ends_at,
        domain.replan(None, event.ends_at, (14, 90)),
        by="default",
        now=event.ends_at,
        new=True,
    )
    repo.start(EVENT_ID, 14, fourteen, [])  # sent already: the hourly schedule leaves it alone
    members = MemberRepository()
    amara = members.get_or_create(*DEMO_MEMBERS[0])[0]
    gareth = members.get_or_create(*DEMO_MEMBERS[3])[0]
    for member in (amara, gareth):
        repo.record_sent(EVENT_ID, 14, member.member_id, fourteen)

    service = FollowupService()
    as_amara = User(amara.member_id, amara.email, amara.name, False, "", False)
    answer = service.answer_as_member(EVENT_ID, 14, AnswerBody(text=ANSWER, consent="named"), as_amara)
    staff_email = runtime.staff_emails.split(",")[0].strip() or "community.team@q.example.org"
    staff = User("", staff_email, "Q community team", True, "", False)
    service.publish(EVENT_ID, answer.answer_id, staff)

    # Gareth's follow-up email, unanswered: open it in the mail viewer and answer from the link.
    token = tokens.issue(PURPOSE, gareth.member_id, event_id=EVENT_ID, day=14)
    worker.email_one(SimpleNamespace(email=gareth.email, name=gareth.name), event, token)
