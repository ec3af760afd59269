"""The one HTML sanitiser (nh3) and its allow-lists, one profile per place HTML goes.

The profiles truly differ: a stored article body keeps only structure and link targets; the web
archive shows that plus table spans and highlight marks; an email carries only our own small
markup; search titles and snippets only their marks. Every profile drops scripts, styles, event
handlers, images and non-http(s) links.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nh3

__all__ = ["PROFILES", "Profile", "clean_html"]


@dataclass(frozen=True)
class Profile:
    tags: frozenset[str]
    attributes: dict[str, set[str]] = field(default_factory=dict)
    url_schemes: frozenset[str] = frozenset({"http", "https"})
    link_rel: str | None = None
    clean_content_tags: frozenset[str] = frozenset()


_BODY_TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
    "table", "thead", "tbody", "tr", "td", "th", "a", "span", "sub", "sup",
})  # fmt: skip
_NOFOLLOW = "noopener noreferrer nofollow"

PROFILES = {
    # crawler.clean: the body as stored (links made absolute before)
    "stored": Profile(_BODY_TAGS, {"a": {"href"}}, link_rel=_NOFOLLOW),
    # web.render: stored bodies (also older ones) on archive pages
    "page": Profile(
        _BODY_TAGS | {"tfoot", "caption", "h5", "h6", "pre", "code", "div", "hr", "mark"},
        {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
        url_schemes=frozenset({"http", "https", "mailto"}),
        link_rel=_NOFOLLOW,
        clean_content_tags=frozenset(
            {"script", "style", "noscript", "iframe", "object", "template", "textarea"}
        ),
    ),
    # notifiers.messages: the HTML part of alert and digest emails (our markup around escaped text)
    "email": Profile(
        frozenset({"a", "b", "br", "div", "h2", "hr", "li", "p", "small", "span", "strong", "ul"}),
        {"a": {"href"}},
    ),
    # web: search titles and snippets, whose only markup is the highlight
    "marks": Profile(frozenset({"mark", "b", "em"})),
}


def clean_html(fragment: str | None, profile: str) -> str:
    """`fragment` with everything the profile does not allow removed (nh3)."""
    p = PROFILES[profile]
    kwargs: dict[str, object] = {"link_rel": p.link_rel} if p.link_rel is not None else {}
    if p.clean_content_tags:
        kwargs["clean_content_tags"] = set(p.clean_content_tags)
    return nh3.clean(
        fragment or "",
        tags=set(p.tags),
        attributes={k: set(v) for k, v in p.attributes.items()},
        url_schemes=set(p.url_schemes),
        strip_comments=True,
        **kwargs,
    )
