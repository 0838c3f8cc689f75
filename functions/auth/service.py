"""Passwordless sign-in: a member asks for a link, the link's page signs them in."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from functions.common import identity, limits, mail, tokens
from functions.common.identity import User
from functions.common.ids import new_id
from functions.common.keys import signing_keys
from functions.common.paths import local_path
from functions.common.settings import settings
from functions.common.store import ConditionFailed, Put, Store
from functions.common.web import render
from functions.members.model import Member, clean_name, normalise_email
from functions.members.repository import MemberRepository


@dataclass(frozen=True)
class Session:
    token: str
    member: Member
    max_age: int


def safe_next(path: str | None) -> str:
    """Only ever return to a path on this site (no open redirect through the sign-in link)."""
    return local_path(path)


def request_sign_in(
    raw_email: str, raw_name: str = "", next_path: str | None = None, store: Store | None = None, client: str = ""
) -> str:
    email = normalise_email(raw_email)
    name = clean_name(raw_name)
    store = store or Store()
    limits.check_request(
        "sign-in",
        email,
        client,
        store,
        mailbox_message="We have already sent several sign-in links to this address in the last hour. "
        "Use the newest one.",
    )
    # ``next`` is settled here, when the link is made: a bad value becomes "/" and can never
    # make the emailed link fail or spend its token on an error.
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
    """Spend the sign-in token (once) and open a session, in one transaction. Returns the
    session and where to go."""
    claims = tokens.verify(token, "sign-in")
    store = store or Store()
    members = MemberRepository(store)
    spend = store.use_token_op(claims.jti, claims.expires_at, claims.subject)
    name = clean_name(str(claims.data.get("name", "")))
    existing = members.by_email(claims.subject)
    member = existing or Member(member_id=new_id("mem"), email=claims.subject, name=name, created_at="")
    session = identity.new_session(member.member_id, member.email, member.name)
    try:
        if existing is None:
            member, created = members.get_or_create(
                claims.subject, name, extra_ops=[spend, session.write], member_id=member.member_id
            )
            if not created:  # someone created this member a moment ago: open a session for that one
                return complete_sign_in_existing(member, spend, store), _next(claims)
        else:
            # The member must still exist when the session opens: an erasure racing this
            # sign-in cannot leave a live session behind.
            store.write([spend, session.write, members.exists_check(member.member_id)])
    except ConditionFailed as failure:
        if existing is None or 0 in failure.failed:
            raise tokens.TokenRejected(
                "This sign-in link has already been used. Ask for a new link to sign in again.", code="used"
            ) from None
        raise tokens.TokenRejected(
            "This account was erased while you were signing in. Ask for a new link to start a new one.", code="used"
        ) from None
    return Session(session.token, member, session.max_age), _next(claims)


def complete_sign_in_existing(member: Member, spend: Put, store: Store) -> Session:
    session = identity.new_session(member.member_id, member.email, member.name)
    store.write([spend, session.write, MemberRepository(store).exists_check(member.member_id)])
    return Session(session.token, member, session.max_age)


def _next(claims: tokens.Claims) -> str:
    return safe_next(str(claims.data.get("next", "/")))


def open_session(member: Member, *, staff: bool = False, local: bool = False, store: Store | None = None) -> Session:
    """A session for a member who is already known to exist (the local runtime's ``convene
    token``, tests and benches)."""
    session = identity.new_session(member.member_id, member.email, member.name, local_staff=staff and local)
    (store or Store()).write([session.write])
    return Session(session.token, member, session.max_age)


def sign_out(user: User, *, everywhere: bool = False, store: Store | None = None) -> int:
    """End this session on the server (or every session of the member)."""
    if everywhere:
        return identity.end_all_sessions(user.member_id, store)
    identity.end_session(user.session_id, store)
    return 1


# -- login CSRF: only the browser that opened the link's page can sign in with it ---------------
#: Set by the link's page, sent back only by our own pages (SameSite=Strict), lives as long as a link.
SIGN_IN_PAGE_COOKIE = "convene_sign_in_page"


def page_binding(nonce: str, jti: str, key: str | None = None) -> str:
    """Binds the page's form to the browser's cookie and to this one link: a form posted from
    anywhere else (another site signing you in as *them*) has no matching pair."""
    secret = (key or signing_keys()[-1]).encode()
    return hmac.new(secret, f"sign-in-page:{nonce}:{jti}".encode(), hashlib.sha256).hexdigest()


def page_binding_valid(nonce: str, jti: str, presented: str) -> bool:
    if not (nonce and presented and len(presented) < 100 and len(nonce) < 100 and presented.isascii()):
        return False
    return any(hmac.compare_digest(page_binding(nonce, jti, key), presented) for key in signing_keys())


def new_page_nonce() -> str:
    return secrets.token_urlsafe(18)
