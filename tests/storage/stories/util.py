"""Helpers for story tests: real fixture texts, a sentence pool and a one-call ingest."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from classifier import Match
from processor import ArticleData, Ingestor

DATA = Path(__file__).parent / "data"
GOV_FULL = (DATA / "gov_full.txt").read_text()  # 《关于推进北京城市副中心高质量发展的实施方案》, full notice
EM_SHORT = (DATA / "emnews_short.txt").read_text()  # eastmoney copy: digest + opening paragraph only
SENTENCES = [s for s in (DATA / "sentences.txt").read_text().splitlines() if s]
FOOTER = (
    "免责声明：本文内容仅供参考，不构成任何投资建议。投资者据此操作，风险自担。"
    "本网站转载的所有文章、图片、音频视频文件等资料的版权归版权所有人所有。"
)
T0 = datetime(2022, 2, 11, 4, 0, tzinfo=UTC)


_urls = itertools.count(1)


def add(
    session,
    body: str,
    *,
    title: str = "标题",
    source: str = "eastmoney",
    tier: int = 1,
    published_at: datetime | None = T0,
    url: str | None = None,
    topics: tuple[str, ...] = (),
):
    """Ingest one article (optionally matching `topics`) and return its IngestResult."""

    def matcher(_title: str, _text: str) -> list[Match]:
        return [Match(t, 1.0, {t: 1}, "", (), "h") for t in topics]

    data = ArticleData(
        source=source,
        url=url or f"https://example.org/{next(_urls)}",
        title=title,
        body_text=body,
        tier=tier,
        published_at=published_at,
    )
    return Ingestor(matcher if topics else None).ingest(session, data)


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def body(indexes, sep: str = "") -> str:
    """A body made of pool sentences (deterministic)."""
    return sep.join(SENTENCES[i] for i in indexes)
