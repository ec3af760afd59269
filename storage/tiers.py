"""Source tiers: how official a copy is. A story's lead is its lowest-tier copy (storage.stories)."""

from __future__ import annotations

__all__ = ["DEFAULT_TIER", "TIERS"]

from common.values import DEFAULT_TIER, TIERS  # defined there: the config reads them without SQLAlchemy
