"""Passwordless sign-in: a member asks for a link, the link's page signs them in."""

from __future__ import annotations

from dataclasses import dataclass

from functions.common import mail, tokens
from functions.common.errors import TooManyRequests
from functions.common.settings import settings
from functions.common.store import ConditionFailed, Store
from functions.common.web import render
from functions.members.model import Member, clean_name, normalise_email
from functions.members.repository import MemberRepository

#: Sign-in emails per address per hour: enough for a member who mistypes, too few to flood.
SIGN_IN_EMAILS_PER_HOUR = 5


@dataclass(frozen=True)
class Session:
    token: str
    member: Member
    max_age: int


def safe_next(path: str | None) -> str:
    """Only ever return to a path on this site (no open redirect through the sign-in link)."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path and len(path) < 500:
        return path
    return "/"


def request_sign_in(
    raw_email: str, raw_name: str = "", next_path: str | None = None, store: Store | None = None
) -> str:
    email = normalise_email(raw_email)
    name = clean_name(raw_name)
    store = store or Store()
    if not store.count_attempt(f"sign-in#{email}", SIGN_IN_EMAILS_PER_HOUR, 3600):
        raise TooManyRequests(
            "We have already sent several sign-in links to this address in the last hour. "
            "Use the newest one, or try again later."
        )
    token = tokens.issue("sign-in", email, name=name, next=safe_next(next_path))
    link = settings().url(f"/auth/link?token={token}")
    context = {"link": link, "email": email}
    mail.send(
        mail.Email(
            to=email,
            subject=f"Your sign-in link for {settings().community_name}",
            text=render("email/sign_in.txt", **context),
            html=render("email/sign_in.html", **context),
        )
    )
    return email


def complete_sign_in(token: str, store: Store | None = None) -> tuple[Session, str]:
    """Spend the sign-in token (once) and open a session. Returns the session and where to go."""
    claims = tokens.verify(token, "sign-in")
    store = store or Store()
    members = MemberRepository(store)
    spend = store.use_token_op(claims.jti, claims.expires_at, claims.subject)
    try:
        member, created = members.get_or_create(
            claims.subject, clean_name(str(claims.data.get("name", ""))), extra_ops=[spend]
        )
        if not created:  # a new member's token was spent in the transaction that created them
            store.write([spend])
    except ConditionFailed:
        raise tokens.TokenRejected(
            "This sign-in link has already been used. Ask for a new link to sign in again.", code="used"
        ) from None
    return open_session(member), safe_next(str(claims.data.get("next", "/")))


def open_session(member: Member, *, staff: bool = False, local: bool = False) -> Session:
    lifetime = int(tokens.LIFETIMES["session"].total_seconds())
    data: dict[str, object] = {"email": member.email, "name": member.name}
    if local:
        data.update(local=True, staff=staff)
    return Session(tokens.issue("session", member.member_id, **data), member, lifetime)
