"""Topics as plain data and a matcher built from them, for processes that never read the config.

The crawl's ingest worker (a spawned process, or a Scrapyd job) receives the topics in force as
plain dicts and lists inside its crawl settings, and builds its matcher here: no config file is
read again and nothing above the classifier is imported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._evidence import Match
from ._topics import Topic, topics_from_config

__all__ = ["matcher_from_topics", "plain_topics"]


def plain_topics(topics: Iterable[Topic]) -> list[dict[str, Any]]:
    """Topics as [[topics]] tables (dicts, lists, strings, numbers): picklable, and valid config."""
    out = []
    for t in topics:
        entry = dataclasses.asdict(t)
        entry["aliases"] = {k: list(v) for k, v in t.aliases.items()}
        entry["exclusions"] = list(t.exclusions)
        entry["cooccurrence"] = [
            {"terms": list(r.terms), "requires": list(r.requires), "window": r.window} for r in t.cooccurrence
        ]
        out.append(entry)
    return out


def matcher_from_topics(entries: Iterable[Mapping[str, Any]]) -> Callable[[str, str], list[Match]]:
    """A classifier over exactly these topics (validated like config, no defaults added):
    (title, text) -> matches, each carrying its topic's hash."""
    from ._engine import Classifier  # here: plain_topics (the crawl process) needs no numpy

    return Classifier(topics_from_config(list(entries), include_defaults=False)).classify
