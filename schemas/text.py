"""Text types for anything a person types: unicode-normalised, no NUL or control characters,
single-line where it will end up in a header, subject line or title.

Use ``Annotated[str, Text(min, max)]`` (``multiline=True`` for paragraphs) for bounded fields,
and ``EmailAddress`` for email addresses.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, GetCoreSchemaHandler, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema


def _normalise(value: object) -> object:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def _invisible(char: str) -> bool:
    """Format characters (zero-width spaces and joiners, bidi controls): shown as nothing, so
    dropped rather than turned into a space a reader would see."""
    return unicodedata.category(char) == "Cf"


def one_line(value: str) -> str:
    """Collapse every run of whitespace or control characters into one space; drop invisible ones."""
    cleaned = "".join(c if c.isprintable() else "" if _invisible(c) else " " for c in value)
    return " ".join(cleaned.split())


def paragraphs(value: str) -> str:
    """Keep line breaks (normalised to \\n), drop other control characters, trim."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(c if (c == "\n" or c.isprintable()) else " " for c in value)
    return "\n".join(line.rstrip() for line in kept.strip().split("\n"))


SingleLine = Annotated[str, BeforeValidator(_normalise), AfterValidator(one_line)]
MultiLine = Annotated[str, BeforeValidator(_normalise), AfterValidator(paragraphs)]


@dataclass(frozen=True)
class Text:
    """Bounded, cleaned text: ``Annotated[str, Text(3, 80)]``.

    The maximum applies to the text as sent (so the API refuses what its schema calls too
    long), the minimum to the text as cleaned (so a name made of spaces counts as empty)."""

    min_length: int = 0
    max_length: int = 200
    multiline: bool = False

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        clean = paragraphs if self.multiline else one_line

        def validate(value: str) -> str:
            cleaned = clean(unicodedata.normalize("NFC", value))
            if len(cleaned) < self.min_length:
                raise PydanticCustomError(
                    "string_too_short",
                    "String should have at least {min_length} characters",
                    {"min_length": self.min_length},
                )
            return cleaned

        return core_schema.no_info_after_validator_function(
            validate, core_schema.str_schema(max_length=self.max_length)
        )

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        if self.min_length:
            json_schema["minLength"] = self.min_length
        return json_schema


def _email_address(value: str) -> str:
    # pydantic's own EmailStr check, imported when an address is first validated: building a
    # model with EmailStr imports email_validator, whose regexes take ~20 ms of every cold start.
    from pydantic.networks import validate_email

    return validate_email(value)[1]


class _Email:
    """pydantic's ``EmailStr`` (same validation, errors and JSON Schema), minus its import cost."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_email_address, core_schema.str_schema())

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(type="string", format="email")
        return json_schema


#: An email address, validated and normalised exactly as pydantic's ``EmailStr`` does.
EmailAddress = Annotated[str, _Email()]


def _distinct_ignoring_case(values: list[str]) -> list[str]:
    """The first spelling of each value, case aside ("Kindness" and "kindness" are one theme)."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())


def _distinct_lowercase(addresses: list[str]) -> list[str]:
    return list(dict.fromkeys(a.lower() for a in addresses))


#: Themes a member gives something (a SIG, a conversation): short single lines, each once.
Themes = Annotated[list[Annotated[str, Text(1, 40)]], AfterValidator(_distinct_ignoring_case)]
#: People named on something (co-conveners, co-hosts): addresses, each once, in lower case.
NamedAddresses = Annotated[
    list[Annotated[EmailAddress, StringConstraints(max_length=254)]], AfterValidator(_distinct_lowercase)
]
