"""Demo content for members' comments (issue 11 §4), on October's Bristol event
(``infra/local/demo_taken_forward.py``): Amara Okafor's comment on its proceedings, approved by
the team before (so it is shown at once), and Priya Shah's first comment on its "taken forward" page, held for the team.

Written through the comments service, so the events go through the outbox as in use: once
``convene dev`` starts, the team's email about the held comment (with its Approve / Reject link)
is in the mail viewer (http://127.0.0.1:3000/_local/mail) and the team home counts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runtime import LocalRuntime

#: The Bristol event and its story come from the other demo modules: seeded after them.
LATE = True
APPROVED = (
    "amara.okafor@example.org",
    "Amara Okafor",
    "proceedings",
    "Thank you to everyone who hosted. The conversation on relating across difference changed how "
    "I open team meetings: we now start by asking what each person needs to take part.",
)
HELD = (
    "priya.shah@example.org",
    "Priya Shah",
    "taken-forward",
    "Since Bristol our team has started a monthly kindness check-in, and two of us joined the "
    "Coaching SIG. Lovely to see where the conversations went.",
)


def seed(runtime: LocalRuntime) -> None:
    from functions.comments.service import CommentService
    from functions.common.identity import User
    from functions.common.ids import utcnow
    from functions.common.store import Put
    from functions.members.repository import MemberRepository

    from . import demo_taken_forward

    service = CommentService()
    event_id = demo_taken_forward.EVENT_ID
    if service.repo.thread(f"proceedings:{event_id}"):
        return
    members = MemberRepository()
    for index, (email, name, kind, text) in enumerate((APPROVED, HELD)):
        member = members.get_or_create(email, name)[0]
        if index == 0:  # Amara commented before and the team approved her: shown at once
            approved = {"pk": f"COMMENTER#{member.member_id}", "sk": "COMMENTER", "approved_at": utcnow().isoformat()}
            service.store.write([Put(approved)])
        user = User(member.member_id, email, member.name or name, False, "", False)
        service.post(f"{kind}:{event_id}", text, user)
