"""How a body names what it came from, and how a view shows it (issue 11): shared by every
area's bodies and views (listings, SIGs, bids, newsletter items), apart from the chain API's own
views so that those areas' functions need not build them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from schemas.api.base import ApiModel

_ID = r"[A-Za-z0-9_-]{1,60}"
#: How a form or an API client names an origin: ``conversation:<event id>:<conversation id>``,
#: ``event:<event id>``, ``sig:<sig id>`` or ``bid:<bid id>``.
ORIGIN_PATTERN = rf"^(conversation:event_{_ID}:conv_{_ID}|event:event_{_ID}|sig:sig_{_ID}|bid:bid_{_ID})$"
MAX_ORIGINS = 5

OriginRef = Annotated[
    str,
    StringConstraints(max_length=140, pattern=ORIGIN_PATTERN),
    Field(examples=["conversation:event_abc:conv_def", "sig:sig_demo2"]),
]
Origins = Annotated[
    list[OriginRef],
    Field(
        max_length=MAX_ORIGINS,
        description="What this came from (at most 5): an Open Space conversation, an event, a SIG or a funded "
        "bid, each one you can see. Named as `conversation:<event id>:<conversation id>`, `event:<event id>`, "
        "`sig:<sig id>` or `bid:<bid id>`.",
    ),
]


def distinct(refs: list[str]) -> list[str]:
    return list(dict.fromkeys(refs))


class OriginView(ApiModel):
    kind: Literal["conversation", "event", "sig", "bid"]
    ref: str
    title: str
    url: str
