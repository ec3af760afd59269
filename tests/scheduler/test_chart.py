"""The digest's chart: a real PNG of the expected size, CJK labels in a real font (kept as an
artifact in the test's tmp dir), counts against the 7-day mean, sparklines."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from notifiers.chart import (
    HEADER,
    ROW,
    SCALE,
    WIDTH,
    TopicTrend,
    chart_figure,
    cjk_font,
    render_chart,
    sparkline,
    trend_line,
)

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
    assert image.shape[1] == WIDTH * SCALE and image.shape[0] == (ROW * 2 + HEADER) * SCALE
    (tmp_path / "digest-chart.png").write_bytes(png)  # the artifact
    assert image.std() > 0.01  # something was drawn


@pytest.mark.parametrize(
    "label",
    [
        "数字货币 / 数字人民币",
        "北京城市副中心",
        "一个非常非常长的自定义主题名称没有空格也要放得下",
        "Green finance",
    ],
)
def test_every_label_lies_inside_the_image(label):
    """The digest chart once cut "数" off "数字货币 / 数字人民币": every text's drawn extent (real
    font, real renderer) is inside the figure, and left of the bars it labels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    trends = [TopicTrend("t1", label, DAYS, _trends()[0].counts), *_trends()]
    fig = chart_figure(trends)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    box = fig.bbox
    bars_left = min(ax.get_window_extent(renderer).x0 for ax in fig.axes)
    labels = [t for t in fig.texts if t.get_text().split("\n")[0].strip() and t.get_position()[0] < 0.1]
    assert len(labels) == 3
    for text in fig.texts:
        ext = text.get_window_extent(renderer)
        assert box.x0 <= ext.x0 and ext.x1 <= box.x1 and box.y0 <= ext.y0 and ext.y1 <= box.y1, (
            text.get_text()
        )
    for text in labels:
        assert text.get_window_extent(renderer).x1 < bars_left, text.get_text()
        assert text.get_fontsize() >= 7
    first = labels[0].get_text().replace("\n", "")
    assert first.replace(" ", "").startswith(label.replace(" ", "")[:4])  # the whole name, nothing cut
