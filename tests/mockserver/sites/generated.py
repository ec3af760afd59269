"""A big generated site in the beijing.gov.cn layout, for bench/crawl."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from .. import content as C
from .base import ROBOTS, Page, Site
from .beijing import _bj_article, _bj_list


class Generated(Site):
    """N distinct articles in the beijing.gov.cn layout, 20 to a list page."""

    def __init__(self, name: str, articles: int, seed: int = 7) -> None:
        super().__init__(name)
        self.count, self.seed = articles, seed

    def build(self) -> None:
        rng = random.Random(self.seed)
        pool = _sentence_pool()
        self.pages = {"/robots.txt": Page(ROBOTS.encode(), "text/plain")}
        col = "/ywdt/yaowen/"
        entries = []
        start = datetime(2022, 1, 1, 8, 0)
        for i in range(self.count):
            when = start + timedelta(minutes=37 * i)
            sentences = rng.sample(pool, 14)
            paras = [f"（第{i}号）" + "".join(sentences[:4])] + [
                "".join(sentences[k : k + 2]) for k in range(4, 14, 2)
            ]
            title = f"北京市政务信息第{i}号：{rng.choice(C.BJ_NEWS)[3]}"
            path = f"{col}{when:%Y%m}/t{when:%Y%m%d}_{3000000 + i}.html"
            self.html(path, _bj_article(title, f"{when:%Y-%m-%d}", f"{when:%H:%M}", "北京日报", paras))
            entries.append(("./" + path[len(col) :], title, f"{when:%Y-%m-%d}"))
        entries.reverse()
        chunks = [entries[i : i + 20] for i in range(0, len(entries), 20)]
        for n, chunk in enumerate(chunks):
            name = "index.html" if n == 0 else f"index_{n}.html"
            self.html(f"{col}{name}", _bj_list(chunk, n, len(chunks)), is_list=True)


def _sentence_pool() -> list[str]:
    """Real sentences (the seed notice, the finews posts, the sample news) to compose distinct articles."""
    texts = C.seed_notice_paragraphs() + [p for n in C.BJ_NEWS for p in n[5]]
    texts += [re.sub(r"<[^>]+>", "", body) for _, _, body in C.finews_posts()]
    sentences = {s.strip() + "。" for t in texts for s in t.split("。") if 15 <= len(s.strip()) <= 120}
    return sorted(sentences)
