""" "Supporting Q Connections" funding: rounds, bids, reviewer decisions."""

from __future__ import annotations

from .model import Bucket, Function

FUNCTIONS: tuple[Function, ...] = ()
BUCKETS: tuple[Bucket, ...] = ()
