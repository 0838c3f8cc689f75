"""The attendee list as CSV: the shared export of ``functions.places.export``."""

from __future__ import annotations

from functions.places.export import COLUMNS, attendees_csv, safe_cell

__all__ = ["COLUMNS", "attendees_csv", "safe_cell"]
