"""Classifier reports: JSONL in/out, human-readable output, eval table."""

import io
import json
from functools import lru_cache

from classifier import Classifier, default_topics, run_classify_jsonl, run_classify_text, run_eval


@lru_cache(maxsize=1)
def clf() -> Classifier:
    return Classifier(default_topics())


def test_jsonl_one_output_line_per_input_line_bad_lines_reported():
    lines = [
        json.dumps(
            {"id": 1, "title": "数字人民币试点扩大", "text": "法定数字货币试点地区扩大。"}, ensure_ascii=False
        ),
        "{not json",
        json.dumps({"id": "x2", "title": "北向资金", "text": "净流入30亿元"}),
        "",
        json.dumps([1, 2]),
        json.dumps({"id": 5, "title": 3, "text": "x"}),
    ]
    out = io.StringIO()
    n = run_classify_jsonl(clf(), io.StringIO("\n".join(lines) + "\n"), out)
    assert n == 2
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(rows) == 5
    assert rows[0]["id"] == 1
    t = rows[0]["topics"][0]
    assert t["id"] == "digital_currency" and 0 < t["score"] <= 1
    assert "数字人民币" in t["terms"] and "**" in t["evidence"]
    assert rows[1]["id"] is None and "error" in rows[1]
    assert rows[2] == {"id": "x2", "topics": []}
    assert rows[3]["id"] is None and "error" in rows[3]
    assert rows[4]["id"] == 5 and "error" in rows[4]
    assert "数字人民币" in out.getvalue()  # ensure_ascii=False


def test_text_output():
    out = io.StringIO()
    run_classify_text(clf(), "北京城市副中心建设", "北京城市副中心运河商务区加快建设。", out)
    s = out.getvalue()
    assert s.startswith("sub_center") and "score" in s and "运河商务区×1" in s and "**运河商务区**" in s
    out = io.StringIO()
    run_classify_text(clf(), "天气", "今天晴。", out)
    assert out.getvalue().strip() == "no topic matched"


def test_run_eval_prints_table(tmp_path):
    p = tmp_path / "labels.jsonl"
    p.write_text(
        json.dumps(
            {"id": "a", "title": "绿色金融", "text": "发展绿色债券和绿色信贷。", "labels": ["green_finance"]},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    report = run_eval(clf(), p, out)
    assert report.per_topic["green_finance"]["tp"] == 1
    assert "green_finance" in out.getvalue() and "F1" in out.getvalue()
