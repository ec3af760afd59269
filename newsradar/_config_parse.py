"""The config file's checks: each table of newsradar.toml validated into newsradar.config's
classes, every problem a ConfigError naming the key and saying what to write instead. Kept apart
from config.py, which holds what the rest of newsradar reads (Config, Source, load)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

from common import TIERS, parse_duration
from crawler.addresses import parse_hosts
from crawler.crawl_settings import CrawlSettings, parse_size

from .config import (
    DEFAULT_DATABASE,
    FEATURE_SECTIONS,
    KNOWN_SECTIONS,
    SELECTOR_KEYS,
    Config,
    ConfigError,
    Source,
    shown,
)

__all__ = ["Parser"]

# What a value of each Python type is called in an error message.
_WANT = {int: "a whole number such as 3", float: "a number of seconds such as 1.5", bool: "true or false",
         str: "text in quotes"}  # fmt: skip
_PLAIN_SQLITE = re.compile(r"sqlite:///[^?]*")  # no driver, no query: nothing storage.db.url_problem refuses


class Parser:
    """Checks a config file's tables into a Config; every problem is a ConfigError naming the key."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.path, key, problem)

    def parse(self, raw: dict[str, Any]) -> Config:
        for key in raw:
            if key not in KNOWN_SECTIONS and key not in FEATURE_SECTIONS:
                raise self.fail(key, f"unknown section (expected one of: {', '.join(KNOWN_SECTIONS)})")
        cfg = Config(path=self.path)
        cfg.database_url = self._database(raw.get("database", {}))
        cfg.crawl = self._crawl(raw.get("crawl", {}))
        if cfg.crawl.nodes and cfg.database_url.startswith("sqlite"):
            from crawler.node import node_refusal  # nodes store into one shared database

            raise self.fail("crawl.nodes", str(node_refusal(cfg.database_url)))
        cfg.sources = self._sources(raw.get("sources", []))
        if "topics" in raw:
            cfg.given_topics = self._topics(raw["topics"])
        for name, module in FEATURE_SECTIONS.items():
            if name in raw:
                cfg.sections[name] = self._feature(name, module, raw[name])
        return cfg

    def _table(self, key: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table ([{key}] or key = {{ ... }}), not {shown(value)}")
        return value

    def _only(self, key: str, table: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for k in table:
            if k not in allowed:
                raise self.fail(f"{key}.{k}", f"unknown key (allowed: {', '.join(allowed)})")

    def _database(self, table: Any) -> str:
        table = self._table("database", table)
        self._only("database", table, ("url",))
        url = table.get("url", DEFAULT_DATABASE)
        if not isinstance(url, str) or not url:
            raise self.fail("database.url", "must be a non-empty string like 'sqlite:///newsradar.db'")
        if not _PLAIN_SQLITE.fullmatch(url):  # a plain SQLite file always opens (sqlite3 is built in):
            from storage.db import url_problem  # only other URLs need SQLAlchemy to be checked

            problem = url_problem(url)
            if problem:
                raise self.fail("database.url", problem)
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
            rel = url[len("sqlite:///") :]
            base = self.path.parent if self.path else Path.cwd()
            url = f"sqlite:///{(base / rel).resolve()}"
        return url

    def _crawl(self, table: Any) -> CrawlSettings:
        table = self._table("crawl", table)
        defaults = CrawlSettings()
        allowed = tuple(defaults.__dataclass_fields__)
        self._only("crawl", table, allowed)
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key == "nodes":
                from crawler.nodes import parse_nodes

                try:
                    values[key] = parse_nodes(value)
                except ValueError as exc:
                    raise self.fail("crawl.nodes", str(exc)) from None
                continue
            if key == "max_duration" and isinstance(value, str):
                try:
                    value = parse_duration(value)
                except ValueError as exc:
                    raise self.fail("crawl.max_duration", str(exc)) from exc
            if key == "max_page_size":
                try:
                    value = parse_size(value)
                except ValueError as exc:
                    raise self.fail("crawl.max_page_size", str(exc)) from exc
                if value < 1000:
                    raise self.fail("crawl.max_page_size", f"must be at least 1kB, not {value} bytes")
            want = type(getattr(defaults, key))
            ok = isinstance(value, want) or (want is float and isinstance(value, int))
            if not ok or isinstance(value, bool) != (want is bool):
                raise self.fail(f"crawl.{key}", f"must be {_WANT[want]}, not {shown(value)}")
            if want in (int, float) and value < 0:
                raise self.fail(f"crawl.{key}", "must not be negative")
            values[key] = want(value)
        return CrawlSettings(**values)

    def _sources(self, entries: Any) -> list[Source]:
        if not isinstance(entries, list):
            raise self.fail("sources", "must be an array of tables: write [[sources]]")
        seen: set[str] = set()
        out = []
        for i, entry in enumerate(entries):
            key = f"sources[{i}]"
            entry = self._table(key, entry)
            name = entry.get("name")
            if isinstance(name, str) and name:
                key = f"sources[{i}] ({name})"
            out.append(self.source(key, entry))
            if out[-1].name in seen:
                raise self.fail(f"{key}.name", f"duplicate source name {out[-1].name!r}")
            seen.add(out[-1].name)
        return out

    def source(self, key: str, e: dict[str, Any]) -> Source:
        allowed = ("name", "kind", "start_urls", "every", "max_pages", "tier", "enabled", "selectors", "article",
                   "title", "title_en", "allowed_hosts")  # fmt: skip
        from crawler.adapters import ADAPTERS

        kinds = tuple(ADAPTERS)
        kind = e.get("kind")
        adapter = ADAPTERS.get(kind) if isinstance(kind, str) else None
        self._only(key, e, allowed + tuple(adapter.option_help if adapter else ()))
        name = e.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", name or ""):
            raise self.fail(f"{key}.name", "required: letters, digits, '-', '_' or '.'")
        if adapter is None:
            raise self.fail(f"{key}.kind", f"must be one of {', '.join(kinds)}, not {kind!r}")
        options = {k: e[k] for k in adapter.option_help if k in e}
        for k, v in options.items():
            problem = adapter.check_option(k, v)
            if problem:
                raise self.fail(f"{key}.{k}", problem)
        urls = e.get("start_urls")
        if isinstance(urls, str):
            urls = [urls]
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
            raise self.fail(f"{key}.start_urls", "required: a list of http(s) URLs")
        for u in urls:
            if not re.match(r"^https?://[^/\s]+", u):
                raise self.fail(f"{key}.start_urls", f"{u!r} is not an http(s) URL")
        try:
            every = int(parse_duration(e.get("every", "10m"), unit_required=True))
        except ValueError as exc:
            raise self.fail(f"{key}.every", str(exc)) from exc
        if every < 1:
            raise self.fail(f"{key}.every", "must be at least 1s")
        max_pages = e.get("max_pages", 3)
        if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1:
            raise self.fail(f"{key}.max_pages", f"must be a whole number >= 1, not {max_pages!r}")
        tier = e.get("tier")
        if tier is None:
            tier_n = TIERS[adapter.tier]
        elif tier in TIERS:
            tier_n = TIERS[tier]
        else:
            raise self.fail(f"{key}.tier", f"must be one of {', '.join(TIERS)}, not {tier!r}")
        enabled = e.get("enabled", True)
        if not isinstance(enabled, bool):
            raise self.fail(f"{key}.enabled", "must be true or false")
        selectors = self._selectors(key, kind, e.get("selectors", {}))
        article = e.get("article", "auto")
        site_kinds = tuple(k for k in kinds if k != "feed")
        if article not in ("auto", *site_kinds):
            raise self.fail(
                f"{key}.article", f"must be auto or a site kind ({', '.join(site_kinds)}), not {article!r}"
            )
        title, title_en = e.get("title"), e.get("title_en")
        for k, v in (("title", title), ("title_en", title_en)):
            if v is not None and (not isinstance(v, str) or not v.strip()):
                raise self.fail(f"{key}.{k}", f"must be a non-empty string (a display name), not {v!r}")
        try:
            hosts = parse_hosts(e.get("allowed_hosts", []))
        except ValueError as exc:
            raise self.fail(f"{key}.allowed_hosts", str(exc)) from exc
        return Source(
            name=name, kind=kind, start_urls=tuple(urls), every=every, max_pages=max_pages,
            tier=tier_n, enabled=enabled, selectors=dict(selectors), options=options, article=article,
            title=title.strip() if title else None, title_en=title_en.strip() if title_en else None,
            allowed_hosts=hosts,
        )  # fmt: skip

    def _selectors(self, key: str, kind: str, table: Any) -> dict[str, str]:
        selectors = self._table(f"{key}.selectors", table)
        self._only(f"{key}.selectors", selectors, SELECTOR_KEYS)
        from crawler.selectors import selector_error

        for k, v in selectors.items():
            if not isinstance(v, str) or not v.strip():
                raise self.fail(f"{key}.selectors.{k}", "must be a CSS or XPath selector string")
            problem = selector_error(v)
            if problem:
                raise self.fail(f"{key}.selectors.{k}", problem)
        # Without article_body, article pages are read by generic extraction (trafilatura).
        if kind == "generic" and "list_item" not in selectors:
            raise self.fail(f"{key}.selectors.list_item", "required for kind 'generic'")
        return selectors

    def _topics(self, entries: Any) -> list[Any]:
        if not isinstance(entries, list):
            raise self.fail("topics", "must be an array of tables: write [[topics]]")
        from classifier import topics_from_config

        try:  # the built-ins, replaced or extended by [[topics]]: never empty
            return topics_from_config(entries)
        except ValueError as exc:
            raise self.fail(getattr(exc, "key", "topics"), getattr(exc, "problem", str(exc))) from exc

    def _feature(self, name: str, module: str, table: Any) -> Any:
        table = self._table(name, table)
        try:
            parse = importlib.import_module(module).parse_section
        except ImportError:
            raise self.fail(name, "this section is not supported by this version of newsradar") from None
        try:
            return parse(name, table)
        except ValueError as exc:
            key = getattr(exc, "key", None)
            key = f"{name}.{key}" if key and not key.startswith(f"{name}") else (key or name)
            raise self.fail(key, getattr(exc, "problem", str(exc))) from exc
