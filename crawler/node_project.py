"""The Scrapy project settings module a node's jobs run with (Scrapyd [settings] newsradar = this)."""

__all__ = ["BOT_NAME", "COMMANDS_MODULE", "LOG_LEVEL", "SPIDER_MODULES"]

BOT_NAME = "newsradar"
SPIDER_MODULES = ["crawler.node_spider"]
# Our `crawl` command replaces Scrapy's: a round is several sources in one process (crawl_sources).
COMMANDS_MODULE = "crawler.node_commands"
LOG_LEVEL = "INFO"
