"""Source tiers: how official a copy is. A story's lead is its lowest-tier copy (storage.stories)."""

from __future__ import annotations

__all__ = ["DEFAULT_TIER", "TIERS"]

TIERS = {"official": 0, "portal": 1, "aggregator": 2, "other": 3}  # name in [[sources]] -> stored tier
DEFAULT_TIER = TIERS["other"]  # a source whose kind says nothing about how official it is
