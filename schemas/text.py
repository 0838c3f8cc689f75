"""Text types for anything a person types: unicode-normalised, no NUL or control characters,
single-line where it will end up in a header, subject line or title."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator


def _normalise(value: object) -> object:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def one_line(value: str) -> str:
    """Collapse every run of whitespace or control characters into one space."""
    cleaned = "".join(c if c.isprintable() else " " for c in value)
    return " ".join(cleaned.split())


def paragraphs(value: str) -> str:
    """Keep line breaks (normalised to \\n), drop other control characters, trim."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(c if (c == "\n" or c.isprintable()) else " " for c in value)
    return "\n".join(line.rstrip() for line in kept.strip().split("\n"))


SingleLine = Annotated[str, BeforeValidator(_normalise), AfterValidator(one_line)]
MultiLine = Annotated[str, BeforeValidator(_normalise), AfterValidator(paragraphs)]
