"""HTML pages and emails from Jinja templates with autoescape on.

Pages are plain server-rendered HTML forms: no JavaScript, so they work with a keyboard, a
screen reader and a phone, and nothing a member typed can run as script.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

#: No script runs on Convene's pages; forms post only to Convene; links to other sites carry no
#: Referer (email-link tokens must not leak to them). ``same-origin``, not ``no-referrer``: with
#: ``no-referrer`` browsers send ``Origin: null`` on the site's own form posts, and the origin
#: is what tells a form posted from our page from one posted from anyone else's.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@cache
def environment() -> jinja2.Environment:
    import jinja2  # imported on first render: JSON-only requests never pay for it

    from .settings import settings

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(("html",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["settings"] = settings()
    env.filters["datetime"] = format_datetime
    env.filters["pounds"] = format_pounds
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def format_datetime(value: Any, fmt: str = "%A %-d %B %Y, %-I:%M%p") -> str:
    """Show a time as the community reads it (Europe/London by default)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from .settings import settings

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return str(value)
    local = value.astimezone(ZoneInfo(settings().timezone))
    return local.strftime(fmt).replace("AM", "am").replace("PM", "pm")


def format_pounds(pence: int) -> str:
    pounds, rest = divmod(int(pence), 100)
    return f"£{pounds:,}" + (f".{rest:02d}" if rest else "")


def parse_form(body: str | None) -> dict[str, str]:
    """URL-encoded form fields; the last value wins, blank values are kept as ''."""
    return dict(_fields(body, 200))


def parse_form_lists(body: str | None) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for key, value in _fields(body, 500):
        fields.setdefault(key, []).append(value)
    return fields


def _fields(body: str | None, limit: int) -> list[tuple[str, str]]:
    from .errors import InvalidInput

    try:
        return parse_qsl(body or "", keep_blank_values=True, max_num_fields=limit)
    except ValueError:  # more fields than any of our forms has: not from our pages
        raise InvalidInput("This form has far more fields than ours. Reload the page and try again.") from None
