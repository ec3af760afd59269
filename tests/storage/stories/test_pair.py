"""The real syndicated pair: a 217-character eastmoney copy of a 19,000-character Beijing notice."""

from __future__ import annotations

from processor import _winnow
from processor.stories import prints_of
from storage import story_views
from storage.models import Article

from .util import EM_SHORT, GOV_FULL, add, minutes


def _norm(text: str) -> str:
    return "".join(map(chr, _winnow.normalised_codes(text).tolist()))


def test_whole_body_jaccard_is_far_too_low_for_plain_lsh():
    # Why containment: the short copy is ~1% of the notice, so whole-body Jaccard cannot find it.
    short, norm = _norm(EM_SHORT), _norm(GOV_FULL)
    a = {short[i : i + 5] for i in range(len(short) - 4)}
    b = {norm[i : i + 5] for i in range(len(norm) - 4)}
    assert len(a & b) / len(a | b) < 0.02
    assert len(a & b) / min(len(a), len(b)) > 0.9
    # Winnowing keeps every fingerprint of a window the copy holds whole: all of the short copy's
    # but those whose window spans the joint between its digest line and the repeated paragraph.
    mine, theirs = set(prints_of(EM_SHORT)), set(prints_of(GOV_FULL))
    assert len(mine & theirs) / min(len(mine), len(theirs)) >= 0.75
    paragraph = set(prints_of(EM_SHORT.split("\n", 1)[1]))
    assert paragraph <= theirs


def test_short_first_then_government_copy_one_story_gov_lead(session):
    short = add(session, EM_SHORT, source="eastmoney", tier=1, published_at=minutes(47))
    full = add(session, GOV_FULL, source="北京市人民政府", tier=0, published_at=minutes(47))
    assert short.story_id == full.story_id
    summary = story_views.story_summary(session, full.story_id)
    assert summary["lead"]["id"] == full.article_id
    assert [a["id"] for a in summary["articles"]] == [full.article_id, short.article_id]
    assert summary["sources"] == ["北京市人民政府", "eastmoney"]


def test_government_copy_first_then_short(session):
    full = add(session, GOV_FULL, source="北京市人民政府", tier=0, published_at=minutes(50))
    short = add(session, EM_SHORT, source="eastmoney", tier=1, published_at=minutes(47))
    assert short.story_id == full.story_id
    assert story_views.story_summary(session, full.story_id)["lead"]["id"] == full.article_id


def test_short_copy_without_digest_line_still_joins(session):
    full = add(session, GOV_FULL, tier=0)
    paragraph_only = EM_SHORT.split("\n", 1)[1]
    short = add(session, paragraph_only, tier=1)
    assert short.story_id == full.story_id
    assert session.get(Article, short.article_id).story_id == full.story_id
