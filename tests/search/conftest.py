"""A fixture archive of real Chinese news (tests/data) in a migrated database, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from classifier import Match as MatchData
from processor import ArticleData, Ingestor
from storage import BEIJING, Database
from tests.helpers import scratch_postgres

DATA = Path(__file__).resolve().parent.parent / "data"
T0 = datetime(2024, 1, 1, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    key: str
    source: str
    title: str
    text: str
    labels: tuple[str, ...]
    published_at: datetime | None

    @property
    def url(self) -> str:
        return f"https://example.org/{self.key}"


def fixture_items() -> list[Item]:
    """Every labelled and hold-out item (source = its label group) and the eastmoney posts."""
    items: list[Item] = []
    for name in ("topics_labelled.jsonl", "topics_holdout.jsonl"):
        for n, line in enumerate((DATA / name).read_text(encoding="utf-8").splitlines()):
            r = json.loads(line)
            key = f"{name.split('_')[1].split('.')[0]}-{r['id']}"
            source = r["id"].split("-")[0]
            when = T0 + timedelta(hours=7 * n) if n % 11 else None  # some articles have no date
            items.append(Item(key, source, r.get("title") or "", r["text"], tuple(r.get("labels", [])), when))
    for line in (DATA / "finews_posts.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        when = datetime.fromisoformat(r["date"]).replace(tzinfo=BEIJING) if r["date"] else None
        items.append(Item(r["id"], "eastmoney", r["title"], r["text"], (), when))
    return items


def _labels_matcher(by_text: dict[tuple[str, str], tuple[str, ...]]):
    def matcher(title: str, text: str) -> list[MatchData]:
        return [MatchData(t, 1.0, {t: 1}, "", (), "h") for t in by_text.get((title, text), ())]

    return matcher


def load(db: Database, items: list[Item]) -> dict[str, int]:
    """Ingest the items the way a crawl stores them; returns key -> article id."""
    ingestor = Ingestor(_labels_matcher({(i.title, i.text): i.labels for i in items}))
    ids: dict[str, int] = {}
    with db.session() as s:
        for i in items:
            data = ArticleData(
                source=i.source, url=i.url, title=i.title, body_text=i.text, published_at=i.published_at
            )
            ids[i.key] = ingestor.ingest(s, data, commit=False).article_id
        s.commit()
    return ids


@dataclass
class Archive:
    db: Database
    items: list[Item]
    ids: dict[str, int]

    def keys(self, article_ids) -> set[str]:
        back = {v: k for k, v in self.ids.items()}
        return {back[a] for a in article_ids}


@pytest.fixture(scope="module")
def pg_url():
    with scratch_postgres("newsradar_s") as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def archive(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('search')}/a.db"
    else:
        url = request.getfixturevalue("pg_url")
    db = Database(url)
    db.migrate()
    items = fixture_items()
    ids = load(db, items)
    yield Archive(db, items, ids)
    db.dispose()
