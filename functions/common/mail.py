"""Composing and sending email.

Every message is sent as raw MIME so that it keeps both its text and HTML parts, its own
headers (List-Unsubscribe) and attachments (.ics invitations). Header values are checked for
line breaks here, once, so no name or subject typed by a member can inject a header.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from .settings import settings


class HeaderInjection(ValueError):
    pass


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)


def one_line(value: str, *, limit: int = 200) -> str:
    """Fold any line break or control character into a space: for subjects and names."""
    cleaned = "".join(" " if (ord(c) < 32 or ord(c) == 127) else c for c in value)
    return " ".join(cleaned.split())[:limit]


def _checked(name: str, value: str) -> str:
    if any(c in value for c in "\r\n\0"):
        raise HeaderInjection(f"line break in {name} header")
    return value


def to_mime(email: Email, *, sender: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = _checked("From", sender or settings().sender)
    message["To"] = _checked("To", str(Address(addr_spec=email.to)))
    message["Subject"] = _checked("Subject", email.subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="convene.local")
    for name, value in email.headers.items():
        message[_checked("header name", name)] = _checked(name, value)
    message.set_content(email.text)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        subtype, *params = subtype.split(";")
        extra: dict[str, Any] = {}
        for param in params:
            key, _, value = param.strip().partition("=")
            if key:
                extra[key] = value
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename, params=extra
        )
    return message.as_bytes()


def send_template(
    to: str,
    subject: str,
    template: str,
    *,
    attachments: Iterable[Attachment] = (),
    headers: dict[str, str] | None = None,
    **context: Any,
) -> str:
    """Send ``templates/email/<template>.txt`` and ``.html``, rendered with ``context``."""
    from .web import render

    return send(
        Email(
            to=to,
            subject=one_line(subject),
            text=render(f"email/{template}.txt", **context),
            html=render(f"email/{template}.html", **context),
            headers=dict(headers or {}),
            attachments=list(attachments),
        )
    )


def send(email: Email) -> str:
    """Send through SES; returns SES's message id."""
    from .aws import client

    request: dict[str, Any] = {
        "Source": _checked("Source", settings().sender),
        "Destinations": [email.to],
        "RawMessage": {"Data": to_mime(email)},
    }
    if configuration_set := os.environ.get("SES_CONFIGURATION_SET"):
        request["ConfigurationSetName"] = configuration_set  # publishes bounces and complaints
    return str(client("ses").send_raw_email(**request)["MessageId"])


def account_send_rate() -> float:
    """The account's SES send rate (emails per second; 1 in the sandbox), read live: AWS raises
    it as the account's reputation grows, and a sandbox account sends nothing faster."""
    from .aws import client

    return float(client("ses").get_send_quota()["MaxSendRate"])
