"""Validating HTML form posts with the same pydantic models as the JSON API, so a page and
an API client get the same rules and the same messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .http import _field_errors

Model = TypeVar("Model", bound=BaseModel)


#: Messages a page gives per field, GOV.UK style ("Enter a title for your bid"): one text for
#: any problem with the field, or texts by kind of problem ("missing", "too_long", ...) with
#: "*" for the rest. Fields without one get the API's generic message.
Messages = Mapping[str, "str | Mapping[str, str]"]

_KINDS = {
    "string_too_short": "missing",
    "too_short": "missing",
    "string_too_long": "too_long",
    "missing": "missing",
}


def validate(
    model: type[Model], data: dict[str, Any], messages: Messages | None = None
) -> tuple[Model | None, dict[str, str]]:
    try:
        return model.model_validate(data), {}
    except ValidationError as error:
        errors: dict[str, str] = {}
        problems = error.errors()
        for problem, readable in zip(problems, _field_errors(problems), strict=True):
            field = readable["field"].split(".")[0]
            errors.setdefault(field, _message(messages or {}, field, problem) or readable["message"])
        return None, errors


def _message(messages: Messages, field: str, problem: Any) -> str:
    wanted = messages.get(field)
    if wanted is None or isinstance(wanted, str):
        return wanted or ""
    kind = _KINDS.get(str(problem.get("type", "")), "*")
    return wanted.get(kind) or wanted.get("*", "")


def lines(value: str) -> list[str]:
    """A textarea or comma-separated field as a list of non-empty entries."""
    return [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]
