"""`newsradar classify`: the topics one text matches, for a person or as JSON lines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..argtypes import refuse_together

if TYPE_CHECKING:
    from ..context import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "classify",
        help="show which topics a text matches (no database needed)",
        description="Classify one text (--title/--text-file) or JSON lines (--jsonl) against the configured "
        "topics, or the default topics when no config file exists.",
    )
    p.add_argument("--title", default="", metavar="TEXT", help="the article's title")
    p.add_argument("--text-file", metavar="FILE", help="file with the article's body text ('-' for stdin)")
    p.add_argument(
        "--jsonl",
        metavar="FILE",
        help='file of lines {"id", "title", "text"} (\'-\' for stdin); writes {"id", "topics": [...]} per line',
    )
    p.set_defaults(func=run)


def _open(path: str, binary: bool = False):
    if path == "-":
        return sys.stdin.buffer if binary else sys.stdin
    return open(path, "rb") if binary else open(path, encoding="utf-8")  # noqa: SIM115


def run(args: argparse.Namespace, ctx: Context) -> int:
    from classifier import run_classify_jsonl, run_classify_text  # seconds to load: not for --help

    conflict = refuse_together(args, "jsonl", ("title", "text_file"))
    if conflict:
        print(f"newsradar classify: {conflict}", file=sys.stderr)
        return 2
    if args.jsonl:
        if args.jsonl != "-" and not Path(args.jsonl).exists():
            print(f"newsradar: {args.jsonl}: no such file", file=sys.stderr)
            return 2
        with _open(args.jsonl, binary=True) as fh:  # each line decoded alone: a bad one is one error
            run_classify_jsonl(ctx.classifier, fh, ctx.out)
        return 0
    if not args.text_file and not args.title:
        print("newsradar: give --title and/or --text-file, or --jsonl", file=sys.stderr)
        return 2
    text = ""
    if args.text_file:
        try:
            with _open(args.text_file) as fh:
                text = fh.read()
        except OSError as exc:
            print(f"newsradar: {args.text_file}: {exc.strerror}", file=sys.stderr)
            return 2
        except UnicodeDecodeError as exc:
            print(
                f"newsradar: {args.text_file}: not UTF-8 (byte {exc.start + 1}): save it as UTF-8",
                file=sys.stderr,
            )
            return 2
    run_classify_text(ctx.classifier, args.title, text, ctx.out)
    return 0
