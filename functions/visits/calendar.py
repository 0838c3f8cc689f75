"""Calendar invitations for visits: the shared ones of ``functions.places.calendar``."""

from __future__ import annotations

from functions.places.calendar import Method, invitation, uid

__all__ = ["Method", "invitation", "uid"]
