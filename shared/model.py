"""Base classes of every pydantic model in ShopDesk.

``defer_build``: pydantic builds a model's validator on first use instead of at import, so a
function pays only for the models its request touches (cold start; see docs/performance.md).
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """A response or internal model: unknown fields are ignored."""

    model_config = ConfigDict(defer_build=True)


class Input(BaseModel):
    """A request body or query: unknown fields are an error, surrounding blanks are trimmed."""

    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)
