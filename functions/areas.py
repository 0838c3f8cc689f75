"""The modules whose ``register(app)`` adds an area's routes, derived from the declaration:
each API function's package has a ``routes`` module. The OpenAPI document is built from all of
them; each area's own function registers only its own."""

from __future__ import annotations

from schemas.declaration import FUNCTIONS, ApiTrigger

#: The site function serves the home page and the docs; its routes are not an area's.
_NOT_AN_AREA = frozenset({"functions.site"})

AREAS: tuple[str, ...] = tuple(
    sorted(
        {
            f"{function.package}.routes"
            for function in FUNCTIONS
            if function.of_type(ApiTrigger) and function.package not in _NOT_AN_AREA
        }
    )
)
