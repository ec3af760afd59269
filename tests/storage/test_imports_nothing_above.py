"""storage/ (migrations included) imports nothing of ours but common/, the bottom layer: a
migration that imported `search` would run today's tokenizer on a past revision."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} | {"tests", "bench"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
    return found


def test_storage_imports_only_itself_common_and_libraries():
    assert {"storage", "common", "search", "processor"} <= OURS
    offenders = {
        f"{path.relative_to(ROOT)}: {sorted(_imports(path) & OURS - {'storage', 'common'})}"
        for path in sorted((ROOT / "storage").rglob("*.py"))
        if _imports(path) & OURS - {"storage", "common"}
    }
    assert not offenders, offenders


def test_common_imports_nothing_of_ours():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "common").rglob("*.py")
        if _imports(path) & OURS - {"common"}
    ]
    assert not offenders, offenders
