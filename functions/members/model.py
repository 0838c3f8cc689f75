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
        raise InvalidInput("Enter your email address", field=field)
    if len(value) > MAX_EMAIL_LENGTH:
        raise InvalidInput("That email address is too long.", field=field)
    try:
        value = str(_EMAIL.validate_python(value))
    except ValidationError:
        raise InvalidInput("Enter an email address in the correct format, like name@example.com", field=field) from None
    return value.lower()


def required_name(raw: str, *, field: str = "name") -> str:
    """The name a member gives for others to see: needed, on one line, and not an email address."""
    value = clean_name(raw, field=field)
    if not value:
        raise InvalidInput("Enter the name other members will see", field=field)
    if "@" in value:
        raise InvalidInput("Enter your name, not an email address", field=field)
    return value


def clean_name(raw: str, *, field: str = "name", limit: int = 100) -> str:
    """A person's display name on one line, without control characters."""
    value = " ".join("".join(c if c.isprintable() else " " for c in (raw or "")).split())
    if len(value) > limit:
        raise InvalidInput(f"Keep the name under {limit} characters.", field=field)
    return value


#: What pages and emails call a member who has not told us their name. Never any part of their
#: email address: the address is private, and its local part is often the person's real name.
UNNAMED = "A member"


def display_name(name: str) -> str:
    """The name others see: the one the member gave, never anything taken from their address."""
    return clean_name(name) or UNNAMED
