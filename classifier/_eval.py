"""Evaluation against labelled articles: per-topic precision, recall, F1.

Misclassified ids are kept (false positives and false negatives apart) so a
person tuning term lists can read exactly the articles that went wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class EvalReport:
    """Per-topic counts and metrics; ``per_topic[id]`` has tp/fp/fn/precision/recall/f1/ids."""

    per_topic: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: int = 0

    def macro_f1(self) -> float:
        """Unweighted mean F1 over topics with any gold or predicted item."""
        scored = [d["f1"] for d in self.per_topic.values() if d["support"] or d["fp"]]
        return sum(scored) / len(scored) if scored else 1.0

    def table(self) -> str:
        """Printable table: one row per topic, then misclassified ids."""
        head = f"{'topic':<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4} {'gold':>5}"
        lines = [f"{self.items} items", head, "-" * len(head)]
        for tid, d in self.per_topic.items():
            lines.append(
                f"{tid:<18} {d['precision']:>6.3f} {d['recall']:>6.3f} {d['f1']:>6.3f}"
                f" {d['tp']:>4} {d['fp']:>4} {d['fn']:>4} {d['support']:>5}"
            )
        lines.append(f"{'macro F1':<18} {'':>6} {'':>6} {self.macro_f1():>6.3f}")
        wrong = [
            (tid, d) for tid, d in self.per_topic.items() if d["false_positives"] or d["false_negatives"]
        ]
        if wrong:
            lines.append("")
            lines.append("misclassified:")
            for tid, d in wrong:
                if d["false_positives"]:
                    lines.append(f"  {tid} false positives: {', '.join(map(str, d['false_positives']))}")
                if d["false_negatives"]:
                    lines.append(f"  {tid} false negatives: {', '.join(map(str, d['false_negatives']))}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"items": self.items, "macro_f1": self.macro_f1(), "per_topic": self.per_topic}


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def evaluate(classifier: Any, items: Iterable[dict]) -> EvalReport:
    """Classify each item (``id, title, text, labels``) and compare with its labels.

    Only the classifier's topics are scored; labels for other topics are ignored.
    A topic with no gold items and no predictions gets P = R = F1 = 1.
    """
    topic_ids = [t.id for t in classifier.topics]
    stats = {tid: {"tp": 0, "fp": 0, "fn": 0, "fp_ids": [], "fn_ids": []} for tid in topic_ids}
    n = 0
    for item in items:
        n += 1
        gold = set(item.get("labels") or [])
        pred = {m.topic_id for m in classifier.classify(item.get("title") or "", item.get("text") or "")}
        for tid in topic_ids:
            s = stats[tid]
            if tid in pred and tid in gold:
                s["tp"] += 1
            elif tid in pred:
                s["fp"] += 1
                s["fp_ids"].append(item.get("id"))
            elif tid in gold:
                s["fn"] += 1
                s["fn_ids"].append(item.get("id"))
    report = EvalReport(items=n)
    for tid, s in stats.items():
        p = _ratio(s["tp"], s["tp"] + s["fp"])
        r = _ratio(s["tp"], s["tp"] + s["fn"])
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        report.per_topic[tid] = {
            "tp": s["tp"],
            "fp": s["fp"],
            "fn": s["fn"],
            "support": s["tp"] + s["fn"],
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f1, 4),
            "false_positives": s["fp_ids"],
            "false_negatives": s["fn_ids"],
        }
    return report
