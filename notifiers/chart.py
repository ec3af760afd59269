"""The digest's trend: counts per topic against the 7-day mean, a 14-day chart (PNG) and a text
sparkline for plain text and the console.

matplotlib with the Agg backend renders headless PNGs; CJK labels need a font with the glyphs
(WenQuanYi Micro Hei or Noto CJK from Debian's packages). Without one the labels fall back to
the topic ids in Latin letters, with a warning, never to boxes.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = [
    "CHART_CID",
    "CJK_FONTS",
    "TopicTrend",
    "chart_figure",
    "cjk_font",
    "render_chart",
    "sparkline",
    "trend_line",
    "trend_text",
    "warm",
]

log = logging.getLogger(__name__)
CJK_FONTS = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
)
BARS = "▁▂▃▄▅▆▇█"
CHART_CID = "trend-chart@newsradar"
WIDTH, ROW, HEADER = 560, 44, 24  # CSS pixels as the email shows it: width, per topic row, margins
SCALE = 2  # the PNG has twice as many pixels (sharp on high-density screens)
PAD, GAP = 6, 10  # pixels: the edge to a label, a label to its bars
LABEL_MAX = 0.42  # the label column's largest share of the width


@dataclass(frozen=True)
class TopicTrend:
    """One topic's stories per day, oldest first; the last value is the digest's day."""

    topic: str
    label: str
    days: tuple[date, ...]
    counts: tuple[int, ...]

    @property
    def today(self) -> int:
        return self.counts[-1] if self.counts else 0

    @property
    def mean7(self) -> float:
        """The mean of the 7 days before the digest's day."""
        before = self.counts[-8:-1]
        return sum(before) / len(before) if before else 0.0


def trend_line(t: TopicTrend) -> str:
    """`数字货币 12 条（7日均值 4.3，↑）`: the day's count against the week before."""
    mean = t.mean7
    arrow = "↑" if t.today > mean * 1.2 + 0.05 else "↓" if t.today < mean * 0.8 - 0.05 else "→"
    return f"{t.label} {t.today} 条（7日均值 {mean:.1f}，{arrow}）"


def sparkline(values: Sequence[int]) -> str:
    """▁▂▅█ for plain-text parts: one character per day."""
    top = max(values, default=0)
    if top <= 0:
        return BARS[0] * len(values)
    return "".join(BARS[min(len(BARS) - 1, round(v / top * (len(BARS) - 1)))] for v in values)


_FONT: list[str | None] = []


def warm() -> None:
    """Import matplotlib and find the font now (a second or more), so a send never waits for it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure  # noqa: F401

    cjk_font()


def cjk_font() -> str | None:
    """The name of an installed font that has CJK glyphs (looked up once), or None."""
    if not _FONT:
        from matplotlib import font_manager

        manager = font_manager.fontManager
        found = _first_cjk(manager)
        if found is None:
            # matplotlib caches its font list; a font installed after that cache was written
            # (the warning below tells people to install one) is only seen by adding the files.
            known = {f.fname for f in manager.ttflist}
            for path in font_manager.findSystemFonts():
                if path not in known:
                    try:
                        manager.addfont(path)
                    except (OSError, RuntimeError, ValueError):
                        continue
            found = _first_cjk(manager)
        if found is None:
            log.warning(
                "no CJK font found (install fonts-wqy-microhei or fonts-noto-cjk): "
                "digest charts use topic ids as labels"
            )
        _FONT.append(found)
    return _FONT[0]


def _first_cjk(manager) -> str | None:
    names = {f.name for f in manager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def render_chart(trends: Sequence[TopicTrend], *, labels: Mapping[str, str] | None = None) -> bytes:
    """A PNG: one small bar row per topic over its days, the digest's day highlighted; drawn at
    twice the size the email shows it (WIDTH css px), so it stays sharp on a phone."""
    fig = chart_figure(trends, labels=labels)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def chart_figure(trends: Sequence[TopicTrend], *, labels: Mapping[str, str] | None = None) -> Any:
    """The chart as a matplotlib Figure, laid out so every label fits inside it: the label
    column is as wide as the widest label (measured with the real font), a label too wide for
    LABEL_MAX of the width goes on two lines, then shrinks."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = cjk_font()
    rows = max(1, len(trends))
    height = ROW * rows + HEADER
    fig = Figure(figsize=(WIDTH / 100, height / 100), dpi=100 * SCALE)
    renderer = FigureCanvasAgg(fig).get_renderer()
    props = {"family": font} if font else {}
    texts = []
    for i, t in enumerate(trends):
        name = (labels or {}).get(t.topic, t.label) if font else t.topic
        y = 1 - (HEADER / 2 + ROW * i + ROW / 2) / height
        text = fig.text(PAD / WIDTH, y, f"{name}  {t.today}", ha="left", va="center", fontsize=10, **props)
        _fit(text, renderer, f"{name}\n{t.today}" if " " not in name else _two_lines(name, t.today))
        texts.append(text)
    widest = max((x.get_window_extent(renderer).width / SCALE for x in texts), default=0.0)
    left = (PAD + widest + GAP) / WIDTH
    for i, t in enumerate(trends):
        bottom = 1 - (HEADER / 2 + ROW * (i + 1)) / height
        ax = fig.add_axes((left, bottom + ROW * 0.15 / height, 1 - left - PAD / WIDTH, ROW * 0.7 / height))
        colours = ["#9bb7d4"] * (len(t.counts) - 1) + ["#c0392b"]
        ax.bar(range(len(t.counts)), t.counts, color=colours, width=0.8)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
    if trends:
        first, last = trends[0].days[0], trends[0].days[-1]
        fig.text(left, 4 / height, f"{first:%m-%d}", fontsize=8, color="#555")
        fig.text(1 - PAD / WIDTH, 4 / height, f"{last:%m-%d}", fontsize=8, ha="right", color="#555")
    return fig


def _two_lines(name: str, today: int) -> str:
    """`数字货币 / 数字人民币  12` as two lines, broken at the space nearest the middle."""
    spaces = [i for i, c in enumerate(name) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return f"{name[:cut].rstrip()}\n{name[cut:].strip()}  {today}"


def _fit(text: Any, renderer: Any, wrapped: str) -> None:
    """Keep a label within LABEL_MAX of the width: wrap it, then shrink it (not below 7 pt)."""
    limit = WIDTH * LABEL_MAX * SCALE
    if text.get_window_extent(renderer).width <= limit:
        return
    text.set_text(wrapped)
    while text.get_window_extent(renderer).width > limit and text.get_fontsize() > 7:
        text.set_fontsize(text.get_fontsize() - 0.5)


def trend_text(trends: Sequence[TopicTrend]) -> str:
    """Plain-text trend block: one line per topic with its 14-day sparkline."""
    return "\n".join(f"{trend_line(t)}  {sparkline(t.counts)}" for t in trends)
