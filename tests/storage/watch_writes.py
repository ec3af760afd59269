"""A guard for tests that write watches: every transaction that inserts, updates or deletes a
``watches`` row must also bump the version (storage.watches.bump_watches_version), or the ingest
process's cached index never learns of the change. Watches every engine in this process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from storage.watches import VERSION_KEY

_WRITE = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+watches\b", re.IGNORECASE)
_SETTINGS = re.compile(r"^\s*(INSERT INTO|UPDATE)\s+settings\b", re.IGNORECASE)


@contextmanager
def every_watch_write_bumps() -> Iterator[list[str]]:
    """Inside the block, record each committed transaction that wrote watches without bumping;
    fail on leaving it if there was one. Yields the list of watch writes seen (committed)."""
    writes: dict[int, list[str]] = {}  # connection -> its transaction's watch writes
    bumped: set[int] = set()
    seen: list[str] = []
    missed: list[str] = []

    def execute(conn, cursor, statement, parameters, context, executemany) -> None:
        if _SETTINGS.match(statement) and VERSION_KEY in repr(parameters):
            bumped.add(id(conn))
        elif _WRITE.match(statement):
            writes.setdefault(id(conn), []).append(statement.split("\n")[0])

    def commit(conn) -> None:
        done = writes.pop(id(conn), [])
        seen.extend(done)
        if done and id(conn) not in bumped:
            missed.extend(done)
        bumped.discard(id(conn))

    def rollback(conn) -> None:
        writes.pop(id(conn), None)
        bumped.discard(id(conn))

    hooks = [("before_cursor_execute", execute), ("commit", commit), ("rollback", rollback)]
    for name, fn in hooks:
        event.listen(Engine, name, fn)
    try:
        yield seen
    finally:
        for name, fn in hooks:
            event.remove(Engine, name, fn)
    assert not missed, f"watch writes committed without bumping the version: {missed}"
