"""Members: people with an account in the community, known by an opaque id.

Their email address identifies them for sign-in but is never shown publicly.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ConfigDict, TypeAdapter, ValidationError

from functions.common.errors import InvalidInput
from schemas.text import EmailAddress

#: Built on first use, like the models: only the requests that read an address pay for it.
_EMAIL = TypeAdapter(EmailAddress, config=ConfigDict(defer_build=True))
#: RFC 5321 limits a forward path to 254 characters.
MAX_EMAIL_LENGTH = 254


@dataclass(frozen=True)
class Member:
    member_id: str
    email: str
    name: str
    created_at: str


def normalise_email(raw: str, *, field: str = "email") -> str:
    value = (raw or "").strip()
    if not value:
        raise InvalidInput("Enter your email address.", field=field)
    if len(value) > MAX_EMAIL_LENGTH:
        raise InvalidInput("That email address is too long.", field=field)
    try:
        value = str(_EMAIL.validate_python(value))
    except ValidationError:
        raise InvalidInput("Enter an email address in the right format, like name@example.org.", field=field) from None
    return value.lower()


def clean_name(raw: str, *, field: str = "name", limit: int = 100) -> str:
    """A person's display name on one line, without control characters."""
    value = " ".join("".join(c if c.isprintable() else " " for c in (raw or "")).split())
    if len(value) > limit:
        raise InvalidInput(f"Keep the name under {limit} characters.", field=field)
    return value


def display_name(email: str, name: str) -> str:
    return name or email.split("@", 1)[0]
