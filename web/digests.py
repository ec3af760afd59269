"""A subscriber's daily digests as they were queued and sent, behind a signed, expiring link."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from storage.archive import digests_of, evidence_lines
from storage.story_views import story_summary
from storage.subscribers import get_subscriber

from .app import page
from .errors import BadRequest
from .params import parse_day

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
DIGEST_DAYS = 400


def _subscriber(request: Request, token: str) -> int:
    sub_id, problem = request.app.state.keys.loads("digests", token, DIGEST_DAYS * 86400)
    if not isinstance(sub_id, int):
        if problem == "expired":
            raise BadRequest("this digest link has expired: use the link in a newer digest mail", status=410)
        raise BadRequest("this digest link is not valid (copy the whole link from the mail)", status=403)
    return sub_id


@router.get("/digests", response_class=HTMLResponse)
def digest_list(request: Request, token: str = "") -> HTMLResponse:
    sub_id = _subscriber(request, token)
    with request.app.state.db.session() as s:
        sub = get_subscriber(s, sub_id)
        if sub is None:
            raise BadRequest("this subscriber no longer exists", status=404)
        rows = digests_of(s, sub_id)
    days: dict[date, dict] = {}
    for d in rows:
        entry = days.setdefault(
            d.digest_day, {"day": d.digest_day, "stories": len(d.digest_items or []), "status": []}
        )
        entry["status"].append(d.status)
    return page(request, "digests.html", days=list(days.values()), token=token, subscriber=sub, digest=None)


@router.get("/digests/{day}", response_class=HTMLResponse)
def digest_day(request: Request, day: str, token: str = "") -> HTMLResponse:
    sub_id = _subscriber(request, token)
    wanted = parse_day(day, "day")
    if wanted is None:
        raise BadRequest("day: give a date like 2025-03-01", status=404)
    with request.app.state.db.session() as s:
        sub = get_subscriber(s, sub_id)
        row = next((d for d in digests_of(s, sub_id) if d.digest_day == wanted), None) if sub else None
        if row is None:
            raise BadRequest(f"no digest of {wanted} for this subscriber", status=404)
        groups: list[tuple[str, list[dict]]] = []
        ids = [int(sid) for sid, _ in row.digest_items or []]
        lines = evidence_lines(s, ids)
        for sid, topics in row.digest_items or []:
            try:
                summary = story_summary(s, int(sid))
            except KeyError:
                continue
            summary["evidence"] = lines.get(int(sid))
            head = (topics or ["-"])[0]
            if not groups or groups[-1][0] != head:
                groups.append((head, []))
            groups[-1][1].append(summary)
    return page(
        request, "digests.html", days=[], token=token, subscriber=sub, digest={"day": wanted, "groups": groups,
        "status": row.status, "sent_at": row.sent_at, "total": len(ids)},
    )  # fmt: skip
