"""The newsletter: subscribers, assembly from community events, editor approval, sending."""

from __future__ import annotations

from .model import Bucket, Function

FUNCTIONS: tuple[Function, ...] = ()
BUCKETS: tuple[Bucket, ...] = ()
