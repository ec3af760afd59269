"""Each package's public surface, pinned: what other packages (and the daemon and the web) may use.

The convention (ARCHITECTURE.md): a package's ``__init__`` lists its public names in ``__all__``;
every public module (one whose name has no leading underscore) lists its own in ``__all__``; a
module or name with a leading underscore is private to its package and is never imported from
another package. Changing a public surface means changing the pin below, on purpose.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package -> its __init__'s __all__, sorted
PINNED: dict[str, list[str]] = {
    "common": [
        "BEIJING",
        "BLOCKED_REASON",
        "DEFAULT_TIER",
        "PrintableStream",
        "REDACTED",
        "RedactingStream",
        "SECRET_ENV",
        "SMTP_PASSWORD_ENV",
        "SettingsError",
        "TELEGRAM_TOKEN_ENV",
        "TIERS",
        "UNSAFE_CHARS",
        "check_known_keys",
        "duration_setting",
        "is_email",
        "is_time_of_day",
        "iso_time",
        "parse_duration",
        "plural",
        "printable",
        "redact",
        "secret_key",
        "show_time",
        "show_when",
        "smtp_password",
        "strip_unsafe",
        "telegram_token",
        "to_beijing",
        "topic_labels",
        "utcnow",
    ],
    "classifier": [
        "Classifier",
        "EvalReport",
        "Match",
        "Topic",
        "TopicError",
        "default_topics",
        "evaluate",
        "is_cjk",
        "load_labelled",
        "matcher_from_topics",
        "normalise",
        "normalise_fast",
        "normalise_map",
        "plain_topics",
        "run_classify_jsonl",
        "run_classify_text",
        "run_eval",
        "topics_from_config",
        "topics_hash",
    ],
    "crawler": [
        "CrawlSettings",
        "NodeError",
        "SourceReport",
        "cancel",
        "crawl_sources",
        "job_state",
        "node_status",
        "nodes_overview",
        "probe_source",
        "progress_stream",
        "run_crawl",
        "schedule_round",
        "scrapy_settings",
        "unreachable_summary",
    ],
    "crawler.adapters": [
        "ADAPTERS",
        "Adapter",
        "BrokenPage",
        "ListError",
        "ListItem",
        "ListPage",
        "adapter_for",
        "body_source",
        "extract_article",
        "extract_list",
        "next_part",
    ],
    "mcpserver": ["Archive", "ArchiveError", "build_server", "run", "serve"],
    "newsradar": ["__version__"],
    "notifiers": ["notifier_settings", "source_titles"],
    "processor": [
        "ArticleData",
        "DigestPlan",
        "DigestQueue",
        "IngestResult",
        "Ingestor",
        "Matcher",
        "backfill",
        "plan_digests",
        "queue_alerts",
        "queue_digests",
    ],
    "scheduler": ["Daemon", "DaemonSetup", "crawl_round", "leader_info", "run_daemon"],
    "search": [
        "ArticleTokens",
        "Copy",
        "Hit",
        "MAX_QUERY_CHARS",
        "ParsedQuery",
        "QueryError",
        "QueryIndex",
        "SearchPage",
        "StoryHit",
        "StoryPage",
        "Term",
        "article_tokens",
        "ensure_index",
        "evidence",
        "index_article",
        "index_tokens",
        "parse_query",
        "query_matches",
        "rebuild_index",
        "search",
        "search_stories",
    ],
    "storage": [
        "Article",
        "ArticleRetry",
        "ArticleRevision",
        "BEIJING",
        "Base",
        "Channel",
        "CrawlRun",
        "CrawlState",
        "DEFAULT_TIER",
        "DaemonLease",
        "Database",
        "DatabaseError",
        "Delivery",
        "Fingerprint",
        "FingerprintCount",
        "PolicyDocument",
        "Setting",
        "SourceTotal",
        "Story",
        "StoryTopic",
        "Subscriber",
        "Subscription",
        "TIERS",
        "TopicDay",
        "TopicMatch",
        "TopicSource",
        "Watch",
        "WatchMatch",
        "to_beijing",
        "utcnow",
    ],
    "web": [
        "WebSettings",
        "check_password",
        "create_app",
        "hash_password",
        "make_server",
        "parse_section",
        "public_url",
        "serve",
        "web_settings",
    ],
}
PACKAGES = sorted({name.split(".")[0] for name in PINNED})


def _modules(package: str) -> list[Path]:
    return sorted(
        p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts and p.name != "__main__.py"
    )


def _dotted(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _declared_all(path: Path) -> list[str] | None:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(node, ast.Assign | ast.AnnAssign) and any(
            getattr(t, "id", None) == "__all__" for t in targets
        ):
            return list(ast.literal_eval(node.value))
    return None


@pytest.mark.parametrize("package", sorted(PINNED))
def test_package_surface_is_pinned(package):
    module = importlib.import_module(package)
    assert sorted(module.__all__) == PINNED[package]
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name} is listed but missing"


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_module_declares_all(package):
    missing, unknown = [], []
    for path in _modules(package):
        if any(part.startswith("_") and part != "__init__.py" for part in path.relative_to(ROOT).parts):
            continue
        if path.parent == ROOT / "newsradar" / "commands" and path.name != "__init__.py":
            continue  # loaded by name by newsradar.cli; their one entry point is register()
        names = _declared_all(path)
        if names is None:
            missing.append(_dotted(path))
            continue
        module = importlib.import_module(_dotted(path))
        unknown += [f"{_dotted(path)}.{n}" for n in names if not hasattr(module, n)]
    assert not missing, f"public modules without __all__: {missing}"
    assert not unknown, f"names in __all__ that do not exist: {unknown}"


def test_no_package_imports_another_packages_private_parts():
    """`from classifier._engine import …` outside classifier/ would tie a package to internals."""
    top = set(PACKAGES)
    offenders = []
    for package in top:
        if not (ROOT / package).is_dir():
            continue
        for path in _modules(package):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    targets = [a.name for a in node.names]
                else:
                    continue
                for target in targets:
                    parts = target.split(".")
                    if parts[0] in top and parts[0] != package and any(p.startswith("_") for p in parts[1:]):
                        offenders.append(f"{_dotted(path)} imports {target}")
    assert not offenders, offenders


def test_every_command_module_registers_itself():
    commands = sorted((ROOT / "newsradar" / "commands").glob("[!_]*.py"))
    assert commands
    for path in commands:
        module = importlib.import_module(f"newsradar.commands.{path.stem}")
        assert callable(getattr(module, "register", None)), f"{path.stem} has no register(subparsers)"


def test_the_daemon_calls_the_commands_jobs():
    """scheduler/ runs the jobs the commands run; it builds no dispatcher, senders or digests itself."""
    forbidden = {"Dispatcher", "build_senders", "plan_digests", "enqueue_digests"}
    offenders = []
    for path in _modules("scheduler"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                offenders += [f"{_dotted(path)}: {a.name}" for a in node.names if a.name in forbidden]
            elif isinstance(node, ast.Attribute) and node.attr in forbidden:
                offenders.append(f"{_dotted(path)}: .{node.attr}")
    assert not offenders, offenders
