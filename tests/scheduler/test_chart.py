"""The digest's chart: a real PNG of the expected size, CJK labels in a real font (kept as an
artifact in the test's tmp dir), counts against the 7-day mean, sparklines."""

from __future__ import annotations

import io
from datetime import date, timedelta

from notifiers.chart import TopicTrend, cjk_font, render_chart, sparkline, trend_line

DAYS = tuple(date(2026, 11, 18) + timedelta(days=i) for i in range(14))


def _trends() -> list[TopicTrend]:
    return [
        TopicTrend("digital_currency", "数字货币", DAYS, (3, 5, 4, 6, 2, 4, 5, 3, 4, 5, 6, 4, 3, 12)),
        TopicTrend("sub_center", "北京城市副中心", DAYS, (1, 0, 2, 1, 1, 0, 3, 2, 1, 1, 2, 0, 1, 0)),
    ]


def test_counts_against_the_seven_day_mean():
    dc, sc = _trends()
    assert trend_line(dc) == "数字货币 12 条（7日均值 4.3，↑）"
    assert trend_line(sc) == "北京城市副中心 0 条（7日均值 1.4，↓）"


def test_sparkline_one_character_per_day():
    assert sparkline([0, 4, 8]) == "▁▅█"
    assert sparkline([0, 0]) == "▁▁"
    assert len(sparkline(_trends()[0].counts)) == 14


def test_chart_png_decodes_with_the_expected_size_and_a_cjk_font(tmp_path):
    from matplotlib import font_manager
    from matplotlib.image import imread

    font = cjk_font()
    assert font in ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei")
    path = font_manager.findfont(font, fallback_to_default=False)
    assert path and "DejaVu" not in path  # a real CJK font file, not the Latin fallback
    png = render_chart(_trends())
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = imread(io.BytesIO(png), format="png")
    assert image.shape[1] == 720 and image.shape[0] == 60 * 2 + 40
    (tmp_path / "digest-chart.png").write_bytes(png)  # the artifact
    assert image.std() > 0.01  # something was drawn
