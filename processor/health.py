"""Source health: the one verdict on a source, read by `newsradar status`, the web sources page and
the daemon's admin watch, so the three never disagree about the same source.

A monitor that silently stops finding news is worse than one that crashes. From the recorded crawls
(storage.health) and the source's articles, a source is:

- failing: its latest crawls found no list items; admins are told once `[health] failing_after`
  crawls in a row failed (before that, status and the web show it failing, not yet told);
- blocked: the site answered with a bot challenge instead of its list; told at once;
- quiet: no new article for `quiet_factor` times its usual gap (at least `quiet_min`); told;
- partial / degraded: some pages failed or needed generic extraction; shown, never told;
- ok, or unknown when never crawled.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from common import BLOCKED_REASON, iso_time, utcnow
from storage.health import FIGURES, article_totals, published_since, recent_runs, recent_runs_of

__all__ = ["HealthSettings", "Verdict", "check_source", "quiet_limit", "source_health"]

_BLOCKED_HELP = "the site answers crawlers with a JavaScript check instead of its pages; nothing was stored"
_HISTORY = 5  # crawls read per source (more when failing_after is larger)


@dataclass(frozen=True)
class HealthSettings:
    failing_after: int = 3  # failed crawls in a row before the admins hear of it
    quiet_factor: float = 4.0  # no new article for this many times the source's median gap ...
    quiet_min: float = 86400.0  # ... and at least this long (seconds)
    quiet_history: float = 30 * 86400.0  # the gaps are measured over this much history


@dataclass(frozen=True)
class Verdict:
    status: str  # unknown | ok | failing | blocked | quiet | partial | degraded
    detail: str = ""
    since: datetime | None = None  # when the problem began (failing, blocked, quiet)
    alert: bool = False  # a problem the admins are told about (the daemon's watch)


def quiet_limit(published: Sequence[datetime], factor: float, minimum: float) -> float | None:
    """Seconds without a new article after which a source counts as quiet: `factor` times the
    median gap between its articles, at least `minimum`; None with too few articles to tell."""
    stamps = sorted(published)
    if len(stamps) < 5:
        return None
    gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:], strict=False)]
    return max(minimum, factor * statistics.median(gaps))


def _failed(runs: list[Row], health: HealthSettings) -> Verdict | None:
    streak = []
    for run in runs:
        if run.list_items or run.unchanged_lists:
            break
        streak.append(run)
    if not streak:
        return None
    n = len(streak)
    in_a_row = f"{n} crawl{'s' if n > 1 else ''} in a row"
    if streak[0].blocked:  # not "no items": the site never showed its list; told at once
        since = next((r for r in reversed(streak) if r.blocked), streak[0]).finished_at
        return Verdict("blocked", f"{BLOCKED_REASON}: {_BLOCKED_HELP} ({in_a_row})", since, True)
    why = streak[0].first_error or "its list pages yielded no links: has the site's layout changed?"
    return Verdict("failing", f"{why} ({in_a_row})", streak[-1].finished_at, n >= health.failing_after)


def _quiet(
    session: Session, source: str, last_new: datetime | None, health: HealthSettings, now: datetime
) -> Verdict | None:
    if last_new is None:
        return None
    published = published_since(session, source, now - timedelta(seconds=health.quiet_history))
    limit = quiet_limit(published, health.quiet_factor, health.quiet_min)
    if limit is None or (now - last_new).total_seconds() <= limit:
        return None
    why = f"no new article for longer than {limit / 3600:.0f} h ({health.quiet_factor:g}x its usual gap)"
    return Verdict("quiet", why, last_new, True)


def _working(runs: list[Row]) -> Verdict:
    last = runs[0]
    if last.blocked:
        noun = "page was" if last.blocked == 1 else "pages were"
        return Verdict("partial", f"{last.blocked} article {noun} {BLOCKED_REASON}; nothing stored from them")
    # Judge extraction by the latest crawl that read articles (a quiet crawl reads none).
    worked = next((r for r in runs if r.new or r.updated or r.errors), None)
    if worked is not None and worked.fallback:
        noun = "article" if worked.fallback == 1 else "articles"
        why = f"{worked.fallback} {noun} needed generic extraction: has the site's template changed?"
        return Verdict("degraded", why)
    if last.errors:
        pages = f"{last.errors} page{'' if last.errors == 1 else 's'}"
        return Verdict("partial", f"{pages} failed, e.g. {last.first_error}")
    return Verdict("ok")


def _judge(
    session: Session,
    source: str,
    runs: list[Row],
    last_new: datetime | None,
    health: HealthSettings,
    now: datetime,
) -> Verdict:
    if not runs:
        return Verdict("unknown", "never crawled")
    return _failed(runs, health) or _quiet(session, source, last_new, health, now) or _working(runs)


def check_source(
    session: Session, source: str, health: HealthSettings | None = None, now: datetime | None = None
) -> Verdict:
    """The verdict on one source now, from its recorded crawls and articles."""
    health = health or HealthSettings()
    runs = recent_runs(session, source, max(_HISTORY, health.failing_after))
    _, last_new = article_totals(session, [source]).get(source, (0, None))
    return _judge(session, source, runs, last_new, health, now or utcnow())


def source_health(
    session: Session, sources: list[str], health: HealthSettings | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per source: last crawl, last new article, stored count and the verdict, as plain data."""
    health = health or HealthSettings()
    now = now or utcnow()
    totals = article_totals(session, sources)
    history = recent_runs_of(session, sources, max(_HISTORY, health.failing_after))
    out = []
    for name in sources:
        runs = history[name]
        stored, newest = totals.get(name, (0, None))
        v = _judge(session, name, runs, newest, health, now)
        out.append(
            {
                "source": name,
                "status": v.status,
                "detail": v.detail,
                "alert": v.alert,
                "last_crawl": iso_time(runs[0].finished_at) if runs else None,
                "last_new_article": iso_time(newest),
                "articles": stored,
                "last_run": {k: getattr(runs[0], k) for k in FIGURES} if runs else None,
                # which crawler node ran the last crawl, and its Scrapyd job (None: the local process)
                "last_node": runs[0].node if runs else None,
                "last_job": runs[0].job if runs else None,
            }
        )
    return out
