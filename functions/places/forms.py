"""The publishing form of anything with places (visits, events): its fields read into the API's
body, with dates from the GOV.UK date input (UK time), and errors in the order of the form."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from functions.common.dates import read_all
from functions.common.forms import validate
from functions.common.settings import settings

Body = TypeVar("Body", bound=BaseModel)

#: The fields every listing's publishing form has after its title, in order, with the labels
#: its error summary uses (areas put their own fields around them).
LISTING_LABELS = {
    "description": "Description",
    "format": "Format",
    "location": "Location",
    "joining_link": "Joining link",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "places": "Places",
    "signup_closes_at": "Sign-up closes",
    "waitlist_mode": "Waiting list",
    "offer_hours": "Hours to accept an offer",
}

#: The dates of a listing form: field name -> what "Enter the date ..." is completed with.
DATES = {"starts_at": "it starts", "ends_at": "it ends", "signup_closes_at": "sign-up closes"}


def read_listing_form(
    model: type[Body], form: dict[str, str], labels: dict[str, str], **extra: Any
) -> tuple[Body | None, dict[str, str]]:
    """``labels`` lists the form's fields in order (the error summary's order); ``extra`` adds
    values the area reads itself (lists, choices)."""
    fields = model.model_fields
    data: dict[str, Any] = {k: form.get(k, "") for k in labels if k not in DATES and k in form and k in fields}
    if not str(data.get("offer_hours", "")).strip():
        data.pop("offer_hours", None)
    data.setdefault("format", form.get("format", ""))
    dates, errors = read_all(form, {k: v for k, v in DATES.items() if k in labels}, settings().timezone)
    data.update(dates)
    if "origins" in fields:  # what it came from, carried by the form (issue 11)
        data["origins"] = form.get("origins", "").split()
    data.update(extra)
    body, problems = validate(model, data)
    for field, message in problems.items():
        errors.setdefault(field, message)
    ordered = {field: errors[field] for field in labels if field in errors}
    return (body if not errors else None), {**ordered, **errors}
