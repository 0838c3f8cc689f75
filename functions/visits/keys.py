"""Visits as listings (``functions.places.keys``), named apart from the domain so that readers
that must not load the visits area's models (the home page, a cold start) find them."""

from __future__ import annotations

#: Keys ``VISIT#<id>``, the id in ``visit_id``, pages under ``/visits``.
NOUN = "visit"
