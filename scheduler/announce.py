"""What the daemon says when it starts: what it watches, when each source runs next, where alerts go,
where the web archive is."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from storage import Channel, Subscriber, to_beijing, utcnow

from .plan import next_digest_at
from .settings import zone

__all__ = ["describe", "every_text"]


def every_text(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def describe(daemon: Any) -> str:
    """The start-up summary, a few lines a person reads once."""
    from common import secret_key
    from notifiers.admin import admin_channels
    from notifiers.channels import channel_problems

    lines = [f"newsradar run: leading (pid {daemon.leader.pid}); watching {len(daemon.sources)} sources"]
    jobs = {j.id: j for j in daemon.scheduler.get_jobs()}
    for s in daemon.sources.values():
        title = f" ({s.title})" if s.title else ""
        job = jobs.get(f"crawl:{s.name}")
        later = to_beijing(job.next_run_time).strftime("%H:%M:%S") if job and job.next_run_time else "-"
        lines.append(
            f"  {s.name}{title}: every {every_text(s.every)}, crawled now, then from {later} 北京时间"
        )
    with daemon.db.session() as session:
        kinds = Counter(
            kind
            for (kind,) in session.execute(
                select(Channel.kind)
                .join(Subscriber, Subscriber.id == Channel.subscriber_id)
                .where(Channel.active.is_(True), Subscriber.paused.is_(False))
            )
        )
    missing = channel_problems(daemon.notifier, secret_key(daemon.db))
    where = []
    for kind, n in sorted(kinds.items()):
        note = f" (waiting: {missing[kind]})" if kind in missing else ""
        where.append(f"{n} {kind}{note}")
    lines.append("alerts go to: " + (", ".join(where) or "no subscribers yet (`newsradar subscribers add`)"))
    lines.append(
        f"web archive: {daemon.web_url}"
        if daemon.web_url
        else "web archive: off (add a [web] section to serve it)"
    )
    d = daemon.digest
    nxt = next_digest_at(utcnow(), zone(d.timezone), d.at)
    lines.append(
        f"daily digest at {d.time} ({d.timezone}; subscribers may have their own), next {nxt:%Y-%m-%d %H:%M %Z}"
    )
    admins = admin_channels(daemon.notifier)
    lines.append(
        "source problems go to: "
        + (", ".join(admins) or "the log only (set [telegram] admin_chats or [alerts] admin_emails)")
    )
    return "\n".join(lines)
