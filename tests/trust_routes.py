"""Every route of every declared API function, read from the resolvers' own route tables, so a
route added later is walked by the trust tests without anyone listing it."""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from schemas.declaration import FUNCTIONS, TABLES, ApiTrigger

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Route:
    function: str
    method: str
    template: str

    @property
    def path(self) -> str:
        """A concrete path: every parameter filled with a plausible id that exists nowhere."""
        return re.sub(r"\{([^}]+)\}", lambda m: _sample(m.group(1)), self.template)

    def __str__(self) -> str:
        return f"{self.method} {self.template} ({self.function})"


def _sample(name: str) -> str:
    prefix = name.removesuffix("_id")
    return f"{prefix[:5]}_00000000000000000000000000"


def all_routes() -> list[Route]:
    found: dict[tuple[str, str], Route] = {}
    for function in FUNCTIONS:
        if not function.of_type(ApiTrigger):
            continue
        app = importlib.import_module(function.module).app
        for route in [*app._static_routes, *app._dynamic_routes]:
            found.setdefault((route.method, route.openapi_path), Route(function.name, route.method, route.openapi_path))
    routes = sorted(found.values(), key=lambda r: (r.template, r.method))
    assert len(routes) > 40, "the route tables were not read"
    return routes


def unsafe_routes() -> list[Route]:
    return [r for r in all_routes() if r.method in UNSAFE]


def table_fingerprint(runtime: Any) -> dict[str, str]:
    """A digest of everything stored in every table (test-only Scan): equal digests, nothing written."""
    ddb = runtime.client("dynamodb")
    digests = {}
    for table in TABLES:
        name = runtime.resources.tables[table.name]
        items: Iterator[dict[str, Any]] = (
            item for page in ddb.get_paginator("scan").paginate(TableName=name) for item in page["Items"]
        )
        rows = sorted(json.dumps(item, sort_keys=True, default=str) for item in items)
        digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests
