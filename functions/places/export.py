"""The attendee list as CSV for the community team (opened in spreadsheet programs)."""

from __future__ import annotations

from functions.common.spreadsheet import csv_document, safe_cell

from .domain import Signup

COLUMNS = (
    "Name",
    "Email",
    "Status",
    "Waiting-list position",
    "Access needs",
    "Dietary needs",
    "Note",
    "Signed up at (UTC)",
    "Answers",
    "Attended",
)

_ATTENDED = {True: "yes", False: "no", None: ""}


def attendees_csv(rows: list[tuple[Signup, int | None]]) -> str:
    document = csv_document(
        COLUMNS,
        (
            (
                signup.name,
                signup.email,
                signup.status.value,
                "" if position is None else position,
                signup.access_needs,
                signup.dietary_needs,
                signup.note,
                signup.signed_up_at.isoformat(timespec="seconds"),
                "\n".join(f"{question}: {answer}" for question, answer in signup.answers),
                _ATTENDED[signup.attended],
            )
            for signup, position in rows
        ),
    )
    # A byte order mark: spreadsheet programs then read the file as UTF-8 (names with accents).
    return "\ufeff" + document


__all__ = ["COLUMNS", "attendees_csv", "safe_cell"]
