"""CSV for the community team's spreadsheets, safe against CSV (formula) injection.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or their
full-width forms, a tab or a line break) as a formula, so anything a member typed could become
one. Such cells get a leading apostrophe, which spreadsheets show as text (OWASP's advice).
Quoting and embedded line breaks are left to the ``csv`` module (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value).replace("\0", "")
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text


def csv_document(columns: Sequence[str], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(safe_cell(value) for value in row)
    return buffer.getvalue()
