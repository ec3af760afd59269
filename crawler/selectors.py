"""User-written selectors: which are XPath and which CSS, and whether one compiles at all.

Light on purpose (no Scrapy): config loading checks every selector with it before anything runs.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["is_xpath", "selector_error"]


def is_xpath(query: str) -> bool:
    """XPath when the query looks like one ('/', './', '(' ), CSS otherwise."""
    return query.strip().startswith(("/", "./", "("))


@lru_cache(maxsize=256)
def selector_error(query: str) -> str | None:
    """None when the selector compiles, else 'not a valid CSS selector: <why>' (or XPath)."""
    from lxml import etree  # here: crawler.adapters imports is_xpath, and every command reads the config

    q = query.strip()
    if is_xpath(q):
        try:
            etree.XPath(q)
        except etree.XPathSyntaxError as exc:
            return f"not a valid XPath selector: {exc}"
        return None
    from parsel.csstranslator import HTMLTranslator  # Scrapy's dialect: ::text, ::attr(name)

    try:
        HTMLTranslator().css_to_xpath(q)
    except Exception as exc:  # cssselect raises SelectorSyntaxError / ExpressionError
        return f"not a valid CSS selector: {exc}"
    return None
