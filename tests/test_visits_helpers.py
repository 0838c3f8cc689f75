"""Helpers for the Visits tests: publishing, signing up, reading raw email (with its .ics),
moving a visit's clock, and the outbox's events. No tests here."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import requests
from icalendar import Calendar

from infra.local.delivery import sqs_event
from infra.local.moto_server import ACCOUNT_ID, REGION
from tests.conftest import STAFF, Api


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def visit_body(**overrides: Any) -> dict[str, Any]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    body: dict[str, Any] = {
        "title": "Harnessing the power of community organising",
        "host_organisation": "Northfield Community Organising Network",
        "description": "An online visit to learn how community organising builds power for change.",
        "format": "online",
        "joining_link": "https://meet.example.org/organising",
        "starts_at": iso(start),
        "ends_at": iso(start + timedelta(hours=2)),
        "places": 2,
        "signup_closes_at": iso(start - timedelta(days=1)),
        "waitlist_mode": "automatic",
    }
    body.update(overrides)
    return body


def publish(api: Api, **overrides: Any) -> str:
    response = api.post("/api/visits", json=visit_body(**overrides), headers=api.auth(STAFF, staff=True))
    assert response.status_code == 201, response.text
    return str(response.json()["visit_id"])


def sign_up(api: Api, visit_id: str, member: str, **body: Any) -> requests.Response:
    return api.post(f"/api/visits/{visit_id}/signups", json=body, headers=api.auth(member, name=_name(member)))


def _name(email: str) -> str:
    return email.split("@", maxsplit=1)[0].split(".", maxsplit=1)[0].capitalize()


def session(email: str) -> dict[str, str]:
    """A member's API session without storing a member record: the Visits area reads only the
    session. (Creating 200 members is 200 transactions, and moto copies whole tables for each.)"""
    from functions.auth.service import open_session
    from functions.common.ids import new_id
    from functions.members.model import Member

    member = Member(member_id=new_id("mem"), email=email, name=_name(email), created_at="")
    return {"Authorization": f"Bearer {open_session(member, local=True).token}"}


def my_signup(api: Api, visit_id: str, member: str) -> dict[str, Any]:
    response = api.get(f"/api/visits/{visit_id}/signups/me", headers=api.auth(member))
    assert response.status_code == 200, response.text
    return dict(response.json())


def attendees(api: Api, visit_id: str) -> dict[str, Any]:
    response = api.get(f"/api/visits/{visit_id}/attendees", headers=api.auth(STAFF, staff=True))
    assert response.status_code == 200, response.text
    return dict(response.json())


def statuses(api: Api, visit_id: str) -> dict[str, str]:
    return {a["email"]: a["status"] for a in attendees(api, visit_id)["attendees"]}


def link(api: Api, to: str, subject: str, marker: str) -> str:
    message = api.one_mail(to, subject)
    found = [u for u in message["links"] if marker in u]
    assert len(found) == 1, message["links"]
    return api.path(found[0])


def token_of(path: str) -> str:
    return path.split("token=", 1)[1]


def raw_messages(api: Api, to: str, subject: str = "") -> list[EmailMessage]:
    """The MIME messages SES accepted for ``to``, parsed back (the mail viewer lists only
    attachment names; calendar programs read the attachment itself)."""
    from moto.ses.models import ses_backends

    api.settle()
    with api.runtime.moto.lock:
        sent = list(ses_backends[ACCOUNT_ID][REGION].sent_messages)
    found = []
    for message in sent:
        raw = getattr(message, "raw_data", None)
        if raw is None:
            continue
        parsed = BytesParser(policy=policy.default).parsebytes(raw.encode() if isinstance(raw, str) else raw)
        if to.lower() in str(parsed["To"]).lower() and subject in str(parsed["Subject"]):
            found.append(parsed)
    return found  # type: ignore[return-value]


def sent_count(api: Api) -> int:
    from moto.ses.models import ses_backends

    with api.runtime.moto.lock:
        return len(ses_backends[ACCOUNT_ID][REGION].sent_messages)


def wait_for_mail(api: Api, count: int, timeout: float) -> None:
    """Wait for a backlog of email, looking twice a second (settle() polls every queue twenty
    times a second, which slows the very consumers it waits for)."""
    deadline = time.monotonic() + timeout
    while sent_count(api) < count:
        assert time.monotonic() < deadline, f"only {sent_count(api)} of {count} emails after {timeout} s"
        time.sleep(0.5)
    api.settle()


def calendars(message: EmailMessage) -> list[Calendar]:
    return [
        Calendar.from_ical(part.get_content())
        for part in message.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]


def set_attributes(api: Api, key: dict[str, str], **attributes: str) -> None:
    """Move a stored time (a test cannot wait hours for an offer to run out)."""
    names = {f"#{k}": k for k in attributes}
    values = {f":{k}": {"S": v} for k, v in attributes.items()}
    api.runtime.client("dynamodb").update_item(
        TableName=api.runtime.resources.tables["main"],  # type: ignore[union-attr]
        Key={k: {"S": v} for k, v in key.items()},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in attributes),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def outbox_events(api: Api, detail_type: str, **match: str) -> list[dict[str, Any]]:
    """Events in the outbox (a test-only Scan): their EventBridge envelope as SQS delivers it."""
    client = api.runtime.client("dynamodb")
    table = api.runtime.resources.tables["outbox"]  # type: ignore[union-attr]
    found = []
    for page in client.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            if item["detail_type"]["S"] != detail_type:
                continue
            detail = json.loads(item["detail"]["S"])
            if all(detail.get(k) == v for k, v in match.items()):
                found.append(
                    {
                        "version": "0",
                        "id": item["event_id"]["S"],
                        "detail-type": detail_type,
                        "source": "convene",
                        "detail": detail,
                    }
                )
    return found


def deliver(api: Api, function: str, envelope: dict[str, Any], message_id: str) -> Any:
    """Hand one event to a consumer as its SQS event source mapping would."""
    (binding,) = [p.binding for p in api.runtime.pollers if p.binding.function == function]
    event = sqs_event([{"MessageId": message_id, "ReceiptHandle": message_id, "Body": json.dumps(envelope)}], binding)
    return api.runtime.pools[function].invoke(event)
