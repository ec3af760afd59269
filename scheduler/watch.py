"""Watching the sources: a source that keeps failing, is blocked or falls silent raises ONE admin
alert (what, since when), and one recovery note when it works again; never one per run.

The state lives in the settings table (`watch:<source>`), so a restart or a takeover by the
standby neither repeats an alert nor forgets one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage import Article, CrawlRun, Setting, to_beijing, utcnow
from storage.health import BLOCKED_REASON
from storage.state import get_setting, set_setting

from .plan import quiet_limit
from .settings import HealthSettings

__all__ = ["Problem", "Transition", "check_source", "watch_sources", "watch_state"]


@dataclass(frozen=True)
class Problem:
    kind: str  # failing | blocked | quiet
    detail: str
    since: datetime


@dataclass(frozen=True)
class Transition:
    """A change admins hear about: a new problem (alert) or the end of one (recovery)."""

    source: str
    label: str
    problem: Problem | None  # None: recovered
    previous: dict[str, Any] | None

    def subject(self) -> str:
        if self.problem is None:
            return f"newsradar: source {self.label} works again"
        return f"newsradar: source {self.label} is {self.problem.kind}"

    def text(self) -> str:
        if self.problem is None:
            since = (self.previous or {}).get("since", "?")
            try:
                since = to_beijing(datetime.fromisoformat(since)).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                pass
            return (
                f"{self.label} ({self.source}) works again. It was {(self.previous or {}).get('kind')} "
                f"since {since}: {(self.previous or {}).get('detail', '')}"
            )
        when = to_beijing(self.problem.since).strftime("%Y-%m-%d %H:%M")
        return (
            f"{self.label} ({self.source}) is {self.problem.kind} since {when} (Beijing time): "
            f"{self.problem.detail}\nSee `newsradar status` and `newsradar sources test {self.source}`."
        )


def _streak(runs: list[CrawlRun]) -> list[CrawlRun]:
    out = []
    for run in runs:
        if run.list_items or run.unchanged_lists:
            break
        out.append(run)
    return out


def check_source(
    session: Session, source: str, health: HealthSettings, now: datetime | None = None
) -> Problem | None:
    """What is wrong with one source now, judged from its recorded crawls and articles."""
    now = now or utcnow()
    runs = list(
        session.scalars(
            select(CrawlRun)
            .where(CrawlRun.source == source)
            .order_by(CrawlRun.id.desc())
            .limit(health.failing_after)
        )
    )
    failed = _streak(runs)
    if failed and failed[0].blocked:  # at once: waiting for more crawls changes nothing
        since = next((r for r in reversed(failed) if r.blocked), failed[0]).finished_at
        why = f"{BLOCKED_REASON}: the site shows crawlers a JavaScript check instead of its list, so nothing is stored"
        return Problem("blocked", why, since)
    if runs and len(failed) >= health.failing_after:
        why = failed[0].first_error or "its list pages yielded no links: has the site's layout changed?"
        return Problem("failing", f"{why} ({len(failed)} crawls in a row)", failed[-1].finished_at)
    if not runs:
        return None
    last_new = session.scalar(select(func.max(Article.fetched_at)).where(Article.source == source))
    if last_new is None:
        return None
    window = now - timedelta(seconds=health.quiet_history)
    published = list(
        session.scalars(
            select(Article.published_at).where(
                Article.source == source, Article.published_at.is_not(None), Article.published_at >= window
            )
        )
    )
    limit = quiet_limit(published, health.quiet_factor, health.quiet_min)
    if limit is not None and (now - last_new).total_seconds() > limit:
        hours = limit / 3600
        why = f"no new article for longer than {hours:.0f} h ({health.quiet_factor:g}x its usual gap)"
        return Problem("quiet", why, last_new)
    return None


def watch_state(session: Session, source: str) -> dict[str, Any] | None:
    """The recorded problem of a source (kind, detail, since), or None; what status shows."""
    return get_setting(session, f"watch:{source}")


def watch_sources(
    session: Session, sources: dict[str, str], health: HealthSettings, now: datetime | None = None
) -> list[Transition]:
    """Check `sources` (name -> display label), record their state, return what changed
    (the caller commits after telling the admins, so a crash re-tells rather than forgets)."""
    changes = []
    for name, label in sources.items():
        problem = check_source(session, name, health, now)
        key = f"watch:{name}"
        known = get_setting(session, key)
        if problem is not None and known is None:
            set_setting(
                session,
                key,
                {"kind": problem.kind, "detail": problem.detail, "since": problem.since.isoformat()},
            )
            changes.append(Transition(name, label, problem, None))
        elif problem is None and known is not None:
            session.execute(delete(Setting).where(Setting.key == key))
            changes.append(Transition(name, label, None, known))
    return changes
