"""Scrapy commands of a node's project (COMMANDS_MODULE): `crawl` runs a newsradar round."""

__all__: list[str] = []
