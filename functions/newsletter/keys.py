"""How newsletter issues are listed by status, shared by ``repository.py`` and by readers that
must not load the newsletter's models: the home page links the latest issue on every visitor's
first page, a cold start, and the domain brings the newsletter's pydantic schemas with it.
"""

from __future__ import annotations

from enum import StrEnum


class IssueStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"  # approval sends the issue: the approved issues are the sent ones


def by_status(status: IssueStatus) -> str:
    """The ``gsi1`` partition of the issues in ``status`` (sorted by creation)."""
    return f"NLISSUES#{status.value}"
