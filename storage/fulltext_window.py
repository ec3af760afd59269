"""Token queries for story-grouped search: the whole ranked window with each match's story, and
the older matches below it by id, so the ``search`` package can group matches into stories.

The same dialect SQL as :func:`storage.fulltext.find` (one place builds it); this module only
asks it for rows in the shapes grouping needs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from .fulltext import Phrase, _estimate, _filters, _index_scans, _newest, _Query, _ranked
from .models import Article

__all__ = ["Match", "Matches", "Window", "matches"]


class Match(NamedTuple):
    """One matching article and its story (None for an article stored without one). A tuple, not a
    dataclass: a window holds up to 1,000 of them, built on every search."""

    article_id: int
    story_id: int | None
    in_title: int = 0  # 1 when every term is in the title
    score: float = 0.0


@dataclass(frozen=True)
class Window:
    """Every match in the ranking window, best first; ``cut`` is the window's lowest id when older
    matches exist (None: the window holds every match); ``total`` counts matching articles
    (estimated from the window's share of the archive when ``cut`` is set)."""

    rows: list[Match]
    cut: int | None
    total: int


class Matches:
    """One token query with its filters, asked several times by story grouping."""

    def __init__(self, session: Session, query: _Query, conds: list) -> None:
        self.session, self.query, self.conds = session, query, conds

    def window(self, size: int) -> Window:
        """The newest ``size`` matches, ranked as :func:`storage.fulltext.find` ranks them."""
        newest = _newest(self.session, self.query, self.conds, size)
        if not newest:
            return Window([], None, 0)
        cut = newest[-1] if len(newest) >= size else None
        params = {"cut": cut} if cut is not None else {}
        rows = list(
            map(Match._make, self.session.execute(_ranked(self.query, newest, self.conds, cut), params))
        )
        total = len(newest) if cut is None else _estimate(self.session, size, cut)
        return Window(rows, cut, total)

    def older(self, below: int, limit: int) -> list[Match]:
        """Matches with ids under ``below``, newest first (unranked: they are past the window)."""
        ids = self.query.ids(below=True)
        stmt = (
            select(ids.c.id, Article.story_id)
            .join(Article, Article.id == ids.c.id)
            .where(*self.conds)
            .order_by(ids.c.id.desc())
            .limit(limit)
        )
        return [Match(i, story) for i, story in self.session.execute(stmt, {"cut": below})]

    def stories_matching(self, story_ids: set[int], lo: int, hi: int) -> set[int]:
        """Which of ``story_ids`` have a match with ``lo <= id < hi``."""
        if not story_ids:
            return set()
        ids = self.query.ids(below=True)
        stmt = (
            select(Article.story_id)
            .join(ids, ids.c.id == Article.id)
            .where(*self.conds, Article.id >= lo, Article.story_id.in_(story_ids))
            .distinct()
        )
        return set(self.session.scalars(stmt, {"cut": hi}))


@contextmanager
def matches(
    session: Session,
    positives: Sequence[Phrase],
    negatives: Sequence[Phrase] = (),
    *,
    topic: str | None = None,
    source: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    title_weight: float = 3.0,
) -> Iterator[Matches]:
    """A :class:`Matches` for one query and its filters (as :func:`storage.fulltext.find` takes
    them); PostgreSQL's index-scan setting holds while it is open."""
    query = _Query(session, positives, negatives, title_weight)
    with nullcontext() if query.sqlite else _index_scans(session):
        yield Matches(session, query, _filters(topic, source, since, until))
