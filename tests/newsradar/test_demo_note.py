"""`make demo` says, once and before the first crawl, that its broken pages and dead source are deliberate."""

from __future__ import annotations

from tests.helpers import ROOT


def test_demo_explains_its_deliberate_failures_before_crawling():
    lines = (ROOT / "deploy" / "demo.sh").read_text(encoding="utf-8").splitlines()
    notes = [i for i, line in enumerate(lines) if line.startswith("echo") and "on purpose" in line]
    assert len(notes) == 1
    first_crawl = next(i for i, line in enumerate(lines) if line.rstrip().endswith(" crawl"))
    assert notes[0] < first_crawl
    assert "broken pages" in lines[notes[0]] and "dead source" in lines[notes[0]]
