"""The attendee list as CSV for the community team (opened in spreadsheet programs)."""

from __future__ import annotations

import csv
import io

from .domain import Signup

#: A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

COLUMNS = (
    "Name",
    "Email",
    "Status",
    "Waiting-list position",
    "Access needs",
    "Dietary needs",
    "Note",
    "Signed up at (UTC)",
)


def safe_cell(value: object) -> str:
    """Text as the spreadsheet should show it: never a formula. A leading apostrophe is how
    spreadsheet programs themselves mark text that would otherwise be read as a formula."""
    text = "" if value is None else str(value)
    text = text.replace("\0", "")
    if text.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def attendees_csv(rows: list[tuple[Signup, int | None]]) -> str:
    buffer = io.StringIO()
    # QUOTE_ALL and \r\n as RFC 4180: commas, quotes and line breaks in a note stay in their cell.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for signup, position in rows:
        writer.writerow(
            [
                safe_cell(signup.name),
                safe_cell(signup.email),
                safe_cell(signup.status.value),
                "" if position is None else str(position),
                safe_cell(signup.access_needs),
                safe_cell(signup.dietary_needs),
                safe_cell(signup.note),
                signup.signed_up_at.isoformat(timespec="seconds"),
            ]
        )
    # A byte order mark: spreadsheet programs then read the file as UTF-8 (names with accents).
    return "\ufeff" + buffer.getvalue()
