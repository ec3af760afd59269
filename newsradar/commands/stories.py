"""`newsradar stories list|show`: republished copies grouped into one story each."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from common import plural, show_when
from storage.story_views import jsonable, list_stories, story_summary

from ..argtypes import number
from ..timeparse import since

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["register", "run_list", "run_show"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stories", help="list or show stories (republished copies grouped)")
    s = p.add_subparsers(dest="stories_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="newest stories first")
    ls.add_argument(
        "--since", type=since, metavar="DATE", help="first seen on or after (YYYY-MM-DD or ISO, Beijing time)"
    )
    ls.add_argument(
        "--limit", type=number(0), default=50, metavar="N", help="at most N stories (default 50; 0: all)"
    )
    ls.add_argument("--json", action="store_true", help="one JSON object per line")
    ls.set_defaults(func=run_list)
    show = s.add_parser("show", help="one story with all its copies")
    show.add_argument(
        "id", type=number(1), metavar="ID", help="the story id (first column of `stories list`)"
    )
    show.add_argument("--json", action="store_true", help="one JSON object")
    show.set_defaults(func=run_show)


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db(create=False).session() as s:
        rows = list_stories(s, since=args.since, limit=args.limit or None)
    for story in rows:
        if args.json:
            print(json.dumps(jsonable(story), ensure_ascii=False), file=ctx.out)
            continue
        lead = story["lead"] or {}
        topics = f"  [{', '.join(story['topics'])}]" if story["topics"] else ""
        n = len(story["articles"])
        sources = ", ".join(story["sources"])
        print(
            f"{story['id']:>6}  {show_when(story['first_published_at'], story['first_fetched_at'])}  "
            f"{plural(n, 'copy', 'copies')} "
            f"({sources})  {lead.get('title', '')}{topics}",
            file=ctx.out,
        )
    if not rows and not args.json:
        print("no stories yet", file=ctx.out)
    return 0


def run_show(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.db(create=False).session() as s:
        try:
            story = story_summary(s, args.id)
        except KeyError:
            print(f"newsradar: no story with id {args.id}", file=ctx.out)
            return 1
    if args.json:
        print(json.dumps(jsonable(story), ensure_ascii=False), file=ctx.out)
        return 0
    lead = story["lead"] or {}
    print(f"story:        {story['id']}", file=ctx.out)
    print(f"lead:         {lead.get('title', '')}", file=ctx.out)
    print(f"published:    {show_when(story['first_published_at'], story['first_fetched_at'])}", file=ctx.out)
    print(f"sources:      {', '.join(story['sources'])}", file=ctx.out)
    if story["topics"]:
        print(f"topics:       {', '.join(story['topics'])}", file=ctx.out)
    print("", file=ctx.out)
    for a in story["articles"]:
        mark = "*" if a["id"] == lead.get("id") else " "
        print(
            f"{mark}{a['id']:>6}  {show_when(a['published_at'], a['fetched_at'])}  tier {a['tier']}  {a['source']}",
            file=ctx.out,
        )
        print(f"         {a['title']}", file=ctx.out)
        print(f"         {a['url']}", file=ctx.out)
    return 0
