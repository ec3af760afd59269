"""The site faults: eight sources under one `newsradar run`, each site misbehaving its own way
while the others keep publishing; then the faults lift and each site publishes once more.

The daemon has no clock seam (it reads the wall clock through storage.utcnow and APScheduler),
so "a site that goes away for an hour" is simulated as a site whose port refuses connections
across several crawl rounds: long enough for the source to count as failing and the admins to
be told, which is what an hour away does with the default [health] settings.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench._faultkit import Row, World, account, settled, wait
from tests.mockserver.sites import Newsroom

# source name -> (row label, what is injected)
SITE_FAULTS = {
    "f-5xx": ("sites: 5xx burst", "every page answers 503"),
    "f-timeout": ("sites: timeouts", "every page answers after 6 s (timeout 1 s)"),
    "f-reset": ("sites: connection resets", "every connection reset (RST)"),
    "f-trunc": ("sites: truncated bodies", "new articles sent half, then closed"),
    "f-charset": ("sites: a charset that lies", "GBK bytes declared UTF-8"),
    "f-loop": ("sites: redirect loop", "one article redirects to itself forever"),
    "f-layout": ("sites: list layout changes", "list page redesigned"),
    "f-away": ("sites: site away ('an hour')", "port closed"),
}
SITE_WIDE = {"f-5xx", "f-timeout", "f-reset", "f-layout", "f-away"}  # the list fails: admins hear of it
LOOP_ARTICLE = 1


def _expected(site: Newsroom) -> set[str]:
    paths = {site.path(i) for i in range(site.count)}
    if site.name == "f-loop":
        paths.discard(site.path(LOOP_ARTICLE))
    return {f"{site.base}{p}" for p in paths}


def _inject(world: World) -> None:
    s = world.sites
    for name, kind in (("f-5xx", "500"), ("f-timeout", "timeout"), ("f-reset", "reset")):
        s[name].inject("*", kind)
    s["f-layout"].redesigned = True
    world.farm.take_down("f-away")
    for site in s.values():
        path = site.publish()  # published while its site misbehaves: must not be lost
        if site.name == "f-trunc":
            site.inject(path, "truncate")


def _lift(world: World) -> None:
    s = world.sites
    for name in ("f-5xx", "f-timeout", "f-reset"):
        s[name].inject("*", "", times=0)
    s["f-trunc"].faults.clear()
    s["f-layout"].redesigned = False
    world.farm.bring_back("f-away")
    for site in s.values():
        site.publish()


def _watch_status(world: World, seen: dict[str, set[str]]) -> dict:
    """Read `status` once; note, per source, every way it showed a problem."""
    data = world.status()
    for h in data["sources"]:
        if h["status"] not in ("ok", "unknown"):
            seen[h["source"]].add(h["status"])
        if h["retries"]["waiting"] or h["retries"]["given_up"]:
            seen[h["source"]].add("retry waiting")
        if h["watch"]:
            seen[h["source"]].add(f"admins told: {h['watch']['kind']}")
    return data


def run_sites(work: Path, hold: float) -> list[Row]:
    """`hold`: the least seconds the faults last (they last until every site-wide fault has made
    its source fail, at most 3 * hold)."""
    sites = [
        Newsroom(name, 4 if name == "f-loop" else 3, lying_charset=name == "f-charset")
        for name in SITE_FAULTS
    ]
    world = World(work / "sites", sites)
    world.sites["f-loop"].inject(world.sites["f-loop"].path(LOOP_ARTICLE), "redirect_loop")
    seen: dict[str, set[str]] = {name: set() for name in SITE_FAULTS}
    rows = {name: Row(label, how) for name, (label, how) in SITE_FAULTS.items()}
    daemon = world.daemon()
    recovery: dict[str, float | None] = {}
    try:
        first = set().union(*(_expected(s) for s in sites))
        if wait(lambda: first <= world.stored_urls(), 120) is None:
            rows["f-5xx"].problems.append("the first crawl before any fault did not store every article")
        t_fault = time.monotonic()
        rounds_before = daemon.output.count("crawl round of")
        _inject(world)

        def all_failing() -> bool:
            data = _watch_status(world, seen)
            told = {h["source"] for h in data["sources"] if h["watch"]}
            return time.monotonic() - t_fault >= hold and SITE_WIDE <= told

        wait(all_failing, 3 * hold, step=1.5)
        t_lift = time.monotonic()
        rounds_down = daemon.output.count("crawl round of") - rounds_before
        _lift(world)
        pending = dict(world.sites)
        while pending and time.monotonic() - t_lift < 150:
            _watch_status(world, seen)
            for name, site in list(pending.items()):
                if settled(world, _expected(site)) and (name not in SITE_WIDE or _told(world, name)[1]):
                    recovery[name] = time.monotonic() - t_lift
                    del pending[name]
            time.sleep(1.0)
    finally:
        daemon.terminate(30)
        (world.work / "daemon.log").write_text(daemon.output)
    for name, site in world.sites.items():
        row = rows[name]
        account(world, row, _expected(site))
        _report(world, row, name, seen[name], recovery.get(name))
        if name in ("f-5xx", "f-timeout", "f-reset", "f-trunc", "f-loop"):
            row.injected += f": {site.faults_served} answers"
        elif name in ("f-layout", "f-away"):
            row.injected += f": {t_lift - t_fault:.0f}s, {rounds_down} crawl rounds"
    _check_charset(world, rows["f-charset"])
    world.stop()
    return list(rows.values())


def _told(world: World, name: str) -> tuple[int, int]:
    """Admin notes about source `name`: (problem notes, recovery notes) over both admin channels."""
    notes = [n for n in world.admin_notes() if f"({name})" in n]
    return sum("works again" not in n for n in notes), sum("works again" in n for n in notes)


def _report(world: World, row: Row, name: str, seen: set[str], recovery: float | None) -> None:
    problem, back = _told(world, name)
    row.reported = f"status: {', '.join(sorted(seen)) or 'nothing'}; admin notes {problem}+{back}"
    row.recovery = recovery
    if name in SITE_WIDE:
        if not seen:
            row.problems.append("status never showed the fault")
        if problem != 2 or back != 2:  # one problem and one recovery note per admin channel
            row.problems.append(f"admins got {problem} problem and {back} recovery notes, expected 2 and 2")
    elif name in ("f-trunc", "f-loop") and not seen:
        row.notes.append("status never showed the failed pages")
    if recovery is None and name not in ("f-charset",):
        row.problems.append("did not recover within 150 s of the fault lifting")


def _check_charset(world: World, row: Row) -> None:
    site = world.sites["f-charset"]
    url = f"{site.base}{site.path(0)}"
    got = world.query(f"select title from articles where url = '{url}'")
    if got and got[0][0] != site.title(0):
        row.problems.append(f"the lying page was stored garbled: {got[0][0]!r}")
    row.reported = "decoded right" if got and got[0][0] == site.title(0) else row.reported
