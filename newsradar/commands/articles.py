"""`newsradar articles list|show`: what has been stored."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from common import show_when
from storage import Article
from storage.queries import article_dict, list_articles, stored_sources

from ..argtypes import number
from ..timeparse import since

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "articles", help="list or show stored articles", description="Stored articles, newest first."
    )
    s = p.add_subparsers(dest="articles_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="newest articles first")
    ls.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    ls.add_argument(
        "--since", type=since, metavar="DATE", help="published on or after (YYYY-MM-DD, Beijing time)"
    )
    ls.add_argument("--topic", metavar="ID", help="only articles matching this topic")
    ls.add_argument(
        "--limit", type=number(0), default=50, metavar="N", help="at most N articles (default 50; 0: all)"
    )
    ls.add_argument("--json", action="store_true", help="one JSON object per line, with the body")
    ls.set_defaults(func=run_list)
    show = s.add_parser("show", help="one article in full")
    show.add_argument(
        "id", type=number(1), metavar="ID", help="the article id (first column of `articles list`)"
    )
    show.add_argument("--json", action="store_true", help="one JSON object, with the body")
    show.set_defaults(func=run_show)


def _unknown(kind: str, given: list[str], known: list[str]) -> str | None:
    missing = [g for g in given if g not in known]
    if not missing:
        return None
    names = ", ".join(repr(m) for m in missing)
    return f"unknown {kind} {names} (known: {', '.join(known) or 'none yet'})"


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db(create=False).session() as s:
        topics = [t.id for t in ctx.classifier.topics]
        sources = sorted({*(src.name for src in ctx.config.sources), *stored_sources(s)})
        problem = _unknown("topic", [args.topic] if args.topic else [], topics) or _unknown(
            "source", args.source or [], sources
        )
        if problem:
            print(f"newsradar articles: {problem}", file=sys.stderr)
            return 2
        rows = list_articles(
            s, sources=args.source, since=args.since, topic=args.topic, limit=args.limit or None
        )
        for a in rows:
            if args.json:
                print(json.dumps(article_dict(a), ensure_ascii=False), file=ctx.out)
            else:
                d = article_dict(a, body=False)
                when = show_when(a.published_at, a.fetched_at)
                topics = f"  [{', '.join(d['topics'])}]" if d["topics"] else ""
                print(f"{a.id:>6}  {when}  {a.source:<16} {a.title}{topics}", file=ctx.out)
        if not rows and not args.json:
            if args.topic or args.source or args.since:
                print("no articles match these filters", file=ctx.out)
            elif not s.scalar(select(Article.id).limit(1)):
                print("no articles stored yet: run `newsradar crawl`", file=ctx.out)
    return 0


def run_show(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db(create=False).session() as s:
        a = s.get(Article, args.id, options=[selectinload(Article.matches), selectinload(Article.policy)])
        if a is None:
            print(f"newsradar: no article with id {args.id}", file=ctx.out)
            return 1
        d = article_dict(a)
        if args.json:
            print(json.dumps(d, ensure_ascii=False), file=ctx.out)
            return 0
        d["published_at"] = show_when(a.published_at, a.fetched_at)
        for key in (
            "title",
            "url",
            "source",
            "published_at",
            "origin",
            "author",
            "category",
            "tags",
            "story",
            "extraction",
        ):
            if d.get(key) not in (None, [], ""):
                print(
                    f"{key + ':':<14}{d[key] if not isinstance(d[key], list) else ', '.join(d[key])}",
                    file=ctx.out,
                )
        for key, value in (d.get("policy") or {}).items():
            if value:
                print(f"{key + ':':<14}{value}", file=ctx.out)
        for m in a.matches:
            print(f"topic:        {m.topic_id} ({m.score:.2f}) {m.evidence}", file=ctx.out)
        print("", file=ctx.out)
        print(d["body"], file=ctx.out)
    return 0
