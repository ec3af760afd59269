"""`scrapy crawl round -a sources=...`, as Scrapyd's runner calls it: a newsradar crawl round."""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

__all__ = ["Command"]


class Command(ScrapyCrawl):
    """Runs the round with crawl_sources (several sources, one process, its own CrawlerProcess),
    so Scrapy's own process is not created here."""

    requires_crawler_process = False

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from crawler.node import SPIDER
        from crawler.node_spider import run_round

        if args != [SPIDER]:
            raise UsageError(f"a newsradar node runs one spider, {SPIDER!r}, not {' '.join(args)!r}")
        if "sources" not in opts.spargs:
            raise UsageError("the round needs its sources: -a sources='[...]' (JSON)")
        assert self.settings is not None
        self.exitcode = run_round(opts.spargs, self.settings.get("LOG_FILE"))
