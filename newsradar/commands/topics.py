"""`newsradar topics list|eval|reclassify`: the topics, their accuracy, and re-matching stored articles."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from common import plural

from ..timeparse import since

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "topics", help="list topics, measure them (eval), or re-match stored articles (reclassify)",
        description="The topics articles are matched against.",
    )  # fmt: skip
    s = p.add_subparsers(dest="topics_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="the topics in force (config, else defaults)")
    ls.add_argument("--json", action="store_true", help="one JSON object per topic")
    ls.set_defaults(func=run_list)
    ev = s.add_parser("eval", help="precision, recall and F1 per topic on a labelled JSONL file")
    ev.add_argument(
        "--labels", required=True, metavar="FILE", help='lines {"id", "title", "text", "labels": [...]}'
    )
    ev.add_argument("--json", action="store_true", help="the figures as one JSON object")
    ev.set_defaults(func=run_evaluate)
    rc = s.add_parser("reclassify", help="re-match stored articles after topics changed (no duplicates)")
    rc.add_argument("--since", type=since, metavar="DATE", help="only articles published since (YYYY-MM-DD)")
    rc.set_defaults(func=run_reclassify)


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    from classifier import topics_hash  # seconds to load: not for --help

    for t in ctx.classifier.topics:
        if args.json:
            row = {"id": t.id, "name": t.name, "threshold": t.threshold, "keywords": t.keywords,
                   "exclusions": list(t.exclusions), "hash": topics_hash(t)}  # fmt: skip
            print(json.dumps(row, ensure_ascii=False), file=ctx.out)
        else:
            terms = "、".join(list(t.keywords)[:6])
            print(
                f"{t.id:<18} {t.name:<16} threshold {t.threshold:.2f}  {len(t.keywords)} terms: {terms}…",
                file=ctx.out,
            )
    return 0


def run_evaluate(args: argparse.Namespace, ctx: Context) -> int:
    from classifier import run_eval  # seconds to load: not for --help

    try:
        if args.json:
            from classifier import evaluate, load_labelled

            report = evaluate(ctx.classifier, load_labelled(args.labels))
            print(json.dumps(report.to_dict(), ensure_ascii=False), file=ctx.out)
        else:
            run_eval(ctx.classifier, args.labels, ctx.out)
    except FileNotFoundError:
        print(f"newsradar: {args.labels}: no such file", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"newsradar: {exc}", file=sys.stderr)
        return 2
    return 0


def run_reclassify(args: argparse.Namespace, ctx: Context) -> int:
    from processor import Ingestor

    db = ctx.db()
    ingestor = Ingestor(ctx.matcher())
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            sys.stderr.write(f"\r\033[Kreclassifying {done}/{total}")
            sys.stderr.flush()

    with db.session() as s:
        stats = ingestor.reclassify(s, since=args.since, progress=progress)
    if show:
        sys.stderr.write("\r\033[K")
    print(
        f"reclassified {plural(stats['articles'], 'article')}: {plural(stats['changed'], 'changed match', 'changed matches')}, "
        f"{plural(stats['added'], 'match', 'matches')} added, {stats['removed']} removed, "
        f"{plural(stats['alerts'], 'story', 'stories')} gained topics",
        file=ctx.out,
    )
    return 0
