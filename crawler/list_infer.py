"""`generic` selectors inferred from one list page: the repeated block of links with dates.

Links are grouped by the classes and tags of their ancestors (a list's entries share them, a menu's
differ from the list's); each link's entry is the largest element holding no other link of its
group. The group with the most dated entries wins. Every selector proposed is checked by running
the `generic` adapter itself on the page: what it reads must be exactly the entries found.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

from lxml import etree
from scrapy.http import TextResponse

from .adapters.generic import Generic

__all__ = ["ListGuess", "infer_list"]

# Dates as list pages print them: 2026-12-01, 2026/12/01, 2026年12月1日, 12月01日, 12-01.
_DATE = re.compile(
    r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}月\d{1,2}日"
    r"|(?<![\d./-])(?:0?[1-9]|1[0-2])[-/](?:[0-2]?\d|3[01])(?![\d./-])"
)
# Classes that differ between entries of one list (row striping, state, position, numbering).
_VARYING = re.compile(r"^(odd|even|first|last|active|current|cur|on|sel|selected|hover|alt|new|hot|top)$|\d")
_CSS_IDENT = re.compile(r"^-?[A-Za-z_][\w-]*$")
_NEXT = ("下一页", "下页", "后一页", "next")
MIN_ENTRIES = 3


@dataclass
class ListGuess:
    """What was inferred: the `generic` selectors, how many entries they read and how many of
    them carry a date, and doubts worth telling the user."""

    selectors: dict[str, str]
    entries: int
    dated: int
    notes: list[str] = field(default_factory=list)


@dataclass
class _Group:
    anchors: list[etree._Element]
    items: list[etree._Element]
    dates: list[str | None]

    @property
    def dated(self) -> int:
        return sum(d is not None for d in self.dates)

    def titles(self) -> list[str]:
        return [_norm(a.text_content()) or _norm(a.get("title")) for a in self.anchors]


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _step(el: etree._Element) -> str:
    """tag.class.class of an element, without the classes that vary between list entries."""
    classes = sorted(
        c for c in (el.get("class") or "").split() if not _VARYING.search(c) and _CSS_IDENT.match(c)
    )
    return el.tag + "".join(f".{c}" for c in classes)


def _links(root: etree._Element) -> list[etree._Element]:
    body = root.find("body")
    out = []
    for a in (body if body is not None else root).iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        if len(_norm(a.text_content())) >= 4 or len(_norm(a.get("title"))) >= 4:
            out.append(a)
    return out


def _groups(root: etree._Element) -> list[_Group]:
    """Links of one ancestor signature, split by the element holding their entries."""
    by_signature: dict[tuple[str, ...], list[etree._Element]] = defaultdict(list)
    for a in _links(root):
        by_signature[tuple(_step(x) for x in a.iterancestors())].append(a)
    groups = []
    for anchors in by_signature.values():
        if len(anchors) < MIN_ENTRIES:
            continue
        holding: dict[etree._Element, int] = defaultdict(int)
        for a in anchors:
            for x in a.iterancestors():
                holding[x] += 1
        by_container: dict[etree._Element, _Group] = {}
        for a in anchors:
            item = a
            while item.getparent() is not None and holding[item.getparent()] == 1:
                item = item.getparent()
            group = by_container.setdefault(item.getparent(), _Group([], [], []))
            group.anchors.append(a)
            group.items.append(item)
            group.dates.append(_date_in(item, a))
        groups += [g for g in by_container.values() if len(g.items) >= MIN_ENTRIES]
    return groups


def _date_in(item: etree._Element, anchor: etree._Element) -> str | None:
    text = _norm(item.text_content()).replace(_norm(anchor.text_content()), " ", 1)
    m = _DATE.search(text)
    return m.group(0) if m else None


def _best(groups: list[_Group]) -> _Group | None:
    """The group with most dated entries (at least 60% dated); else a long list of long titles."""
    dated = [g for g in groups if g.dated * 5 >= len(g.items) * 3]
    if dated:
        return max(dated, key=lambda g: (g.dated, len(g.items)))
    plain = [g for g in groups if len(g.items) >= 5 and median(len(t) for t in g.titles()) >= 12]
    return max(plain, key=lambda g: len(g.items), default=None)


def _item_queries(group: _Group, root: etree._Element) -> list[str]:
    """CSS for the entries, from short (container > entry) to longer; an XPath path last."""
    item_step = _step(group.items[0])
    container = group.items[0].getparent()
    chain, queries = [], []
    for el in [container, *container.iterancestors()]:
        if el.get("id") and _CSS_IDENT.match(el.get("id")):
            chain.insert(0, f"{el.tag}#{el.get('id')}")
            queries.append(" > ".join([*chain, item_step]))
            break
        chain.insert(0, _step(el))
        queries.append(" > ".join([*chain, item_step]))
    queries.append(root.getroottree().getpath(container) + f"/{group.items[0].tag}")
    return queries


def _relative(item: etree._Element, el: etree._Element) -> str:
    """CSS from the entry to one of its descendants: the parent's step and the element's."""
    if el is item:
        return ""
    parent = el.getparent()
    return _step(el) if parent is item else f"{_step(parent)} > {_step(el)}"


def _date_element(item: etree._Element, anchor: etree._Element) -> etree._Element | None:
    """The deepest element outside the link whose text holds the entry's date."""
    found = None
    for el in item.iter():
        if not isinstance(el.tag, str) or el is anchor or anchor in el.iterancestors():
            continue
        if el is not item and any(x is anchor for x in el.iter()):
            continue
        if _DATE.search(_norm("".join(t for t in el.itertext()))):
            found = el
    return found


def _field_queries(group: _Group) -> dict[str, str]:
    item, anchor = group.items[0], group.anchors[0]
    rel = _relative(item, anchor)
    queries = {"link": f"{rel}::attr(href)" if rel else "::attr(href)"}
    titled = all(_norm(a.get("title")) for a in group.anchors)
    cut = any(_norm(a.text_content()).endswith(("…", "...")) for a in group.anchors)
    longer = all(len(_norm(a.get("title"))) >= len(_norm(a.text_content())) for a in group.anchors)
    if titled and (cut or longer):
        queries["title"] = f"{rel}::attr(title)" if rel else "::attr(title)"
    else:
        queries["title"] = rel or "::text"
    dated = next((i for i, d in enumerate(group.dates) if d), None)
    if dated is not None:
        el = _date_element(group.items[dated], group.anchors[dated])
        if el is None or el is group.items[dated]:
            queries["date"] = "./text()[translate(., '0123456789', '') != .]"
        else:
            queries["date"] = f"{_relative(group.items[dated], el)}::text"
    return queries


def _reads_group(response: TextResponse, selectors: dict[str, str], group: _Group) -> bool:
    """True when the generic adapter with these selectors reads exactly the group's entries."""
    try:
        items = Generic(selectors).parse_list(response).items
    except Exception:  # a query lxml refuses: try the next one
        return False
    urls = [response.urljoin(a.get("href").strip()) for a in group.anchors]
    if [i.url for i in items] != urls:
        return False
    if any(not i.title for i in items):
        return False
    wanted = [d for d in group.dates]
    return all(d is None or (i.stamp and d in _norm(i.stamp)) for i, d in zip(items, wanted, strict=True))


def _next_page(response: TextResponse) -> str | None:
    """A next-page selector that leads to another page: rel=next, else a 下一页 / next link."""
    queries = ["//a[@rel='next']", "//link[@rel='next']"] + [
        f"//a[contains(translate(normalize-space(.), 'NEXT', 'next'), '{w}')]" for w in _NEXT
    ]
    for q in queries:
        page = Generic({"list_item": "//nothing", "next_page": q}).parse_list(response)
        if page.next_urls:
            return q
    return None


def infer_list(response: TextResponse) -> ListGuess | None:
    """The `generic` selectors (list_item, link, title, date, next_page) that read this list page,
    or None when no repeated block of links is found (or none that the selectors can reproduce)."""
    root = response.selector.root
    group = _best(_groups(root))
    if group is None:
        return None
    fields = _field_queries(group)
    for item_query in _item_queries(group, root):
        selectors = {"list_item": item_query, **fields}
        if _reads_group(response, selectors, group):
            break
        if "date" in fields:  # the date query may be what fails: keep the list without it
            plain = {k: v for k, v in selectors.items() if k != "date"}
            if _reads_group(response, plain, _Group(group.anchors, group.items, [None] * len(group.items))):
                selectors = plain
                break
    else:
        return None
    notes = []
    if "date" not in selectors:
        notes.append("no dates found next to the links: check that this is the list you want")
    nxt = _next_page(response)
    if nxt:
        selectors["next_page"] = nxt
    else:
        notes.append("no next-page link found: only the first list page will be read")
    return ListGuess(selectors, len(group.items), group.dated if "date" in selectors else 0, notes)
