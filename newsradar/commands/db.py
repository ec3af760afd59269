"""`newsradar db copy --to URL`: move the archive to another database (SQLite to PostgreSQL)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from common import plural
from storage import Database
from storage.transfer import copy_database

from ..argtypes import number

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="database tasks: copy the archive to another database")
    db_sub = p.add_subparsers(dest="db_command", metavar="TASK", required=True)
    c = db_sub.add_parser(
        "copy",
        help="copy every article, story, subscriber and delivery to another, empty database",
        description="Copies the configured database (at the newest schema) into an empty one, keeping every "
        "id; the target is migrated first and refused if it holds data. Then point [database] url at it.\n"
        "Example: newsradar db copy --to postgresql+psycopg://newsradar@dbhost/newsradar "
        "(the password from PGPASSWORD or ~/.pgpass, never on the command line).",
    )
    c.add_argument("--to", required=True, metavar="URL", help="the target database URL")
    c.add_argument(
        "--batch", type=number(1, 100_000), default=1000, metavar="N", help="rows per insert (default 1000)"
    )
    c.set_defaults(func=run_copy)


def run_copy(args: argparse.Namespace, ctx: Context) -> int:
    source = ctx.db(create=False)
    target = Database(args.to)
    shown = make_url(args.to).render_as_string(hide_password=True)

    def progress(table: str, done: int, total: int) -> None:
        if done == total or done % (args.batch * 10) == 0:
            print(f"copy: {table} {done}/{total}", file=sys.stderr, flush=True)

    try:
        from search import index_tokens  # SQLite keeps no token copy: PostgreSQL's index is built anew

        copied = copy_database(source, target, batch=args.batch, progress=progress, tokens=index_tokens)
    finally:
        target.dispose()
    rows = sum(n for name, n in copied.items() if name != "search index")
    print(f"copied {plural(rows, 'row')} in {plural(len(copied) - 1, 'table')} to {shown}", file=ctx.out)
    print(f'next: set [database] url = "{shown}" in {ctx.config_path or "newsradar.toml"}', file=ctx.out)
    return 0
