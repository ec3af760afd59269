"""The same crawl on PostgreSQL: every article once, then nothing new."""

from __future__ import annotations

import pytest

from tests.helpers import articles_json, run_cli, sample_sources, write_config

pytestmark = pytest.mark.postgres


def test_crawl_on_postgres(mocksite, tmp_path, pg_database):
    config = write_config(tmp_path, sample_sources(mocksite, dead=False), database=pg_database)
    first = run_cli("crawl", config=config)
    assert first.returncode == 0, first.stderr
    stored = articles_json(config)
    assert len(stored) > 40 and len({a["url"] for a in stored}) == len(stored)
    [seed] = [a for a in stored if a["url"].endswith("/NW202202112273872039.html")]
    assert seed["published_at"] == "2022-02-11T12:47:43+08:00"
    assert {"digital_currency", "sub_center"} <= set(seed["topics"])
    copies = [a for a in stored if a["story"] == seed["story"]]
    assert len(copies) >= 3  # government original, eastmoney and the aggregator's copies
    second = run_cli("crawl", config=config)
    assert second.returncode == 0, second.stderr
    assert len(articles_json(config)) == len(stored)
    assert all(
        line.split()[2] == "0" for line in second.stdout.splitlines()[1:] if line and not line.startswith(" ")
    )
