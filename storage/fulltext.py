"""Full-text index queries, one implementation per dialect (the tables and their writes are in
:mod:`storage.fulltext_index`, re-exported here).

Storage keeps token strings and answers token queries; what a token is and how a user's query
becomes token phrases is decided by the ``search`` package above.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, Integer, Select, bindparam, column, func, select, table, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from .fulltext_index import TABLES, Previous, create_tables, drop_tables, include_name, index_missing, store
from .models import Article, TopicMatch

__all__ = [
    "TABLES",
    "Found",
    "Phrase",
    "Previous",
    "Row",
    "create_tables",
    "drop_tables",
    "find",
    "include_name",
    "index_missing",
    "store",
]

#: Token phrase: (token, prefix) pairs that must stand at consecutive positions.
Phrase = Sequence[tuple[str, bool]]

_SEARCH_INDEX = table("search_index", column("article_id", Integer), column("doc"))

# -- queries -------------------------------------------------------------------------------


def _fts5_phrase(phrase: Phrase) -> str:
    return " + ".join(f'"{tok}"' + ("*" if prefix else "") for tok, prefix in phrase)


def _fts5(positives: Sequence[Phrase], negatives: Sequence[Phrase]) -> str:
    expr = " AND ".join(f"({_fts5_phrase(p)})" for p in positives)
    if negatives:
        expr = f"({expr}) NOT ({' OR '.join(f'({_fts5_phrase(p)})' for p in negatives)})"
    return expr


def _ts_phrase(phrase: Phrase, weight: str = "") -> str:
    parts = []
    for tok, prefix in phrase:
        label = ("*" if prefix else "") + weight
        parts.append(f"'{tok}'" + (f":{label}" if label else ""))
    return "(" + " <-> ".join(parts) + ")"


def _tsquery(positives: Sequence[Phrase], negatives: Sequence[Phrase], weight: str = "") -> str:
    expr = " & ".join(_ts_phrase(p, weight) for p in positives)
    if negatives:
        expr = f"({expr}) & !({' | '.join(_ts_phrase(p) for p in negatives)})"
    return expr


@dataclass(frozen=True)
class Row:
    """One matching article: in_title when every positive phrase is in its title; higher score ranks first."""

    article_id: int
    in_title: bool
    score: float


@dataclass(frozen=True)
class Found:
    """One page of rows, whether more follow, and the number of matches (estimated when not exact)."""

    rows: list[Row]
    more: bool
    total: int
    total_exact: bool


class _Query:
    """The dialect's SQL for one token query: matching ids, and ids with in_title and score."""

    def __init__(self, session: Session, positives, negatives, title_weight: float) -> None:
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        if self.sqlite:
            self.params = {
                "q": _fts5(positives, negatives),
                "tq": "{title} : (" + _fts5(positives, []) + ")",
                "tw": title_weight,
            }
        else:
            self.params = {
                "q": _tsquery(positives, negatives),
                "tq": _tsquery(positives, [], "A"),
                "w": f"{{0.1,0.1,0.1,{0.1 * title_weight}}}",  # weights of D, C, B, A (title)
                # Every token of the positives, anywhere: the GIN index answers this alone, with
                # no document read; phrases then need each document's positions.
                # One-token exclusions too (the index knows which documents lack a token).
                "cand": " & ".join(
                    [_ts_phrase([t]) for p in positives for t in p]
                    + ["!" + _ts_phrase(p) for p in negatives if len(p) == 1]
                ),
            }
        self.exact = self.sqlite or all(len(p) == 1 for p in (*positives, *negatives))

    def candidates(self, floor: int | None = None):
        """PostgreSQL: subquery (id) of the articles holding every positive token (a superset),
        only those with ids over ``floor`` when given."""
        above, lo = ("", {}) if floor is None else (" AND article_id > :lo", {"lo": floor})
        sql = f"SELECT article_id AS id FROM search_index WHERE doc @@ CAST(:cand AS tsquery){above} OFFSET 0"
        return text(sql).bindparams(cand=self.params["cand"], **lo).columns(id=Integer).subquery("c")

    def _where(self, q: str, above: bool) -> str:
        if self.sqlite:
            return f"search_fts MATCH :{q}" + (" AND rowid >= :cut" if above else "")
        return f"doc @@ CAST(:{q} AS tsquery)" + (" AND article_id >= :cut" if above else "")

    def ids(self, *, below: bool = False, floor: int | None = None):
        """Subquery (id) of every match (or of those under the window's cut; over ``floor``)."""
        col, table = ("rowid", "search_fts") if self.sqlite else ("article_id", "search_index")
        cond = self._where("q", False) + (f" AND {col} < :cut" if below else "")
        lo = {} if floor is None else {"lo": floor}
        cond += f" AND {col} > :lo" if lo else ""
        fence = "" if self.sqlite else " OFFSET 0"  # PostgreSQL: match by the GIN index, then order
        stmt = text(f"SELECT {col} AS id FROM {table} WHERE {cond}{fence}").bindparams(
            q=self.params["q"], **lo
        )
        return stmt.columns(id=Integer).subquery("m")

    def ranked(self, above: bool, ids: Sequence[int]):
        """Subquery (id, in_title, score) of the matches (those at or above the cut when ``above``).

        ``ids`` are those matches, already found: PostgreSQL ranks them by primary key. Left to
        match again, its planner costs a tsvector as a pointer, not the detoasting it takes, and
        picks a sequential scan of every document for a rare word (0.4 s at 100k articles)."""
        if self.sqlite:
            sql = (
                f"SELECT rowid AS id, rowid IN (SELECT rowid FROM search_fts WHERE {self._where('tq', above)}) "
                f"AS in_title, -bm25(search_fts, 1.0, :tw) AS score FROM search_fts WHERE {self._where('q', above)}"
            )
            stmt = text(sql).bindparams(**self.params)
        else:
            sql = (
                "SELECT article_id AS id, doc @@ CAST(:tq AS tsquery) AS in_title, "
                "ts_rank(CAST(:w AS float4[]), doc, CAST(:q AS tsquery), 1) AS score "
                "FROM search_index WHERE article_id = ANY(:ids)"
            )
            ranks = {k: self.params[k] for k in ("q", "tq", "w")}
            stmt = text(sql).bindparams(bindparam("ids", list(ids), type_=ARRAY(Integer)), **ranks)
        return stmt.columns(id=Integer, in_title=Integer, score=Float).subquery("m")


def _filters(topic, source, since, until) -> list:
    when = func.coalesce(Article.published_at, Article.fetched_at)
    conds = []
    if source:
        conds.append(Article.source == source)
    if topic:
        conds.append(Article.id.in_(select(TopicMatch.article_id).where(TopicMatch.topic_id == topic)))
    if since is not None:
        conds.append(when >= since)
    if until is not None:
        conds.append(when < until)
    return conds


def find(
    session: Session,
    positives: Sequence[Phrase],
    negatives: Sequence[Phrase] = (),
    *,
    topic: str | None = None,
    source: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 20,
    offset: int = 0,
    title_weight: float = 3.0,
    window: int = 1000,
) -> Found:
    """One page of matching articles. The newest ``window`` matches (by id: the order they were
    stored) are ranked: title matches first, then score, then the newest by publication; older
    matches follow, newest first. ``since`` is inclusive, ``until`` exclusive; an article without
    a publication date counts by when it was fetched. The total is exact while every match fits
    the window, else estimated from how much of the archive the window spans."""
    query = _Query(session, positives, negatives, title_weight)
    with nullcontext() if query.sqlite else _index_scans(session):
        return _find(session, query, _filters(topic, source, since, until), limit, offset, window)


@contextmanager
def _index_scans(session: Session) -> Iterator[None]:
    """PostgreSQL's planner costs a tsvector as the pointer to its TOAST, not the detoasting a
    match takes, so it scans every document rather than the GIN index (60 ms at 10k articles,
    0.4 s at 100k for a rare word): sequential scans are off for these queries. The setting is
    local to the transaction, so a failed query's rollback undoes it too."""
    prev = session.execute(_PG_SEQSCAN_OFF).scalar()
    yield
    session.execute(_PG_SEQSCAN_SET, {"v": prev})


_PG_SEQSCAN_OFF = text("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
_PG_SEQSCAN_SET = text("SELECT set_config('enable_seqscan', :v, true)")


def _newest(session: Session, query: _Query, conds: list, window: int) -> Sequence[int]:
    """The ids of the newest ``window`` matches, newest first: their number is the exact total
    when fewer match, and the last is the cut below which matches are not ranked."""
    for floor in _floors(session, query, window):
        found = _newest_over(session, query, conds, window, floor)
        if len(found) >= window or floor is None:
            return found
    return []  # not reached: the last floor is None


_FIRST_SPAN = 4  # PostgreSQL looks for the window among the newest window x 4 ids first ...
_SPAN_GROWTH = 8  # ... then 8 times as many, and so on


def _floors(session: Session, query: _Query, window: int) -> Iterator[int | None]:
    """Id floors to look for the newest matches above, lowest last (None: no floor). PostgreSQL's
    GIN index answers in no order, so every match would be read to sort them (a common word: half
    the archive); above a floor near the newest id it reads only those. SQLite's FTS5 walks its
    doclists newest first and stops at the window by itself: one pass, no floor."""
    if query.sqlite:
        yield None
        return
    top = session.execute(select(func.max(Article.id))).scalar() or 0
    span = window * _FIRST_SPAN
    while top - span > 0:
        yield top - span
        span *= _SPAN_GROWTH
    yield None


def _newest_over(
    session: Session, query: _Query, conds: list, window: int, floor: int | None
) -> Sequence[int]:
    if not query.exact:
        probed = _probe(session, query, conds, window, floor)
        if probed is not None:
            return probed
    return session.scalars(_newest_first(query.ids(floor=floor), conds).limit(window)).all()


def _newest_first(ids, conds: list) -> Select:
    """The ids of a match subquery that pass the filters, newest first."""
    q = select(ids.c.id)
    if conds:
        q = q.join(Article, Article.id == ids.c.id).where(*conds)
    return q.order_by(ids.c.id.desc())


_PROBES = 3  # rounds of checking candidates before checking all of them at once


def _probe(session: Session, query: _Query, conds: list, window: int, floor: int | None) -> list[int] | None:
    """PostgreSQL phrases and exclusions: check the newest candidates first, as many as the share
    that matched so far says will fill the window. A common phrase (城市副中心, in most of 100k
    articles) is settled by reading ~1,250 documents, not all (0.6 s). None when the candidates
    match too rarely for this to pay: then every candidate is checked in one go."""
    newest = _newest_first(query.candidates(floor), conds)
    hit = text("search_index.doc @@ CAST(:q AS tsquery)").bindparams(q=query.params["q"])
    size = window + window // 4
    for _ in range(_PROBES):
        probe = newest.limit(size).subquery("p")
        stmt = select(probe.c.id, hit).join_from(
            probe, _SEARCH_INDEX, _SEARCH_INDEX.c.article_id == probe.c.id
        )
        rows = session.execute(stmt.order_by(probe.c.id.desc())).all()
        found = [r[0] for r in rows if r[1]]
        if len(found) >= window or len(rows) < size:
            return found[:window]
        if not found:
            return None
        size = int(size * window / len(found) * 1.5)
    return None


def _ranked(query: _Query, newest: Sequence[int], conds: list, cut: int | None) -> Select:
    """The window's matches best first: (id, story_id, in_title, score); bind ``cut`` when set."""
    m = query.ranked(cut is not None, newest)
    when = func.coalesce(Article.published_at, Article.fetched_at)
    q: Select = select(m.c.id, Article.story_id, m.c.in_title, m.c.score)
    q = q.join(Article, Article.id == m.c.id).where(*conds)
    return q.order_by(m.c.in_title.desc(), m.c.score.desc(), when.desc(), Article.id.desc())


def _find(session: Session, query: _Query, conds: list, limit: int, offset: int, window: int) -> Found:
    newest = _newest(session, query, conds, window)
    cut = newest[-1] if len(newest) >= window else None
    q = _ranked(query, newest, conds, cut)
    params = {"cut": cut} if cut is not None else {}
    result = session.execute(q.limit(limit + 1).offset(offset), params).all() if offset < len(newest) else []
    rows = [Row(r.id, bool(r.in_title), float(r.score)) for r in result]
    if cut is None:
        return Found(rows[:limit], len(rows) > limit, len(newest), True)
    if len(rows) <= limit:  # the page runs past the window: older matches, newest first
        older = _newest_first(query.ids(below=True), conds)
        start = max(0, offset - window)
        need = limit + 1 - len(rows)
        older_ids = session.scalars(older.offset(start).limit(need), params).all()
        rows += [Row(i, False, 0.0) for i in older_ids]
    return Found(rows[:limit], len(rows) > limit, _estimate(session, window, cut), False)


def _estimate(session: Session, window: int, cut: int) -> int:
    """Matches in all, from the window's share of the archive's ids (ids grow as articles arrive)."""
    # Two scalar subqueries: SQLite answers a lone min() or max() from the index, but scans the
    # whole table for min() and max() in one SELECT (16 ms at 100k articles).
    lo, hi = session.execute(
        select(select(func.min(Article.id)).scalar_subquery(), select(func.max(Article.id)).scalar_subquery())
    ).one()
    return max(window, round(window * (hi - lo + 1) / max(1, hi - cut + 1)))
