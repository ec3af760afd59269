"""Articles per source (storage.source_totals) stay what counting the articles gives: new
articles, a re-crawl that stores nothing, an updated article filed under another source; and
migration 0023 fills the counter from an archive. `status`, /sources and the sources API read it
through storage.health.article_totals, with each source's newest fetch time."""

from __future__ import annotations

from collections import Counter

from alembic import command
from sqlalchemy import func, select

from storage import Article, SourceTotal
from storage.db import alembic_config
from storage.health import article_totals

from .util import add, body, minutes


def _straight(session) -> Counter:
    return Counter(dict(session.execute(select(Article.source, func.count()).group_by(Article.source)).all()))


def _kept(session) -> Counter:
    session.expire_all()
    return Counter({s: n for s, n in session.execute(select(SourceTotal.source, SourceTotal.articles)) if n})


def test_source_totals_follow_every_article_write(session):
    add(session, body(range(0, 20)), source="gov")
    add(session, body(range(20, 40)), source="gov")
    url = "https://example.org/source-totals-moved"
    add(session, body(range(40, 60)), source="sina", url=url)
    session.commit()
    assert _kept(session) == _straight(session) == Counter({"gov": 2, "sina": 1})

    again = add(session, body(range(40, 60)), source="sina", url=url)  # unchanged: nothing stored
    assert again.status != "new"
    moved = add(
        session, body(range(40, 60)) + "（更新）", source="sina-finance", url=url, published_at=minutes(5)
    )
    assert moved.status == "updated"
    session.commit()
    assert _kept(session) == _straight(session) == Counter({"gov": 2, "sina-finance": 1})

    totals = article_totals(session, ["gov", "sina", "sina-finance", "none"])
    assert {s: n for s, (n, _) in totals.items()} == {"gov": 2, "sina-finance": 1}
    newest = session.scalar(select(func.max(Article.fetched_at)).where(Article.source == "gov"))
    assert totals["gov"][1] == newest


def test_migration_0023_fills_the_counter_from_the_articles(db, session):
    url = db.engine.url.render_as_string(hide_password=False)
    for i, source in enumerate(("gov", "gov", "eastmoney")):
        add(session, body(range(i * 20, i * 20 + 20)), source=source)
    session.commit()
    session.close()
    command.downgrade(alembic_config(url), "0022")
    command.upgrade(alembic_config(url), "head")
    assert _kept(session) == _straight(session) == Counter({"gov": 2, "eastmoney": 1})
