"""A Lambda function's initialisation without the garbage collector.

A handler module's imports (botocore, Powertools, pydantic, the area's code) create about
100,000 objects that live as long as the container, and almost no garbage (about a thousand
objects). CPython's collector still walks them again and again while they are being created:
40-50 ms of a 350 ms cold start, more than any one package's import. Pausing it for the
imports, then freezing what they built (``gc.freeze``: left out of every later collection),
saves that time, and spares every later full collection, in warm invocations too, from walking
the same ~100,000 objects again (~30 ms each). The cost is the garbage made before the freeze,
which is never collected: under 1 MB.

Only this module's own imports run before the pause: keep it free of anything heavy.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Wrap a handler module's imports and setup: ``with collector_paused(): ...``."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:  # the local runtime loads containers on several threads: never enable what another paused
            gc.enable()
