"""`newsradar init`: a starter config with real sources, and the database."""

from __future__ import annotations

import argparse
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from common import plural
from storage.state import signing_key

from ..config import DEFAULT_FILE

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init",
        help="write a starter newsradar.toml and create the database",
        description="Writes a starter config with real sources (unless one exists) and creates or migrates "
        "the database it names. Run it once, before the first crawl.",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing config file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    path = Path(ctx.config_path or DEFAULT_FILE)
    if path.exists() and not args.force:
        print(f"{path} exists; keeping it (use --force to overwrite)", file=ctx.out)
    else:
        path.write_text(
            files("newsradar").joinpath("starter.toml").read_text(encoding="utf-8"), encoding="utf-8"
        )
        print(f"wrote {path}", file=ctx.out)
    ctx.config_path = str(path)
    ctx.__dict__.pop("config", None)
    db = ctx.db()
    with db.session() as session:
        signing_key(session)  # generated now, so email works without setting NEWSRADAR_SECRET_KEY
    print(f"database ready: {db.url}", file=ctx.out)
    sources = ctx.config.sources
    off = [s.name for s in sources if not s.enabled]
    held = f" ({len(off)} disabled until set up: {', '.join(off)}; see {path})" if off else ""
    print(f"{plural(len(sources), 'source')} configured{held}; next: newsradar crawl", file=ctx.out)
    return 0
