"""Endpoints only the local runtime has, under ``/_local/``: the mail viewer, running a
schedule now, issuing a dev session, and the dead-letter queues."""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .mailbox import sent_mail

if TYPE_CHECKING:
    from .runtime import LocalRuntime


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, indent=2, default=str), status=status, content_type="application/json")


def local_endpoint(runtime: LocalRuntime, request: Request) -> Response:
    path, method = request.path, request.method
    if path == "/_local/mail.json" and method in ("GET", "HEAD"):
        return _json({"messages": [m.as_json() for m in sent_mail(runtime.moto.lock)]})
    if path == "/_local/mail" and method in ("GET", "HEAD"):
        return Response(_mail_page(runtime), content_type="text/html; charset=utf-8")
    if path == "/_local/schedules" and method == "GET":
        return _json(
            {
                name: {"function": f, "expression": t.expression, "timezone": t.timezone}
                for name, (f, t) in runtime.schedules().items()
            }
        )
    if path.startswith("/_local/schedules/") and method == "POST":
        name = path.removeprefix("/_local/schedules/")
        try:
            result = runtime.run_schedule(name)
        except KeyError:
            return _json({"message": f"No schedule named {name!r}", "schedules": sorted(runtime.schedules())}, 404)
        return _json({"schedule": name, "result": result})
    if path == "/_local/token" and method == "POST":
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
            token = runtime.issue_session(
                str(body["email"]), staff=bool(body.get("staff")), name=str(body.get("name", ""))
            )
        except (KeyError, ValueError, TypeError) as error:
            return _json({"message": f"Give a valid email: {error}"}, 400)
        except Exception as error:  # a domain error such as a malformed address
            return _json({"message": str(error)}, 400)
        return _json({"token": token})
    if path == "/_local/ses-events" and method == "POST":
        from .ses_events import from_request

        return _json(*from_request(runtime, request.get_data(as_text=True)))
    if path == "/_local/dlq" and method == "GET":
        return _json({"queues": dead_letters(runtime)})
    if path == "/_local/dlq/redrive" and method == "POST":
        return _json({"redriven": redrive(runtime)})
    if path == "/_local/status" and method == "GET":
        return _json(
            {
                "moto_url": runtime.moto_url,
                "state_saves": runtime.state.saves if runtime.state else 0,
                "functions": {
                    n: {"containers": p.containers, "invocations": p.invocations} for n, p in runtime.pools.items()
                },
                "streams": {
                    p.trigger.name: {"records_delivered": p.delivered, "failed_batches": p.failed_batches}
                    for p in runtime.stream_pollers
                },
                "queues": {
                    p.binding.trigger.name: {"batches": p.batches, "failed_records": p.failures}
                    for p in runtime.pollers
                },
            }
        )
    return _json({"message": f"Nothing local at {method} {path}"}, 404)


def dead_letters(runtime: LocalRuntime) -> dict[str, list[dict[str, Any]]]:
    """Peek at each DLQ (messages become visible again at once: peeking changes nothing)."""
    sqs = runtime.client("sqs")
    found: dict[str, list[dict[str, Any]]] = {}
    for poller in runtime.pollers:
        url = poller.binding.dlq_url
        messages: dict[str, dict[str, Any]] = {}
        for _ in range(10):
            batch = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, AttributeNames=["All"]
            )
            fresh = [m for m in batch.get("Messages", []) if m["MessageId"] not in messages]
            if not fresh:
                break
            for message in fresh:
                body = json.loads(message["Body"])
                messages[message["MessageId"]] = {
                    "message_id": message["MessageId"],
                    "detail_type": body.get("detail-type"),
                    "event_id": (body.get("detail") or {}).get("event_id"),
                    "receive_count": message.get("Attributes", {}).get("ApproximateReceiveCount"),
                }
        found[poller.binding.trigger.name] = list(messages.values())
    return found


def redrive(runtime: LocalRuntime) -> int:
    """Move every dead-lettered message back to its source queue (as SQS redrive does)."""
    sqs = runtime.client("sqs")
    moved = 0
    for poller in runtime.pollers:
        while True:
            batch = sqs.receive_message(QueueUrl=poller.binding.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=30)
            messages = batch.get("Messages", [])
            if not messages:
                break
            for message in messages:
                sqs.send_message(QueueUrl=poller.binding.queue_url, MessageBody=message["Body"])
                sqs.delete_message(QueueUrl=poller.binding.dlq_url, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
    runtime._wake_pollers()
    return moved


def _mail_page(runtime: LocalRuntime) -> str:
    mails = sent_mail(runtime.moto.lock)
    items = []
    for mail in mails:
        links = "".join(f'<li><a href="{escape(link)}">{escape(link)}</a></li>' for link in mail.links)
        attachments = ", ".join(escape(a) for a in mail.attachments) or "none"
        headers = "".join(
            f"<tr><th scope=row>{escape(k)}</th><td>{escape(v)}</td></tr>"
            for k, v in mail.headers.items()
            if k.lower() in ("list-unsubscribe", "list-unsubscribe-post", "message-id", "date")
        )
        html = (
            f'<details><summary>HTML version</summary><iframe title="HTML version of {escape(mail.subject)}" '
            f'sandbox srcdoc="{escape(mail.html)}" style="width:100%;height:28rem;border:1px solid #ccc">'
            "</iframe></details>"
            if mail.html
            else ""
        )
        items.append(
            f'<article class="mail" id="{escape(mail.id)}"><h2>{escape(mail.subject)}</h2>'
            f"<p><strong>To:</strong> {escape(', '.join(mail.to))} · <strong>From:</strong> {escape(mail.sender)}</p>"
            f"<p><strong>Attachments:</strong> {attachments}</p>"
            f"<table>{headers}</table>"
            f'<h3>Links</h3><ul class="links">{links or "<li>none</li>"}</ul>'
            f"<details open><summary>Text version</summary><pre>{escape(mail.text)}</pre></details>{html}</article>"
        )
    body = "".join(items) or "<p>No email has been sent yet.</p>"
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1"><title>Local mail</title><style>'
        "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem}"
        "article{border:1px solid #ccc;padding:1rem;margin:1rem 0}pre{white-space:pre-wrap}"
        "th{text-align:left;padding-right:1rem}</style></head><body>"
        f"<h1>Local mail viewer</h1><p>{len(mails)} message(s), newest first. Nothing here left this machine. "
        '<a href="/_local/mail.json">JSON</a> · <a href="/">Convene</a></p>'
        f"{body}</body></html>"
    )
