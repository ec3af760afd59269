"""Topic classification of Chinese news: which followed topics an article is about, and why.

Public API only; implementation lives in private modules.
"""

from typing import TYPE_CHECKING

from ._eval import EvalReport, evaluate
from ._evidence import Match
from ._normalise import is_cjk, normalise, normalise_fast, normalise_map
from ._topics import Topic, TopicError, default_topics, topics_from_config, topics_hash

if TYPE_CHECKING:
    from ._engine import Classifier
    from ._factory import matcher_from_topics, plain_topics
    from ._reports import load_labelled, run_classify_jsonl, run_classify_text, run_eval

# Loaded on first use: the automaton's modules (pyahocorasick, numpy, jieba's wrapper) are not
# needed to read topics, which every `newsradar` command does with its config.
_LAZY = {
    "Classifier": "_engine",
    "matcher_from_topics": "_factory",
    "plain_topics": "_factory",
    "load_labelled": "_reports",
    "run_classify_jsonl": "_reports",
    "run_classify_text": "_reports",
    "run_eval": "_reports",
}

__all__ = [
    "Topic",
    "Match",
    "TopicError",
    "Classifier",
    "default_topics",
    "topics_from_config",
    "topics_hash",
    "evaluate",
    "EvalReport",
    "matcher_from_topics",
    "plain_topics",
    "load_labelled",
    "run_classify_jsonl",
    "run_classify_text",
    "run_eval",
    "is_cjk",
    "normalise",
    "normalise_fast",
    "normalise_map",
]


def __getattr__(name: str):  # noqa: ANN202 - PEP 562
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
