"""The scenarios of follow-ups after an event (issue 11 §2) for ``bench/calls.py``: every route of
the ``followups`` function, the ``followups-worker`` consumer's events (an event published and
moved, a follow-up started and redelivered) and its ``followups-due`` schedule, and the
``TakeawayPublished`` a published answer causes (the chain, the newsletter items)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.calls import Bench


def followups(b: Bench) -> None:
    from bench.calls import _address, form, token_of, visit_body
    from functions.places.repository import ts

    as_staff = b.auth(_address("followups-team"), staff=True)
    people = [_address(n) for n in ("fay", "gus")]
    bearer = [b.auth(p, name=p.split(".")[1].capitalize()) for p in people]
    start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=10)
    body = visit_body(places=10, format="online")
    body.pop("host_organisation", None)
    body |= {
        "kind": "workshop",
        "title": "Q workshop: Liberating Structures",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "signup_closes_at": (start - timedelta(days=1)).isoformat(),
    }
    event = b.call("publish an event (staff)", "POST", "/api/events", 201, json=body, headers=as_staff).json()[
        "event_id"
    ]
    for headers in bearer:
        b.call("sign up", "POST", f"/api/events/{event}/signups", 201, json={}, headers=headers)
    moved = {"ends_at": (start + timedelta(hours=4)).isoformat()}
    b.call("move the event's end (staff)", "PATCH", f"/api/events/{event}/details", 200, json=moved, headers=as_staff)

    api, page = f"/api/followups/events/{event}", f"/followups/events/{event}"
    b.call("an event's follow-ups (staff)", "GET", api, 200, headers=as_staff)
    b.call("change the days (staff)", "PUT", f"{api}/days", 200, json={"days": [14, 90]}, headers=as_staff)
    b.call("follow-ups page (staff)", "GET", page, 200, headers=as_staff)
    b.call("follow-ups page: days (staff)", "POST", f"{page}/days", 303, data={"days": "14, 90"}, headers=as_staff)

    # The 14 days go by: the schedule starts the follow-up, the worker emails both attendees.
    past = ts(datetime.now(UTC) - timedelta(minutes=1))
    b.runtime.client("dynamodb").update_item(
        TableName=b.runtime.resources.tables["main"],
        Key={"pk": {"S": f"FOLLOWUP#{event}"}, "sk": {"S": "DAY#014"}},
        UpdateExpression="SET due_at = :due, gsi3sk = :sk",
        ExpressionAttributeValues={":due": {"S": past}, ":sk": {"S": f"{past}#{event}#014"}},
    )
    b.schedule("start due follow-ups", "followups-due")
    b.again("followups-worker", "FollowupStarted")

    answer = {"text": "A learning-from-failure huddle on our ward.", "consent": "named"}
    link = b.mail_link(people[0], "/followups/answer?token=")
    b.call("follow-up link page", "GET", link, 200)
    b.call("follow-up link: answer", "POST", "/followups/answer", 200, data={"token": token_of(link), **answer})
    mine = f"/api/followups/events/{event}/days/14/answer"
    b.call("change my answer", "PUT", mine, 200, json=answer | {"consent": "anonymous"}, headers=bearer[0])
    b.call("my follow-ups", "GET", "/api/followups/mine", 200, headers=bearer[0])
    b.call("my follow-ups page", "GET", "/followups/mine", 200, headers=bearer[0])
    own = f"/followups/events/{event}/days/14/answer"
    b.call("my answer page", "GET", own, 200, headers=bearer[1])
    b.call("my answer page: answer", "POST", own, 303, data=form(answer), headers=bearer[1])

    answers = b.call("an event's follow-ups (staff)", "GET", api, 200, headers=as_staff).json()["answers"]
    first, second = (a["answer_id"] for a in answers)
    b.call("publish a takeaway (staff)", "POST", f"{api}/answers/{first}/publication", 201, headers=as_staff)
    b.call("follow-ups page: publish (staff)", "POST", f"{page}/answers/{second}/publish", 303, headers=as_staff)
    b.call("an event's takeaways", "GET", f"{api}/takeaways", 200)
    b.call("event page with takeaways", "GET", f"/events/{event}", 200)
