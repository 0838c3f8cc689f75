"""Validating HTML form posts with the same pydantic models as the JSON API, so a page and
an API client get the same rules and the same messages."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .http import _field_errors

Model = TypeVar("Model", bound=BaseModel)


def validate(model: type[Model], data: dict[str, Any]) -> tuple[Model | None, dict[str, str]]:
    try:
        return model.model_validate(data), {}
    except ValidationError as error:
        errors: dict[str, str] = {}
        for problem in _field_errors(error.errors()):
            field = problem["field"].split(".")[0]
            errors.setdefault(field, problem["message"])
        return None, errors


def lines(value: str) -> list[str]:
    """A textarea or comma-separated field as a list of non-empty entries."""
    return [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]
