"""Scheduler: `newsradar run`, the daemon that crawls on schedule, alerts, sends digests and leads."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Daemon", "DaemonSetup", "crawl_round", "leader_info", "run_daemon"]

if TYPE_CHECKING:
    from .daemon import Daemon, DaemonSetup
    from .leader import leader_info
    from .rounds import crawl_round


def run_daemon(setup: DaemonSetup, *, once: bool = False) -> int:
    """Run the daemon in this process until SIGTERM / Ctrl-C (or one round with once)."""
    import asyncio

    from .daemon import Daemon

    return asyncio.run(Daemon(setup, once=once).run())


def __getattr__(name: str):  # noqa: ANN202
    """Loaded on first use: `newsradar status` reads leader_info without APScheduler's imports."""
    if name in ("Daemon", "DaemonSetup"):
        from . import daemon

        return getattr(daemon, name)
    if name == "crawl_round":  # `newsradar crawl` with [crawl] nodes: the daemon's own round
        from .rounds import crawl_round

        return crawl_round
    if name == "leader_info":
        from .leader import leader_info

        return leader_info
    raise AttributeError(f"module 'scheduler' has no attribute {name!r}")
