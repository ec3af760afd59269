"""bench/crawl --index-cost: on PYTHONPATH, every process of a crawl (the ingest worker too) starts
with search indexing switched off, so the crawl's time without the index can be measured."""

import search

search.index_article = lambda session, article, **_: None
