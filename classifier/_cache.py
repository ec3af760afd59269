"""On-disk cache of what the classifier builds at start-up: jieba's dictionary taught our terms,
and the character tables of text normalisation.

Loading jieba's dictionary (its own marshal cache) and teaching it every topic term costs ~1 s at
every start of `newsradar classify`, the crawl's ingest worker and the daemon; a pickle of the
taught dictionary loads in a fifth of that. The normalisation tables (~0.2 s to derive from
Unicode and OpenCC's data) are needed by every command that reads the topics, `status` included. The file name is a hash of everything the dictionary
is built from (the taught words, jieba's version, this package's version), so changed topics
find no file and build a new one; a file that cannot be read is logged and rebuilt, never trusted.

Where: $NEWSRADAR_CACHE_DIR, else $XDG_CACHE_HOME/newsradar, else ~/.cache/newsradar (a folder
only its owner may write: a pickle runs code when loaded). NEWSRADAR_CACHE_DIR=off disables it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

log = logging.getLogger("classifier.cache")

CACHE_ENV = "NEWSRADAR_CACHE_DIR"
_KEEP = 4  # files kept: a few topic sets (tests, an edit being tried) without growing forever


def cache_dir() -> Path | None:
    """The folder for cached classifier state, or None when caching is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return None if chosen.lower() == "off" else Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "newsradar" if xdg else Path.home() / ".cache" / "newsradar"


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def cache_key(*parts: str, libraries: Iterable[str] = ()) -> str:
    """A hash of everything a cached value depends on (with the versions of newsradar, Python and
    the named libraries)."""
    h = hashlib.sha256()
    versions = [_version(d) for d in ("newsradar", *libraries)]
    for part in (sys.version, *versions, *parts):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()[:24]


def cached(kind: str, key: str, build: Callable[[], Any]) -> Any:
    """build(), or what an earlier build stored under kind and key; a bad or unreadable cache file
    is logged and rebuilt."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{kind}-{key}.pickle"
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        pass
    except Exception as exc:  # truncated, corrupt or from another Python: rebuild and replace it
        log.warning("classifier cache %s is unreadable (%s): rebuilding it", path, exc)
    value = build()
    _store(folder, kind, path, value)
    return value


def _store(folder: Path, kind: str, path: Path, value: Any) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
    except OSError as exc:
        log.warning(
            "cannot write the classifier cache in %s (%s): each start rebuilds it (~1 s); set %s to a "
            "writable folder, or to off",
            folder, exc, CACHE_ENV,
        )  # fmt: skip
        return
    try:  # another process may be pruning the same folder: a file gone meanwhile is fine
        old = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[_KEEP:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
