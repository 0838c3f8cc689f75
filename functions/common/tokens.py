"""Signed, purpose-bound, expiring tokens for email links and sessions.

itsdangerous signs with HMAC-SHA256 and compares in constant time; the purpose is the salt,
so a token made for one purpose never verifies for another. Keys rotate: the newest signs,
every listed key verifies. Single use is enforced by the caller with a conditional write on
the token's ``jti`` (see ``functions.common.store.Store.use_token``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .keys import signing_keys

if TYPE_CHECKING:  # imported by the first token made or read: an anonymous request needs none
    from itsdangerous import URLSafeTimedSerializer

#: Every purpose a token can be made for, and how long such a token lives.
LIFETIMES: dict[str, timedelta] = {
    "sign-in": timedelta(minutes=30),
    "session": timedelta(days=30),
    "sig-review": timedelta(days=21),
    "bid-review": timedelta(days=45),
    "visit-cancel": timedelta(days=365),
    "visit-offer": timedelta(days=14),
    "event-cancel": timedelta(days=365),
    "event-offer": timedelta(days=14),
    "newsletter-confirm": timedelta(days=7),
    "newsletter-unsubscribe": timedelta(days=3650),
    "newsletter-preferences": timedelta(days=365),
    "newsletter-approve": timedelta(days=14),
    # A named person confirms they are part of it (until then the name gives them nothing).
    "sig-co-convener": timedelta(days=30),
    "bid-co-applicant": timedelta(days=30),
    "openspace-cohost": timedelta(days=30),
    "openspace-harvest": timedelta(days=30),
    # A team member decides a member's held first comment (approve or reject), once.
    "comment-moderation": timedelta(days=14),
    # An attendee answers a follow-up ("what did you take away?") weeks after the email, maybe.
    "followup-answer": timedelta(days=60),
}


class TokenRejected(Exception):
    """The link cannot be used; ``reason`` is shown to the person who followed it."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class Claims:
    purpose: str
    subject: str
    jti: str
    data: dict[str, Any]
    issued_at: float
    expires_at: float


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(
        signing_keys(),
        salt=f"convene:{purpose}",
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def issue(purpose: str, subject: str, **data: Any) -> str:
    if purpose not in LIFETIMES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    payload = {"sub": subject, "jti": secrets.token_urlsafe(12), **({"d": data} if data else {})}
    return str(_serializer(purpose).dumps(payload))


def verify(token: str, purpose: str) -> Claims:
    """Return the claims of a valid token, or raise :class:`TokenRejected` saying why."""
    from itsdangerous import BadSignature, SignatureExpired

    lifetime = LIFETIMES[purpose]
    if not token or len(token) > 2048 or not token.isascii():  # tokens are URL-safe base64
        raise TokenRejected("This link is incomplete. Copy the whole link from the email.", code="malformed")
    try:
        payload, signed_at = _serializer(purpose).loads(
            token, max_age=int(lifetime.total_seconds()), return_timestamp=True
        )
    except SignatureExpired:
        raise TokenRejected("This link has expired. Ask for a new one.", code="expired") from None
    except BadSignature:
        if _signed_for_other_purpose(token, purpose):
            raise TokenRejected(
                "This link was made for a different action, so it cannot be used here.",
                code="wrong-purpose",
            ) from None
        raise TokenRejected(
            "This link is not valid: it may have been changed or cut short. Copy the whole link from the email.",
            code="invalid",
        ) from None
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("sub"), str)
        or not isinstance(payload.get("jti"), str)
    ):
        raise TokenRejected("This link is not valid.", code="invalid")
    issued = signed_at.timestamp()
    return Claims(
        purpose=purpose,
        subject=payload["sub"],
        jti=payload["jti"],
        data=payload.get("d", {}) if isinstance(payload.get("d", {}), dict) else {},
        issued_at=issued,
        expires_at=issued + lifetime.total_seconds(),
    )


def _signed_for_other_purpose(token: str, purpose: str) -> bool:
    from itsdangerous import BadSignature

    for other in LIFETIMES:
        if other == purpose:
            continue
        try:
            _serializer(other).loads(token)
        except BadSignature:
            continue
        return True
    return False
