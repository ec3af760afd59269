"""A small site in the beijing.gov.cn layout that keeps publishing, for the fault suite
(bench/faults): every article is distinct, follows a topic, and its URL and title are known in
advance, so a harness can say exactly which good articles a crawl should have stored."""

from __future__ import annotations

import random
import re
import zlib
from datetime import datetime, timedelta

from .base import ROBOTS, Page, Site
from .beijing import _bj_article, _bj_list
from .generated import _sentence_pool

# One phrase per built-in topic, so every article raises an alert for a subscriber of all four.
TOPIC_PHRASES = ("数字人民币试点扩大", "北京城市副中心建设提速", "绿色金融改革深化", "金融科技监管沙盒扩容")


class Newsroom(Site):
    """`articles` articles to start with; publish() adds one; a lying charset on request."""

    COLUMN = "/ywdt/yaowen/"

    def __init__(self, name: str, articles: int = 3, *, lying_charset: bool = False) -> None:
        super().__init__(name)
        self.count, self.lying_charset = articles, lying_charset
        self._pool = _sentence_pool()

    def publish(self) -> str:
        """A new article appears at the top of the list; returns its path."""
        self.count += 1
        self.build()
        return self.path(self.count - 1)

    def path(self, i: int) -> str:
        when = self._when(i)
        return f"{self.COLUMN}{when:%Y%m}/t{when:%Y%m%d}_{4000000 + i}.html"

    def title(self, i: int) -> str:
        return f"{self.name}第{i}号：{TOPIC_PHRASES[i % len(TOPIC_PHRASES)]}"

    def _when(self, i: int) -> datetime:
        return datetime(2026, 11, 1, 8, 0) + timedelta(minutes=47 * i)

    def _paragraphs(self, i: int) -> list[str]:
        rng = random.Random(zlib.crc32(f"{self.name}/{i}".encode()))
        sentences = rng.sample(self._pool, 12)
        lead = f"（{self.name}第{i}号）{TOPIC_PHRASES[i % len(TOPIC_PHRASES)]}。"
        return [lead + "".join(sentences[:3])] + ["".join(sentences[k : k + 3]) for k in range(3, 12, 3)]

    def build(self) -> None:
        self.pages = {"/robots.txt": Page(ROBOTS.encode(), "text/plain")}
        entries = []
        for i in range(self.count):
            when, path = self._when(i), self.path(i)
            page = _bj_article(
                self.title(i), f"{when:%Y-%m-%d}", f"{when:%H:%M}", "北京日报", self._paragraphs(i)
            )
            if self.lying_charset and i == 0:  # GBK bytes, though header and meta both say UTF-8
                self.pages[path] = Page(page.encode("gbk"), "text/html; charset=utf-8")
            else:
                self.html(path, page)
            entries.append(("./" + path[len(self.COLUMN) :], self.title(i), f"{when:%Y-%m-%d}"))
        entries.reverse()
        body = _bj_list(entries, 0, 1)
        if self.redesigned:  # a new template: no list items where the adapter looks for them
            body = re.sub(r"<ul[^>]*>.*</ul>", lambda m: re.sub(r"</?(ul|li)\b[^>]*>", "", m.group(0)), body)
        self.html(f"{self.COLUMN}index.html", body, is_list=True)
