"""What a page that takes comments shows: its thread (the shown comments, one Query) and the
form, or "log in before posting your comment". Host pages (proceedings, "taken forward",
newsletter issues) import this lazily and include ``comments/_thread.html``:

    from functions.comments.thread import thread_for
    app.page(..., comments=thread_for(f"proceedings:{event_id}", user))

The host page has already checked the target exists and is visible; this only reads its thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from functions.common.identity import User
    from functions.common.store import Store

    from .domain import Comment

POLICY_URL = "/comments/policy"


@dataclass(frozen=True)
class Thread:
    target: str
    comments: list[Comment]
    signed_in: bool
    #: Sign in, then come back to this page's comments.
    sign_in_url: str
    policy_url: str = POLICY_URL
    action: str = "/comments"


def thread_for(target: str, user: User | None, store: Store | None = None) -> Thread:
    from .domain import Target
    from .repository import CommentRepository

    back = Target.parse(target).url + "#comments"
    return Thread(
        target=target,
        comments=CommentRepository(store).thread(target),
        signed_in=user is not None,
        sign_in_url=f"/auth/sign-in?next={quote(back, safe='/')}",
    )
