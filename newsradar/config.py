"""Configuration: one TOML file, validated on load; an error names the file, the key and the problem."""

from __future__ import annotations

import codecs
import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from common import DEFAULT_TIER
from crawler.crawl_settings import CrawlSettings

__all__ = ["CONFIG_ENV", "KNOWN_SECTIONS", "Config", "ConfigError", "Source", "load", "parse_source"]

CONFIG_ENV = "NEWSRADAR_CONFIG"
DEFAULT_FILE = "newsradar.toml"
DEFAULT_DATABASE = "sqlite:///newsradar.db"
SELECTOR_KEYS = (
    "list_item", "link", "title", "date", "next_page",
    "article_title", "article_date", "article_body", "article_origin",
)  # fmt: skip
# Sections owned by feature packages: module.parse_section(name, table) validates them. The one
# place a section is added: the unknown-section error offers every one whose module is installed.
FEATURE_SECTIONS = {
    "telegram": "notifiers.settings",
    "email": "notifiers.settings",
    "alerts": "notifiers.settings",
    "web": "web.settings",
    "scheduler": "scheduler.settings",
    "digest": "scheduler.settings",
    "health": "scheduler.settings",
    "node": "crawler.node",
    "watches": "processor.watch_settings",
}
CORE_SECTIONS = ("database", "crawl", "sources", "topics")


#: The sections this version accepts.
KNOWN_SECTIONS = CORE_SECTIONS + tuple(FEATURE_SECTIONS)


class ConfigError(Exception):
    """A config problem a person can fix: where (file, key, or line and column) and what."""

    def __init__(
        self, path: Path | str | None, key: str | None, problem: str, *, line: int | None = None,
        column: int | None = None,
    ) -> None:  # fmt: skip
        self.path, self.key, self.problem, self.line, self.column = path, key, problem, line, column
        where = str(path or "<defaults>")
        if line is not None:
            where += f", line {line}" + (f", column {column}" if column is not None else "")
        elif key:
            where += f": {key}"
        super().__init__(f"{where}: {problem}")


def shown(value: Any) -> str:
    """A config value as the user wrote it in TOML ("fast", 1.5, true), for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    start_urls: tuple[str, ...]
    every: int = 600  # seconds
    max_pages: int = 3
    tier: int = DEFAULT_TIER
    enabled: bool = True
    selectors: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # the kind's own keys (Adapter.option_help)
    article: str = "auto"  # which extractor reads article pages linked from a feed
    title: str | None = None  # display name in alerts, digests, status; None: the name
    title_en: str | None = None  # the English archive pages' display name; None: title, else name
    # hosts besides those of start_urls the crawl may reach at private addresses (crawler.addresses)
    allowed_hosts: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """What people read: the title, else the config name."""
        return self.title or self.name

    def plain(self) -> dict[str, Any]:
        """The source as the plain data a spider receives (the crawl command and the daemon)."""
        return dataclasses.asdict(self) | {"start_urls": list(self.start_urls)}


def _default_topics() -> list[Any]:
    from classifier import default_topics  # here, not at import: `newsradar --help` stays fast

    return default_topics()


@dataclass
class Config:
    path: Path | None
    database_url: str = DEFAULT_DATABASE
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    sources: list[Source] = field(default_factory=list)
    # [[topics]] as checked at load (the built-ins replaced or extended); None when the file has
    # none: `topics` then builds the built-ins on first use, so `status` never builds them
    given_topics: list[Any] | None = None
    sections: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def topics(self) -> list[Any]:
        """The topics in force (every command, the crawl and the notifiers take them from here)."""
        return _default_topics() if self.given_topics is None else self.given_topics

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise ConfigError(self.path, "sources", f"no source named {name!r} (known: {known})")


def _find(path: str | os.PathLike | None) -> Path | None:
    if path:
        return Path(path)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    default = Path(DEFAULT_FILE)
    return default if default.exists() else None


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def read_text(path: Path) -> str:
    """The file as text, whatever a common editor wrote: UTF-8 with or without a BOM, UTF-16/32
    with a BOM (Windows "Unicode"), and CRLF or CR line endings (TOML itself wants LF or CRLF)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found (`newsradar init` writes a starter config)") from None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            path, None, f"not UTF-8 (byte {exc.start + 1}): save the file as UTF-8 in your editor"
        ) from None
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def load(path: str | os.PathLike | None = None) -> Config:
    """Load and validate; with no file anywhere, the defaults (no sources, default topics)."""
    found = _find(path)
    raw: dict[str, Any] = {}
    if found is not None:
        try:
            raw = tomllib.loads(read_text(found))
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            at = _TOML_AT.search(message)
            line, column = (int(at[1]), int(at[2])) if at else (None, None)
            problem = f"not valid TOML: {_TOML_AT.sub('', message)}"
            raise ConfigError(found, None, problem, line=line, column=column) from None
    from ._config_parse import Parser  # it imports this module's classes: imported when used

    return Parser(found).parse(raw)


def parse_source(table: dict[str, Any], path: Path | None = None, key: str = "sources[new]") -> Source:
    """One [[sources]] table checked as load() checks it (what `sources add` proposes, before
    it is tried or written)."""
    from ._config_parse import Parser

    return Parser(path).source(key, table)
