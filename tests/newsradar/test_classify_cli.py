"""`newsradar classify` and `topics` through the real command line, with no config or database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_cli

SEED = (ROOT / "tests/mockserver/data/finews/2022-02-11-NW202202112273872039.md").read_text(encoding="utf-8")


@pytest.mark.sqlite_only("checks no .db file is created")
def test_classify_jsonl_needs_no_config_or_database(tmp_path):
    lines = [
        {
            "id": "seed",
            "title": "北京：积极推进城市副中心开展法定数字货币试点 探索建设数字资产交易场所",
            "text": SEED,
        },
        {
            "id": 7,
            "title": "市教委部署新学期中小学开学工作",
            "text": "市教委日前召开会议，部署新学期中小学开学工作。",
        },
    ]
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n", encoding="utf-8"
    )
    out = run_cli("classify", "--jsonl", str(src), env={"HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["seed", 7, None]
    topics = {t["id"]: t for t in rows[0]["topics"]}
    assert {"digital_currency", "sub_center"} <= set(topics)
    assert "法定数字货币" in topics["digital_currency"]["evidence"]
    assert 0 < topics["digital_currency"]["score"] <= 1 and topics["digital_currency"]["terms"]
    assert rows[1]["topics"] == []
    assert "error" in rows[2]
    assert not list(Path(tmp_path).glob("*.db"))


def test_classify_text_for_a_person(tmp_path):
    f = tmp_path / "body.txt"
    f.write_text("人民银行表示，将稳妥推进数字人民币研发试点，扩大数字人民币试点范围。", encoding="utf-8")
    out = run_cli("classify", "--title", "数字人民币试点扩围", "--text-file", str(f))
    assert out.returncode == 0
    assert "digital_currency" in out.stdout and "**数字人民币**" in out.stdout


def test_topics_eval_prints_the_table():
    out = run_cli("topics", "eval", "--labels", str(ROOT / "tests/data/topics_labelled.jsonl"))
    assert out.returncode == 0, out.stderr
    for topic in ("digital_currency", "sub_center", "green_finance", "fintech"):
        assert topic in out.stdout
    assert "F1" in out.stdout


def test_topics_list_and_user_topic_from_config(tmp_path):
    cfg = tmp_path / "newsradar.toml"
    cfg.write_text(
        '[[topics]]\nid = "ai_policy"\nname = "AI policy"\nkeywords = ["人工智能", "大模型"]\n',
        encoding="utf-8",
    )
    out = run_cli("topics", "list", config=cfg)
    assert out.returncode == 0, out.stderr
    ids = [line.split()[0] for line in out.stdout.splitlines()]
    assert ids[:4] == ["digital_currency", "sub_center", "green_finance", "fintech"] and "ai_policy" in ids
    bad = tmp_path / "bad.toml"
    bad.write_text('[[topics]]\nid = "x"\nname = "X"\nkeywords = ["a"]\nthreshold = 3\n', encoding="utf-8")
    out = run_cli("topics", "list", config=bad)
    assert out.returncode == 2 and "topics[0].threshold" in out.stderr
