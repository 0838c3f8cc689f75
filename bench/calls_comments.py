"""The scenarios of members' comments (issue 11 §4) for ``bench/calls.py``: every route of the
``comments`` function, and every event ``comments-notifications`` and ``team-attention`` take
from it (a first comment held and decided by the emailed link and by the team's page, reports,
hiding, keeping, and a commenter's erasure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.calls import Bench


def comments(b: Bench, event_id: str) -> None:
    from bench.calls import _address, token_of

    target = f"taken-forward:{event_id}"
    as_staff = b.auth(_address("comments-staff"), staff=True)
    priya, jo, sam, reader = (b.auth(_address(n), name=n.title()) for n in ("priya", "jo", "sam", "reader"))

    def post(operation: str, headers: dict[str, str], text: str) -> str:
        body = {"target": target, "text": text}
        return str(b.call(operation, "POST", "/api/comments", 201, json=body, headers=headers).json()["comment_id"])

    b.call("comments policy page", "GET", "/comments/policy", 200)
    first = post("comment: a member's first (held)", priya, "What I took back to my team.")
    b.again("comments-notifications", "CommentHeld")
    link = b.mail_link(b.staff_email, "/comments/moderate?token=")
    b.call("moderation link page (staff)", "GET", link, 200)
    decide = {"token": token_of(link), "decision": "approve"}
    b.call("moderation link: approve (staff)", "POST", "/comments/moderate", 200, data=decide)
    later = post("comment: an approved member's (shown)", priya, "A second thought.")
    other = post("comment: another (shown)", priya, "A third thought.")

    sent = b.call("comment form (held)", "POST", "/comments", 303, data={"target": target, "text": "Hi"}, headers=jo)
    held = sent.headers["Location"].rsplit("/", 1)[1]
    b.call("a comment's page (its author)", "GET", f"/comments/{held}", 200, headers=jo)
    reject = {"decision": "reject"}
    b.call("team page: reject (staff)", "POST", f"/comments/{held}/decision", 303, data=reject, headers=as_staff)
    third = post("comment: a first (held)", sam, "Thank you for hosting.")
    approve = {"decision": "approve"}
    b.call("decide (staff)", "POST", f"/api/comments/{third}/decision", 200, json=approve, headers=as_staff)

    b.call("thread (API)", "GET", f"/api/comments?target={target}", 200)
    b.call("one comment (API)", "GET", f"/api/comments/{first}", 200)
    b.call("report page", "GET", f"/comments/{first}/report", 200, headers=reader)
    reason = {"reason": "Off topic."}
    b.call("report page: report", "POST", f"/comments/{first}/report", 303, data=reason, headers=reader)
    for comment_id in (third, later, other):
        b.call("report (API)", "POST", f"/api/comments/{comment_id}/reports", 201, json={}, headers=reader)
    b.call("moderation queues (staff, API)", "GET", "/api/comments/moderation", 200, headers=as_staff)
    b.call("moderation page (staff)", "GET", "/comments/staff", 200, headers=as_staff)
    b.call("keep it (staff, API)", "POST", f"/api/comments/{first}/keeping", 200, headers=as_staff)
    hide = {"reason": "Breaks the comments policy."}
    b.call("hide (staff, API)", "POST", f"/api/comments/{third}/hiding", 200, json=hide, headers=as_staff)
    b.call("team page: hide (staff)", "POST", f"/comments/{later}/hide", 303, data=hide, headers=as_staff)
    b.call("team page: keep (staff)", "POST", f"/comments/{other}/keep", 303, headers=as_staff)

    leaving = b.auth(_address("leaving"), name="Leaving")
    post("comment: a first (held), then erased", leaving, "Soon gone.")
    confirm = {"confirm": "erase my account"}
    b.call("erase a commenter's account", "POST", "/api/account/erasure", 200, json=confirm, headers=leaving)
