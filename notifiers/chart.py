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

__all__ = [
    "CHART_CID",
    "CJK_FONTS",
    "TopicTrend",
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
SIZE = (720, 60)  # pixels: width, height per topic row (plus a header)
DPI = 100


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

    @property
    def direction(self) -> str:
        """ "up", "down" or "flat": the day against the 7-day mean (±20 % is flat)."""
        mean = self.mean7
        return (
            "up" if self.today > mean * 1.2 + 0.05 else "down" if self.today < mean * 0.8 - 0.05 else "flat"
        )


_ARROWS = {"up": "↑", "down": "↓", "flat": "→"}


def trend_line(t: TopicTrend) -> str:
    """`数字货币 12 条（7日均值 4.3，↑）`: the day's count against the week before."""
    return f"{t.label} {t.today} 条（7日均值 {t.mean7:.1f}，{_ARROWS[t.direction]}）"


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
    """A PNG: one small bar row per topic over its days, the digest's day highlighted."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    font = cjk_font()
    rows = max(1, len(trends))
    width, row = SIZE
    fig = Figure(figsize=(width / DPI, (row * rows + 40) / DPI), dpi=DPI)
    props = {"family": font} if font else {}
    for i, t in enumerate(trends):
        ax = fig.add_axes(
            (0.22, 1 - (i + 1) * (row / (row * rows + 40)) + 0.02, 0.74, row / (row * rows + 40) * 0.7)
        )
        colours = ["#9bb7d4"] * (len(t.counts) - 1) + ["#c0392b"]
        ax.bar(range(len(t.counts)), t.counts, color=colours, width=0.8)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        name = (labels or {}).get(t.topic, t.label) if font else t.topic
        ax.text(
            -0.02,
            0.5,
            f"{name}  {t.today}",
            transform=ax.transAxes,
            ha="right",
            va="center",
            fontsize=10,
            **props,
        )
    if trends:
        first, last = trends[0].days[0], trends[0].days[-1]
        fig.text(0.22, 0.02, f"{first:%m-%d}", fontsize=8)
        fig.text(0.96, 0.02, f"{last:%m-%d}", fontsize=8, ha="right")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def trend_text(trends: Sequence[TopicTrend]) -> str:
    """Plain-text trend block: one line per topic with its 14-day sparkline."""
    return "\n".join(f"{trend_line(t)}  {sparkline(t.counts)}" for t in trends)
