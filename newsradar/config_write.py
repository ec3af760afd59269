"""Adding a [[sources]] entry to the config file, keeping the user's comments and layout.

tomlkit renders the block; it is inserted as text after the last [[sources]] table (before the
comments that introduce the next section), so every other byte stays as the user wrote it. The
result must parse to the old data plus the entry, and pass the start-up checks, before the file
is replaced: a write never leaves a broken config.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomlkit

from .config import Config, ConfigError, load, read_text

__all__ = ["GENERIC_TEMPLATE", "append_source", "duplicate_of", "source_block"]

#: What to fill in by hand when no list could be inferred (the keys the generic adapter reads).
GENERIC_TEMPLATE = """\
[[sources]]
name = {name}
kind = "generic"
start_urls = [{url}]
[sources.selectors]
list_item = "ul.news > li"                 # each entry of the list (CSS, or XPath starting with /)
link = "a::attr(href)"                     # inside an entry: the article's URL
title = "a"                                # inside an entry: its title (or "a::attr(title)")
date = "span.date::text"                   # inside an entry: its date, if it shows one
next_page = "//a[contains(., '下一页')]"   # the link to the next list page
# article_body = "div.article"             # optional: without it, trafilatura reads the articles
"""


def _table(entry: dict[str, Any]) -> tomlkit.items.Table:
    table = tomlkit.table()
    for key, value in entry.items():
        if key != "selectors":
            table[key] = value
    selectors = entry.get("selectors")
    if selectors:
        sub = tomlkit.table()
        for key, value in selectors.items():
            sub[key] = value
        sub.add(tomlkit.nl())
        table["selectors"] = sub
    else:
        table.add(tomlkit.nl())
    return table


def source_block(entry: dict[str, Any]) -> str:
    """The entry as the [[sources]] TOML block that would be written."""
    doc = tomlkit.document()
    aot = tomlkit.aot()
    aot.append(_table(entry))
    doc.append("sources", aot)
    return tomlkit.dumps(doc).rstrip() + "\n"


def _same_url(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme.lower(), pa.netloc.lower(), pa.path.rstrip("/") or "/", pa.query) == (
        pb.scheme.lower(), pb.netloc.lower(), pb.path.rstrip("/") or "/", pb.query,
    )  # fmt: skip


def duplicate_of(config: Config, entry: dict[str, Any]) -> str | None:
    """Why the entry cannot be added next to the configured sources: its name or a URL is taken."""
    for source in config.sources:
        if source.name == entry["name"]:
            return f"a source named {entry['name']!r} already exists (choose another with --name)"
        for url in entry["start_urls"]:
            if any(_same_url(url, u) for u in source.start_urls):
                return f"source {source.name!r} already watches {url}"
    return None


_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*([A-Za-z0-9_.\"' -]+?)[ \t]*\]", re.M)
_NOTE = re.compile(r"^[ \t]*(#.*)?$")


def _insertion_point(text: str) -> int:
    """Where the new entry goes: after the last [[sources]] table (and its sub-tables), before the
    comments and blank lines that introduce the next section; else at the end."""
    headers = [(m.start(), m.group(1).strip("\"' ")) for m in _HEADER.finditer(text)]
    last = max((n for n, (_, name) in enumerate(headers) if name.split(".")[0] == "sources"), default=None)
    if last is None or last + 1 == len(headers):
        return len(text)
    lines = text[: headers[last + 1][0]].splitlines(keepends=True)
    while lines and _NOTE.match(lines[-1].rstrip("\n")):
        lines.pop()
    return len("".join(lines))


def _with_entry(original: str, entry: dict[str, Any]) -> str:
    """The file's text with the entry's block inserted; everything else byte for byte as it was."""
    at = _insertion_point(original)
    before, after = original[:at], original[at:]
    if before and not before.endswith("\n"):
        before += "\n"
    gap = "" if not before or before.endswith("\n\n") else "\n"
    closing = "\n" if after.strip() and not after.startswith("\n") else ""
    return before + gap + source_block(entry) + closing + after


def append_source(path: Path, entry: dict[str, Any]) -> None:
    """Add the entry to the config file at path; ConfigError when it is a duplicate or the file
    cannot be read or written."""
    problem = duplicate_of(load(path), entry)
    if problem:
        raise ConfigError(path, "sources", problem)
    original = read_text(path)
    text = _with_entry(original, entry)
    old, new = tomllib.loads(original), tomllib.loads(text)
    if new.pop("sources", []) != [*old.pop("sources", []), entry] or new != old:
        raise ConfigError(
            path, "sources", "not written: the file's layout defeated the insertion (add it by hand)"
        )
    fd, scratch = tempfile.mkstemp(prefix=".newsradar-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(scratch, path.stat().st_mode & 0o7777)
        try:  # the new file passes every start-up check, or the old one stays
            load(scratch)
        except ConfigError as exc:
            raise ConfigError(
                path, exc.key, f"not written, the result would not load: {exc.problem}"
            ) from exc
        os.replace(scratch, path)
    except OSError as exc:
        raise ConfigError(path, None, f"cannot write: {exc.strerror or exc}") from exc
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
