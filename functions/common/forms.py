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
#: "*" for the rest. Fields without one get the API's generic message. In a repeated field (a
#: list: one address per line) ``{line}`` in the text names the line at fault.
Messages = Mapping[str, "str | Mapping[str, str]"]

_KINDS = {
    "string_too_long": "too_long",
    "too_long": "too_long",
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
        # The summary lists problems in the order of the form (the model's fields' order).
        order = {name: index for index, name in enumerate(model.model_fields)}
        return None, dict(sorted(errors.items(), key=lambda kv: order.get(kv[0], len(order))))


def _message(messages: Messages, field: str, problem: Any) -> str:
    wanted = messages.get(field)
    if wanted is None:
        return ""
    if not isinstance(wanted, str):
        kind = _kind(problem)
        wanted = wanted.get(kind) or wanted.get("*", "")
    lines = [part for part in problem.get("loc", ()) if isinstance(part, int)]
    if "{line}" in wanted and not lines:
        return ""  # a problem with the list as a whole: the model's own words say it best
    return wanted.replace("{line}", str(lines[0] + 1)) if lines else wanted.replace(" {line}", "")


def lines(value: str) -> list[str]:
    """A textarea or comma-separated field as a list of non-empty entries."""
    return [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]


def _kind(problem: Any) -> str:
    kind = str(problem.get("type", ""))
    if kind.endswith("too_short"):  # nothing given is "missing"; too little given is not
        given = problem.get("input")
        return "missing" if not (given.strip() if isinstance(given, str) else given) else "*"
    return _KINDS.get(kind, "*")
