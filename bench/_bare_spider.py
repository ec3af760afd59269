"""Baseline for bench/crawl: a bare Scrapy spider fetching the same pages, doing nothing with them."""

import json
import sys
import time

import scrapy
from scrapy.crawler import CrawlerProcess


class Bare(scrapy.Spider):
    name = "bare"

    def __init__(self, start: str, **kw):
        super().__init__(**kw)
        self.start_urls = [start]

    def parse(self, response):
        for href in response.css("ul.list li a::attr(href)").getall():
            yield response.follow(href, callback=self.article)
        for href in response.xpath("//script[contains(., 'Pager')]").re(r"current:(\d+)")[:1]:
            size = int(response.xpath("//script[contains(., 'Pager')]").re(r"size:(\d+)")[0])
            nxt = int(href) + 1
            if nxt < size:
                yield response.follow(f"index_{nxt}.html", callback=self.parse)

    def article(self, response):
        return None


if __name__ == "__main__":
    concurrency = int(sys.argv[2])
    process = CrawlerProcess(
        {"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS": 32, "DOWNLOAD_DELAY": 0,
         "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "TELNETCONSOLE_ENABLED": False}
    )  # fmt: skip
    crawler = process.create_crawler(Bare)
    process.crawl(crawler, start=sys.argv[1])
    t0 = time.perf_counter()
    process.start()
    elapsed = time.perf_counter() - t0
    print(json.dumps({"pages": crawler.stats.get_value("response_received_count"), "seconds": elapsed}))
