"""`newsradar status`: what is stored and what the alert outbox is doing."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import TYPE_CHECKING

from common import iso_time, plural, show_time
from crawler.report import not_fetched
from notifiers import notifier_settings
from notifiers.channels import unusable_channels
from processor.health import source_health
from storage import Article, Story, to_beijing
from storage import counts as stored_counts
from storage.deliveries import stats
from storage.retries import MAX_ATTEMPTS, retry_counts
from storage.state import get_settings

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "status",
        help="source health, counts of articles, stories and alerts; dead alerts; inactive channels",
        description="What is stored and what the alert outbox is doing. Reads the database, never creates it.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db(create=False).session() as s:
        data = stats(s)
        # Core queries on the tables, as in every query below: no ORM mapper is ever configured.
        # Totals exact up to COUNT_CAP, estimates past it (storage.counts): never a whole read.
        data["count_cap"] = cap = stored_counts.COUNT_CAP
        data["articles"], data["articles_exact"] = stored_counts.table_rows(s, Article.__table__, cap)
        data["stories"], data["stories_exact"] = stored_counts.table_rows(s, Story.__table__, cap)
        names = [src.name for src in ctx.config.sources]
        data["sources"] = source_health(s, names, ctx.config.sections.get("health"))
        retries = retry_counts(s, names)
        watched = get_settings(s, [f"watch:{h['source']}" for h in data["sources"]])
        for h in data["sources"]:
            failed = retries.get(h["source"], {"waiting": 0, "given_up": 0})
            h["retries"] = {k: min(n, cap) for k, n in failed.items()}
            h["retries"]["capped"] = [k for k, n in failed.items() if n > cap]
            h["title"] = ctx.config.source(h["source"]).title
            h["watch"] = watched.get(f"watch:{h['source']}")
    data["daemon"] = _daemon(ctx)
    data["nodes"] = _nodes(ctx)
    for h in data["sources"]:
        h["next_run"] = ((data["daemon"] or {}).get("next_runs") or {}).get(h["source"])
    oldest = data.pop("oldest_pending")
    data["oldest_pending"] = iso_time(oldest)
    if args.json:
        json.dump(data, ctx.out, ensure_ascii=False, indent=2)
        ctx.out.write("\n")
        return 0
    out = ctx.out
    _print_daemon(data["daemon"], out)
    _print_nodes(data["nodes"], data["daemon"], out)
    print(f"articles: {_total(data, 'articles')}   stories: {_total(data, 'stories')}", file=out)
    if data["sources"]:
        print("sources:", file=out)
        for h in data["sources"]:
            last = show_time(_parse(h["last_crawl"]), missing="never")
            new = show_time(_parse(h["last_new_article"]))
            nxt = f"  next {_clock(h['next_run'])}" if h["next_run"] else ""
            name = h["source"] + (f" ({h['title']})" if h["title"] else "")
            line = f"  {name:<22} {h['status'].upper():<9} crawled {last}  last new {new}  {h['articles']} stored{nxt}"
            if h["retries"]["waiting"] or h["retries"]["given_up"]:
                line += "\n      " + _retries(h["retries"])
            run = h.get("last_run") or {}
            if run.get("refused") or run.get("oversized"):
                line += f"\n      last crawl: {not_fetched(run.get('refused', 0), run.get('oversized', 0))}"
            if h.get("last_node"):
                line += f"\n      last crawl on node {h['last_node']} (job {h['last_job']})"
            if h["watch"]:
                w = h["watch"]
                line += f"\n      admins told: {w['kind']} since {_clock(w['since'])}: {w['detail']}"
            print(line + (f"\n      {h['detail']}" if h["detail"] else ""), file=out)
    alerts = "  ".join(
        f"{k} {_count(n, k in data['deliveries_capped'])}" for k, n in data["deliveries"].items()
    )
    print(f"alerts:   {alerts}   (due now: {data['due']})", file=out)
    if data["oldest_pending"]:
        print(f"          oldest pending since {show_time(oldest)}", file=out)
    for kind, why in sorted(unusable_channels(notifier_settings(ctx.config)).items()):
        print(f"          {kind} is configured but unusable: {why}", file=out)
    if data["inactive_channels"]:
        print(f"inactive channels ({len(data['inactive_channels'])}):", file=out)
        for c in data["inactive_channels"]:
            print(
                f"  #{c['id']} subscriber {c['subscriber_id']} {c['kind']} {c['address']}: {c['reason']}",
                file=out,
            )
    if data["dead"]:
        print(f"dead alerts (latest {len(data['dead'])}):", file=out)
        for d in data["dead"]:
            print(
                f"  #{d['id']} {_what(d)} -> subscriber {d['subscriber_id']} channel {d['channel_id']}"
                f" after {d['attempts']} attempts: {d['error']}",
                file=out,
            )
    return 0


def _retries(counts: dict) -> str:
    parts = []
    if "waiting" in counts["capped"]:
        parts.append(f"{counts['waiting']}+ failed articles waiting for a retry")
    elif counts["waiting"]:
        parts.append(f"{plural(counts['waiting'], 'failed article')} waiting for a retry")
    if counts["given_up"]:
        given_up = _count(counts["given_up"], "given_up" in counts["capped"])
        parts.append(f"{given_up} given up after {MAX_ATTEMPTS} attempts")
    return "; ".join(parts)


def _count(n: int, capped: bool) -> str:
    """A count that stopped at the cap reads "10000+": more rows exist than were counted."""
    return f"{n}+" if capped else str(n)


def _total(data: dict, key: str) -> str:
    """An exact total as it is; an estimate (storage.counts.table_rows) as "about", rounded
    to three significant figures, which is all an estimate knows."""
    n = data[key]
    if data[f"{key}_exact"]:
        return str(n)
    return f"about {round(n, min(0, 3 - len(str(n))))}"


def _clock(iso: str) -> str:
    from datetime import datetime

    return to_beijing(datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M:%S")


def _daemon(ctx: Context) -> dict | None:
    """The lease row of `newsradar run`: who leads, since when, what runs next."""
    from scheduler.leader import leader_info

    info = leader_info(ctx.db())
    if info is None:
        return None
    extra = info.pop("info")
    out = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in info.items()}
    return out | extra


def _print_daemon(daemon: dict | None, out) -> None:
    if daemon is None or not daemon["alive"]:
        seen = f" (last seen: pid {daemon['pid']} on {daemon['host']})" if daemon else ""
        print(f"daemon:   no daemon running{seen}: start it with `newsradar run`", file=out)
        return
    print(
        f"daemon:   pid {daemon['pid']} on {daemon['host']}, leading since {_clock(daemon['started_at'])}, "
        f"{daemon.get('rounds', 0)} crawl rounds; next digest {_clock(daemon['digest_next'])}"
        if daemon.get("digest_next")
        else f"daemon:   pid {daemon['pid']} on {daemon['host']}, leading since {_clock(daemon['started_at'])}",
        file=out,
    )


def _nodes(ctx: Context) -> list[dict]:
    """[crawl] nodes as the daemon sees them when it chooses one (crawler.nodes_overview)."""
    if not ctx.config.crawl.nodes:
        return []
    from crawler import nodes_overview

    return nodes_overview(ctx.config.crawl.nodes)


def _print_nodes(nodes: list[dict], daemon: dict | None, out) -> None:
    if not nodes:
        return
    where = (daemon or {}).get("last_round_on") if (daemon or {}).get("alive") else None
    if where:
        print(f"          last crawl round on {where}", file=out)
    up = sum(n["up"] for n in nodes)
    print(
        f"nodes:    {up} of {len(nodes)} up" + ("" if up else ": rounds run in a local child process"),
        file=out,
    )
    for n in nodes:
        if n["up"]:
            print(
                f"  {n['url']:<28} UP    {n['name'] or ''}  {n['running']} running, {n['pending']} pending, "
                f"{n['finished']} finished",
                file=out,
            )
        else:
            print(f"  {n['url']:<28} DOWN  {n['error']}", file=out)


def _parse(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def _what(dead: dict) -> str:
    if dead.get("kind") == "digest":
        return f"digest of {dead.get('digest_day')}"
    return f"story {dead['story_id']}"
