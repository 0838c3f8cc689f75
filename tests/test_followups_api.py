"""Follow-ups after an event (issue 11 §2), over HTTP on the local runtime: an event's
follow-ups are planned when it is published (14 and 90 days by default, changed by staff); the
hourly schedule starts one when it falls due (once); each attendee gets one email, however often
the event is delivered; the emailed link's GET changes nothing and its POST answers once; the
member changes the answer from their own page until staff publish it as a takeaway, which then
shows on the event's page, in the event's story and in the next Q-municate's items."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.events.followups import FollowupStarted
from tests.conftest import STAFF, Api
from tests.test_account import everything_mentioning
from tests.test_openspace_api import propose, publish, signed_up
from tests.test_visits_helpers import token_of
from tests.trust_routes import table_fingerprint

SUBJECT = "What did you take away from"


def make_due(runtime: Any, event_id: str, day: int) -> None:
    """Move a follow-up's due time into the past (a test cannot wait 14 days)."""
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="seconds")
    runtime.client("dynamodb").update_item(
        TableName=runtime.resources.tables["main"],
        Key={"pk": {"S": f"FOLLOWUP#{event_id}"}, "sk": {"S": f"DAY#{day:03d}"}},
        UpdateExpression="SET due_at = :due, gsi3sk = :sk",
        ExpressionAttributeValues={":due": {"S": past}, ":sk": {"S": f"{past}#{event_id}#{day:03d}"}},
    )


def deliver(api: Api, event: FollowupStarted) -> None:
    """Hand the worker an SQS batch carrying ``event`` (as a redelivery would)."""
    body = {"detail-type": "FollowupStarted", "source": "convene", "detail": json.loads(event.model_dump_json())}
    batch = {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "r",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "2"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:q",
                "awsRegion": "eu-west-2",
            }
        ]
    }
    assert api.runtime.pools["followups-worker"].invoke(batch) == {"batchItemFailures": []}


@pytest.fixture()
def held(api: Api, email: Any) -> dict[str, Any]:
    """A published event with three attendees and a conversation, its 14-day follow-up due."""
    event_id = publish(api, title=f"Q community event: Bristol {uuid.uuid4().hex[:4]}")
    people = [email(n) for n in ("amara", "tom", "priya")]
    headers = {p: signed_up(api, event_id, p) for p in people}
    conversation = propose(api, event_id, headers[people[1]], "Responding to failure honestly")
    api.settle()  # the worker plans the follow-ups from EventPublished
    make_due(api.runtime, event_id, 14)
    return {"event_id": event_id, "people": people, "headers": headers, "conversation": conversation}


def _started(api: Api, held: dict[str, Any]) -> None:
    assert api.runtime.run_schedule("followups-due")["started"] >= 1
    api.settle()


def _link(api: Api, to: str) -> str:
    message = api.one_mail(to, SUBJECT)
    found = [u for u in message["links"] if "/followups/answer?token=" in u]
    assert len(found) == 1, message["links"]
    return api.path(found[0])


def test_default_days_and_staff_change_them(api: Api, held: dict[str, Any]) -> None:
    event_id = held["event_id"]
    staff = api.auth(STAFF, staff=True)
    view = api.get(f"/api/followups/events/{event_id}", headers=staff)
    assert view.status_code == 200, view.text
    assert [d["day"] for d in view.json()["days"]] == [14, 90]
    assert api.get(f"/api/followups/events/{event_id}", headers=held["headers"][held["people"][0]]).status_code == 403
    changed = api.request("PUT", f"/api/followups/events/{event_id}/days", json={"days": [30, 7]}, headers=staff)
    assert changed.status_code == 200, changed.text
    assert [d["day"] for d in changed.json()["days"]] == [7, 30]
    for bad in ({"days": []}, {"days": [0]}, {"days": [14, 14]}, {"days": [1, 2, 3, 4, 5]}, {"days": "14"}, {"x": 1}):
        refused = api.request("PUT", f"/api/followups/events/{event_id}/days", json=bad, headers=staff)
        assert refused.status_code == 422, (bad, refused.text)
    missing = api.request("PUT", "/api/followups/events/event_nothere/days", json={"days": [14]}, headers=staff)
    assert missing.status_code == 404
    # The staff page changes them too (and says what is wrong with a bad entry).
    page = api.get(f"/followups/events/{event_id}", headers=staff)
    assert page.status_code == 200 and "Days after the event" in page.text


def test_one_email_each_across_redeliveries_and_schedule_runs(api: Api, held: dict[str, Any]) -> None:
    event_id, people = held["event_id"], held["people"]
    _started(api, held)
    assert api.runtime.run_schedule("followups-due")["started"] == 0  # started once
    for person in people:
        assert len(api.mail(person, subject=SUBJECT)) == 1
    # A redelivery Powertools does not catch (a new delivery id): the markers send nothing twice.
    deliver(api, FollowupStarted(gathering_id=event_id, day=14, title="x"))
    api.settle()
    for person in people:
        assert len(api.mail(person, subject=SUBJECT)) == 1
    view = api.get(f"/api/followups/events/{event_id}", headers=api.auth(STAFF, staff=True)).json()
    assert next(d for d in view["days"] if d["day"] == 14)["started_at"]
    # A day already sent cannot be dropped.
    refused = api.request(
        "PUT", f"/api/followups/events/{event_id}/days", json={"days": [90]}, headers=api.auth(STAFF, staff=True)
    )
    assert refused.status_code == 400 and "already been sent" in refused.text


def test_answer_by_link_edit_until_used_then_published(api: Api, held: dict[str, Any]) -> None:
    event_id, people, conversation = held["event_id"], held["people"], held["conversation"]
    amara = people[0]
    _started(api, held)
    link = _link(api, amara)
    before = table_fingerprint(api.runtime)
    page = api.get(link)  # what a mail scanner does
    assert page.status_code == 200 and "What did you take away" in page.text
    assert "Responding to failure honestly" in page.text  # the event's conversations to choose from
    assert "Start a SIG from it" in page.text and "Bid for funding for it" in page.text
    assert api.request("HEAD", link).status_code == 200
    assert table_fingerprint(api.runtime) == before

    token = token_of(link)
    empty = api.post("/followups/answer", data={"token": token, "text": "", "consent": ""})
    assert empty.status_code == 422 and "Tell us what you took away" in empty.text
    wrong = api.post(
        "/followups/answer",
        data={"token": token, "text": "Kindness", "consent": "named", "conversation_id": "conv_notthere"},
    )
    assert wrong.status_code == 422 and "Choose one of the event" in wrong.text
    answer = {
        "token": token,
        "text": "We started a weekly learning-from-failure huddle on our ward.",
        "consent": "named",
        "conversation_id": conversation["conversation_id"],
    }
    done = api.post("/followups/answer", data=answer)
    assert done.status_code == 200 and "your answer is saved" in done.text
    origin = f"conversation:{event_id}:{conversation['conversation_id']}"
    assert f"/sigs/new?origin={origin.replace(':', '%3A')}" in done.text
    again = api.post("/followups/answer", data={**answer, "text": "Overwritten?"})
    assert again.status_code == 200 and "Overwritten?" not in again.text  # spent: the outcome, no change
    revisit = api.get(link)
    assert revisit.status_code == 200 and "your answer is saved" in revisit.text

    # Signed in, she changes it from her own page.
    mine = held["headers"][amara]
    listed = api.get("/api/followups/mine", headers=mine).json()
    assert [(a["day"], a["editable"]) for a in listed] == [(14, True)]
    edited = api.request(
        "PUT",
        f"/api/followups/events/{event_id}/days/14/answer",
        json={
            "text": "A weekly huddle: what went wrong, what we learnt.",
            "consent": "named",
            "conversation_id": conversation["conversation_id"],
        },
        headers=mine,
    )
    assert edited.status_code == 200, edited.text
    # Someone not sent this follow-up cannot answer it.
    stranger = api.auth(f"stranger.{uuid.uuid4().hex[:8]}@example.org")
    assert (
        api.request(
            "PUT",
            f"/api/followups/events/{event_id}/days/14/answer",
            json={"text": "x", "consent": "named"},
            headers=stranger,
        ).status_code
        == 404
    )

    # Priya answers privately: the team sees a count, never the text.
    priya_link = _link(api, people[2])
    private = {"token": token_of(priya_link), "text": "Private thoughts on the day.", "consent": "private"}
    assert api.post("/followups/answer", data=private).status_code == 200
    staff = api.auth(STAFF, staff=True)
    view = api.get(f"/api/followups/events/{event_id}", headers=staff).json()
    assert view["private_answers"] == 1 and "Private thoughts" not in json.dumps(view)
    (shown,) = view["answers"]
    assert shown["name"] == "Amara" and shown["consent"] == "named"
    answer_id = shown["answer_id"]
    refused = api.post(f"/api/followups/events/{event_id}/answers/{answer_id}/publication", headers=mine)
    assert refused.status_code == 403

    published = api.post(f"/api/followups/events/{event_id}/answers/{answer_id}/publication", headers=staff)
    assert published.status_code == 201, published.text
    assert published.json()["name"] == "Amara"
    twice = api.post(f"/api/followups/events/{event_id}/answers/{answer_id}/publication", headers=staff)
    assert twice.status_code == 409
    # Locked now.
    locked = api.request(
        "PUT",
        f"/api/followups/events/{event_id}/days/14/answer",
        json={"text": "Later", "consent": "anonymous"},
        headers=mine,
    )
    assert locked.status_code == 409
    api.settle()

    # The event's page, its story and the next Q-municate's items.
    event_page = api.get(f"/events/{event_id}")
    assert "What members took away" in event_page.text and "what went wrong, what we learnt" in event_page.text
    assert "Amara" in event_page.text
    story = api.get(f"/api/chain/events/{event_id}").json()
    follows = [f for t in story["themes"] for c in t["conversations"] for f in c["followed"]]
    takeaway = next(f for f in follows if f["kind"] == "takeaway")
    assert takeaway["people"] == ["Amara"]
    items = api.get("/api/newsletter/items", headers=staff)
    assert items.status_code == 200, items.text
    assert any("took away from" in i["title"] and "Amara" in i["body"] for i in items.json()["items"])


def test_anonymous_takeaway_names_nobody(api: Api, held: dict[str, Any]) -> None:
    event_id, tom = held["event_id"], held["people"][1]
    _started(api, held)
    link = _link(api, tom)
    text = f"Anonymous takeaway {uuid.uuid4().hex[:6]}"
    assert api.post("/followups/answer", data={"token": token_of(link), "text": text, "consent": "anonymous"}).ok
    staff = api.auth(STAFF, staff=True)
    (shown,) = api.get(f"/api/followups/events/{event_id}", headers=staff).json()["answers"]
    assert shown["name"] is None
    page = api.get(f"/followups/events/{event_id}", headers=staff)
    assert "Anonymous" in page.text and "Tom" not in page.text.split("<main", 1)[-1]
    published = api.post(f"/api/followups/events/{event_id}/answers/{shown['answer_id']}/publication", headers=staff)
    assert published.status_code == 201 and published.json()["name"] is None
    api.settle()
    story = json.dumps(api.get(f"/api/chain/events/{event_id}").json())
    (takeaway,) = [f for f in json.loads(story)["from_the_event"] if f["kind"] == "takeaway"]
    assert takeaway["title"] == text and takeaway["people"] == []
    assert shown["answer_id"].split("-", 1)[1] not in story  # nothing public names the member


def test_link_misuse_shows_the_link_problem_page(api: Api, held: dict[str, Any]) -> None:
    from functions.common import tokens
    from tests.test_funding_reliability import forged

    event_id = held["event_id"]
    _started(api, held)
    link = _link(api, held["people"][0])
    token = token_of(link)
    subject = tokens.verify(token, "followup-answer").subject
    data = {"event_id": event_id, "day": 14}
    cases = {
        "tampered": (token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"), 400, "changed or cut short"),
        "expired": (forged("followup-answer", subject, data, age=timedelta(days=61)), 410, "expired"),
        "wrong purpose": (tokens.issue("openspace-harvest", subject, **data), 400, "different action"),
        "empty": ("", 400, "incomplete"),
    }
    before = table_fingerprint(api.runtime)
    for name, (bad, status, says) in cases.items():
        for response in (
            api.get("/followups/answer", params={"token": bad}),
            api.post("/followups/answer", data={"token": bad, "text": "Mine", "consent": "named"}),
        ):
            assert response.status_code == status, (name, response.text)
            assert "This link cannot be used" in response.text and says in response.text, name
    assert table_fingerprint(api.runtime) == before


def test_export_and_erasure_of_answers(api: Api, held: dict[str, Any]) -> None:
    event_id, people = held["event_id"], held["people"]
    amara, priya = people[0], people[2]
    _started(api, held)
    name = "Amara"
    text = f"Named takeaway {uuid.uuid4().hex[:6]}"
    assert api.post("/followups/answer", data={"token": token_of(_link(api, amara)), "text": text, "consent": "named"})
    private = f"Unpublished thought {uuid.uuid4().hex[:6]}"
    answer = {"token": token_of(_link(api, priya)), "text": private, "consent": "private"}
    assert api.post("/followups/answer", data=answer).ok
    staff = api.auth(STAFF, staff=True)
    (shown,) = api.get(f"/api/followups/events/{event_id}", headers=staff).json()["answers"]
    assert api.post(f"/api/followups/events/{event_id}/answers/{shown['answer_id']}/publication", headers=staff).ok
    api.settle()

    mine = held["headers"][amara]
    data = api.get("/api/account/data", headers=mine).json()["followups"]
    assert [a["text"] for a in data["followup_answers"]] == [text]
    assert [s["day"] for s in data["followups_sent"]] == [14]
    assert [t["name"] for t in data["takeaways_published_with_your_name"]] == [name]

    # Priya's unpublished answer goes with her account.
    theirs = held["headers"][priya]
    assert api.post("/api/account/erasure", json={"confirm": "erase my account"}, headers=theirs).status_code == 200
    assert everything_mentioning(api.runtime, private) == []

    # Amara's published takeaway stays, without her name, on the event's page and in its story.
    member_id = shown["answer_id"].split("-", 1)[1]
    assert api.post("/api/account/erasure", json={"confirm": "erase my account"}, headers=mine).status_code == 200
    api.settle()
    assert everything_mentioning(api.runtime, amara) == []
    left = api.get(f"/api/followups/events/{event_id}/takeaways").json()
    assert [(t["text"], t["name"]) for t in left] == [(text, None)]
    assert [item for _, item in everything_mentioning(api.runtime, text) if member_id in json.dumps(item)] == []
    page = api.get(f"/events/{event_id}").text
    assert text in page and "— A member" in page


def test_follow_ups_move_with_the_event_end(api: Api, email: Any) -> None:
    event_id = publish(api, title=f"Q workshop: Liberating Structures {uuid.uuid4().hex[:4]}")
    api.settle()
    staff = api.auth(STAFF, staff=True)
    before = api.get(f"/api/followups/events/{event_id}", headers=staff).json()
    ends = datetime.fromisoformat(before["ends_at"]) + timedelta(hours=1)
    moved = api.request("PATCH", f"/api/events/{event_id}/details", json={"ends_at": ends.isoformat()}, headers=staff)
    assert moved.status_code == 200, moved.text
    api.settle()
    after = api.get(f"/api/followups/events/{event_id}", headers=staff).json()
    assert datetime.fromisoformat(after["ends_at"]) == ends
    assert [datetime.fromisoformat(d["due_at"]) for d in after["days"]] == [
        ends + timedelta(days=14),
        ends + timedelta(days=90),
    ]
