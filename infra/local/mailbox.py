"""The local mail viewer: every email SES (moto) accepted, parsed back from its MIME."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from email import policy
from email.parser import BytesParser
from html import unescape
from typing import Any

from .moto_server import ACCOUNT_ID, REGION

_LINK = re.compile(r"https?://[^\s<>\"')]+")
_HREF = re.compile(r"href=\"([^\"]+)\"")


@dataclass
class Mail:
    id: str
    to: list[str]
    sender: str
    subject: str
    date: str
    text: str
    html: str
    headers: dict[str, str]
    attachments: list[str]
    links: list[str]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["from"] = data.pop("sender")
        return data


def _parse(message_id: str, raw: bytes, destinations: list[str]) -> Mail:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part else ""
    html = html_part.get_content() if html_part else ""
    attachments = [part.get_filename() or "attachment" for part in message.iter_attachments()]
    links = list(dict.fromkeys([*_LINK.findall(text), *(unescape(h) for h in _HREF.findall(html))]))
    return Mail(
        id=message_id,
        to=list(dict.fromkeys(destinations)) or [str(message.get("To", ""))],
        sender=str(message.get("From", "")),
        subject=str(message.get("Subject", "")).strip(),  # folded long subjects keep a leading space
        date=str(message.get("Date", "")),
        text=text,
        html=html,
        headers={k: str(v) for k, v in message.items()},
        attachments=attachments,
        links=links,
    )


#: Parsed messages by SES message id: a message never changes once sent, and re-parsing every
#: message on every look at the viewer made it slow after a few thousand emails.
_parsed: dict[str, Mail] = {}


def sent_mail(lock: Any) -> list[Mail]:
    """Newest first."""
    from moto.ses.models import ses_backends

    with lock:
        backend = ses_backends[ACCOUNT_ID][REGION]
        messages = list(backend.sent_messages)
    mails = []
    for message in messages:
        raw = getattr(message, "raw_data", None)
        if raw is None:
            continue  # only raw MIME carries headers and attachments; Convene sends nothing else
        if message.id not in _parsed:
            data = raw.encode() if isinstance(raw, str) else raw
            _parsed[message.id] = _parse(message.id, data, list(getattr(message, "destinations", []) or []))
        mails.append(_parsed[message.id])
    return list(reversed(mails))
