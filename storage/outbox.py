"""Delivery outbox: alert rows written in the ingest transaction, before anything is sent."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .models import Story

__all__ = ["enqueue"]


def enqueue(session: Session, story: Story, new_topics: list[str]) -> int:
    """Queue alerts of this story for subscribers of the newly added topics (subscribers come later)."""
    return 0
