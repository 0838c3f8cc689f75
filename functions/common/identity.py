"""Who is asking: the member a request, a page, a use case or a consumer acts for, and the
checks that belong to them wherever they act.

- **Session not ended.** A session is a server-side item (``SESSION#<id>``); the token only
  names it (signed, with the member's opaque id, never their address). Signing out deletes
  the item; "sign out everywhere" and erasure delete all of a member's items. Resolving a
  token is one consistent GetItem, done once per request.
- **Erased.** Erasure ends every session (and a sign-in racing it cannot open one: the session
  is written only if the member's profile still exists), so an erased member's token resolves
  to nothing and cannot write.
- **Role now.** Staff is decided from the deployment's staff list at the moment of the request,
  never from what was true when a token or an email link was issued.

Plain Python over ``Store``: no HTTP here, so services, pages, the API and consumers share it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import tokens
from .errors import Forbidden, NotSignedIn
from .keys import signing_keys
from .settings import settings

if TYPE_CHECKING:
    from .store import Put, Store


@dataclass(frozen=True)
class User:
    """A signed-in member, as resolved for one request (``is_staff`` is the role *now*)."""

    member_id: str
    email: str
    name: str
    is_staff: bool
    session_id: str
    via_cookie: bool

    @property
    def csrf_token(self) -> str:
        return csrf_token(self.session_id)

    def require_staff(self) -> User:
        if not self.is_staff:
            raise Forbidden("Only the community team can do this.")
        return self


def link_holder(email: str) -> User:
    """Who acts through an emailed link (a reviewer, an editor): the address it was sent to,
    with the role that address has now, not when the email was sent."""
    return User(member_id="", email=email, name="", is_staff=is_staff_now(email), session_id="", via_cookie=False)


def is_staff_now(email: str) -> bool:
    """The role check every decision makes at the moment it acts (staff can be removed)."""
    return bool(email) and settings().is_staff(email)


def csrf_token(session_id: str, key: str | None = None) -> str:
    secret = (key or signing_keys()[-1]).encode()
    return hmac.new(secret, f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()[:40]


def csrf_valid(session_id: str, presented: str | None) -> bool:
    if not presented or len(presented) > 100 or not presented.isascii():  # compare_digest needs ASCII
        return False
    return any(hmac.compare_digest(csrf_token(session_id, key), presented) for key in signing_keys())


# -- sessions ----------------------------------------------------------------------------------
def session_key(session_id: str) -> tuple[str, str]:
    return f"SESSION#{session_id}", "SESSION"


def member_sessions_key(member_id: str) -> str:
    return f"SESSIONS#{member_id}"


@dataclass(frozen=True)
class NewSession:
    token: str
    session_id: str
    max_age: int
    write: Put


def new_session(member_id: str, email: str, name: str, *, local_staff: bool = False) -> NewSession:
    """A session token and the write that makes it live; put the write in the transaction
    that proves the member may have one (see ``functions.auth.service``)."""
    from .store import NOT_EXISTS, Put

    lifetime = int(tokens.LIFETIMES["session"].total_seconds())
    token = tokens.issue("session", member_id)
    session_id = tokens.verify(token, "session").jti
    item: dict[str, object] = {
        "pk": session_key(session_id)[0],
        "sk": "SESSION",
        "member_id": member_id,
        "email": email,
        "name": name,
        "gsi1pk": member_sessions_key(member_id),
        "gsi1sk": session_id,
        "expires_at": int(time.time()) + lifetime,
    }
    if local_staff and settings().local:
        item["local_staff"] = True
    return NewSession(token, session_id, lifetime, Put(item, NOT_EXISTS))


def resolve(token: str, *, via_cookie: bool, store: Store | None = None) -> User:
    """The member a session token stands for, now; raises ``NotSignedIn`` for a token that is
    forged, expired or whose session has ended (signed out, signed out everywhere, erased)."""
    from .store import Store

    try:
        claims = tokens.verify(token, "session")
    except tokens.TokenRejected:
        raise NotSignedIn("Your session is not valid or has expired. Sign in again.") from None
    item = (store or Store()).get(*session_key(claims.jti))
    if (
        item is None
        or item.get("member_id") != claims.subject
        or int(item.get("expires_at", 0)) <= time.time()  # TTL deletion can lag by days
    ):
        raise NotSignedIn("This session has ended. Sign in again.")
    email = str(item.get("email", ""))
    return User(
        member_id=claims.subject,
        email=email,
        name=str(item.get("name", "")),
        is_staff=is_staff_now(email) or (bool(item.get("local_staff")) and settings().local),
        session_id=claims.jti,
        via_cookie=via_cookie,
    )


def end_session(session_id: str, store: Store | None = None) -> None:
    from .store import Delete, Store

    pk, sk = session_key(session_id)
    (store or Store()).write([Delete({"pk": pk, "sk": sk})])


def rename_sessions(member_id: str, name: str, store: Store | None = None) -> None:
    """Carry a new display name into every live session of the member (each device's pages
    name them as they now are, without a profile read per request)."""
    from .store import ConditionFailed, Store, Update

    store = store or Store()
    for item in store.query(member_sessions_key(member_id), index="gsi1"):
        key = {"pk": item["pk"], "sk": item["sk"]}
        try:  # a session ending meanwhile stays ended
            store.write(
                [
                    Update(
                        key,
                        "SET #name = :name",
                        names={"#name": "name"},
                        values={":name": name},
                        condition="attribute_exists(pk)",
                    )
                ]
            )
        except ConditionFailed:
            continue


def end_all_sessions(member_id: str, store: Store | None = None) -> int:
    """End every session of a member (sign out everywhere, erasure). Returns how many ended."""
    from .store import Delete, Store

    store = store or Store()
    ended = 0
    for item in store.query(member_sessions_key(member_id), index="gsi1"):
        store.write([Delete({"pk": item["pk"], "sk": item["sk"]})])
        ended += 1
    return ended
