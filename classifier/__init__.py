"""Topic classification of Chinese news: which followed topics an article is about, and why.

Public API only; implementation lives in private modules.
"""

from ._engine import Classifier
from ._eval import EvalReport, evaluate
from ._evidence import Match
from ._factory import matcher_from_topics, plain_topics
from ._normalise import is_cjk, normalise, normalise_fast, normalise_map
from ._reports import load_labelled, run_classify_jsonl, run_classify_text, run_eval
from ._topics import Topic, TopicError, default_topics, topics_from_config, topics_hash

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
