"""Classification and evaluation reports: JSONL in and out, a human-readable match list, the eval table.

What ``newsradar classify`` and ``topics eval`` print; each function writes to the stream it is
given, so the command layer (and tests) decide where output goes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from ._engine import Classifier
from ._eval import EvalReport, evaluate
from ._evidence import Match

__all__ = ["load_labelled", "run_classify_jsonl", "run_classify_text", "run_eval"]


def _match_json(m: Match) -> dict[str, Any]:
    return {
        "id": m.topic_id,
        "score": m.score,
        "terms": list(m.terms),
        "evidence": m.marked("**", "**"),
    }


def run_classify_jsonl(classifier: Classifier, infile: Iterable[bytes | str], outfile: TextIO) -> int:
    """Classify ``{"id", "title", "text"}`` lines; one output line per input line.

    A bad line yields ``{"id": null, "error": ...}`` (or the id when the JSON
    parsed but fields were wrong) and processing goes on, so one broken
    record does not stop a batch.  Blank lines are skipped.  Give a binary
    file: each line is decoded alone, so a line that is not UTF-8 is one bad
    line too.  Returns the number of records classified.
    """
    done = 0
    for lineno, raw in enumerate(infile, 1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            rec = json.loads(line)
        except UnicodeDecodeError as exc:
            out: dict[str, Any] = {"id": None, "error": f"line {lineno}: not UTF-8 (byte {exc.start + 1})"}
        except json.JSONDecodeError as exc:
            out = {"id": None, "error": f"line {lineno}: invalid JSON: {exc.msg}"}
        else:
            if not isinstance(rec, dict):
                out = {"id": None, "error": f"line {lineno}: expected a JSON object"}
            else:
                title, text = rec.get("title") or "", rec.get("text") or ""
                if not isinstance(title, str) or not isinstance(text, str):
                    out = {"id": rec.get("id"), "error": f"line {lineno}: title and text must be strings"}
                else:
                    matches = classifier.classify(title, text)
                    out = {"id": rec.get("id"), "topics": [_match_json(m) for m in matches]}
                    done += 1
        outfile.write(json.dumps(out, ensure_ascii=False) + "\n")
        outfile.flush()
    return done


def run_classify_text(classifier: Classifier, title: str, text: str, out: TextIO) -> None:
    """Human-readable matches for one article, or "no topic matched"."""
    matches = classifier.classify(title, text)
    if not matches:
        out.write("no topic matched\n")
        return
    names = {t.id: t.name for t in classifier.topics}
    for m in matches:
        terms = ", ".join(f"{t}×{n}" for t, n in sorted(m.terms.items(), key=lambda kv: -kv[1]))
        out.write(f"{m.topic_id} ({names.get(m.topic_id, m.topic_id)})  score {m.score:.2f}\n")
        out.write(f"  terms: {terms}\n")
        out.write(f"  evidence: {m.marked('**', '**')}\n")


def load_labelled(path: str | Path) -> Iterator[dict[str, Any]]:
    """Read a labelled JSONL file (``id, title, text, labels``), skipping blank lines."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from exc
            yield item


def run_eval(classifier: Classifier, labels_path: str | Path, out: TextIO) -> EvalReport:
    """Evaluate against a labelled JSONL file and print the P/R/F1 table."""
    report = evaluate(classifier, load_labelled(labels_path))
    out.write(report.table() + "\n")
    return report
