"""Watching the sources: a source that keeps failing, is blocked or falls silent raises ONE admin
alert (what, since when), and one recovery note when it works again; never one per run. What
counts as a problem is processor.health's verdict, the one `status` and the web show too.

The state lives in the settings table (`watch:<source>`), so a restart or a takeover by the
standby neither repeats an alert nor forgets one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from common import secret_key
from processor.health import HealthSettings
from processor.health import check_source as source_verdict
from storage import Setting, to_beijing
from storage.state import get_setting, set_setting

log = logging.getLogger("newsradar.run")

__all__ = ["Problem", "Transition", "check_source", "watch_job", "watch_sources", "watch_state"]


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


def check_source(
    session: Session, source: str, health: HealthSettings, now: datetime | None = None
) -> Problem | None:
    """What the admins should hear about one source now (processor.health's verdict), or None."""
    verdict = source_verdict(session, source, health, now)
    if not verdict.alert or verdict.since is None:
        return None
    return Problem(verdict.status, verdict.detail, verdict.since)


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


async def watch_job(db: Any, labels: dict[str, str], health: HealthSettings, notes: Any) -> list[Transition]:
    """The daemon's watch after a crawl round (and hourly): record what changed for `labels`
    (source name -> label) and tell the admins through `notes` (notifiers.admin.AdminNotes)."""

    def check() -> list[Transition]:
        with db.session() as s:
            changes = watch_sources(s, labels, health)
            s.commit()  # before telling: an admin hears of a change at most once
            return changes

    changes = await asyncio.to_thread(check)
    for change in changes:
        (log.warning if change.problem else log.info)("%s: %s", change.subject(), change.text())
        secret = await asyncio.to_thread(secret_key, db)
        if not await notes.send(change.subject(), change.text(), secret):
            log.warning(
                "no admin was told yet (set [telegram] admin_chats or [alerts] admin_emails; "
                "failed sends are retried)"
            )
    return changes
