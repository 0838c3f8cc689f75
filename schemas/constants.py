"""Names shared by the declaration and the code, with no imports of their own."""

from __future__ import annotations

#: The ``source`` of every domain event Convene puts on its bus.
EVENT_SOURCE = "convene"
