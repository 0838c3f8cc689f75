"""What other areas' pages show of the chain: the origins a form was opened with ("Start a SIG
from this conversation"), each origin as the API shows it, and what something led to."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from schemas.api.origins import ORIGIN_PATTERN, OriginView
from schemas.events.origins import Origin

from .domain import Follow
from .origins import UnknownOrigin, resolve, url

if TYPE_CHECKING:
    from functions.common.http import App
    from functions.common.identity import User
    from functions.common.store import Store

_REF = re.compile(ORIGIN_PATTERN)


def origin_view(origin: Origin) -> OriginView:
    return OriginView(kind=origin.kind, ref=origin.ref, title=origin.title, url=url(origin))


def offered_origins(app: App, user: User | None) -> tuple[list[Origin], list[str], dict[str, str]]:
    """The origin a form page was opened with (``?origin=``), checked as ``user`` sees it: the
    origins, their refs for the form's hidden field, and the error to show if it is not one."""
    ref = (app.current_event.get_query_string_value("origin", "") or "").strip()
    if not ref:
        return [], [], {}
    if not _REF.fullmatch(ref):
        return (
            [],
            [],
            {"origins": "The link you followed names something that is not a conversation, event, SIG or bid."},
        )
    try:
        origins = resolve([ref], user)
    except UnknownOrigin as error:
        return [], [], {"origins": error.message}
    return origins, [o.ref for o in origins], {}


def led_to(ref: str, store: Store | None = None) -> list[Follow]:
    """What followed straight from this thing (one Query)."""
    from .repository import ChainRepository

    return ChainRepository(store).led_to(ref)
