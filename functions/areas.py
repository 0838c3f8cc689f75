"""The modules whose ``register(app)`` adds an area's routes. The OpenAPI document is built
from all of them; each area's own function registers only its own."""

from __future__ import annotations

AREAS: tuple[str, ...] = (
    "functions.auth.routes",
    "functions.sigs.routes",
)
