"""The base of every request and response body of the HTTP API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """A body of the HTTP API.

    Its validator and serializer are built on first use, not when its module is imported: a
    function serves one route per cold start, and building every body model of its area at
    import (pydantic's default) is a noticeable share of that cold start."""

    model_config = ConfigDict(defer_build=True)
