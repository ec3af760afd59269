"""Admin JSON routes for watches under /api/v1/admin/watches: list, add (with backfill), pause,
resume and remove, what `newsradar watches` does from the command line.

Authenticated by `Authorization: Bearer <the admin password>` ($NEWSRADAR_ADMIN_PASSWORD; the
routes are off, 404, without it). Refusals have the API's one shape {"error", "status"}: 400 bad
body or query (search's own message), 401 no or wrong credentials (wrong ones count toward the
login limiter: 429 after too many), 404 no such watch or subscriber, 409 the per-subscriber limit.
Not in the public OpenAPI document: it describes the read-only archive.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from processor.watch_settings import WatchSettings
from processor.watches import WatchError, backfill_watch, create_watch, delete_watch, pause_watch, summaries

from .api_models import MAX_ID, WatchIn
from .errors import BadRequest
from .security import check_password
from .settings import request_client

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/admin/watches", include_in_schema=False)


def _admin(request: Request) -> None:
    """The bearer credential is the admin password; refusals as the API's other errors."""
    st = request.app.state
    if not st.admin_password:
        raise BadRequest("the admin API is off: set NEWSRADAR_ADMIN_PASSWORD to turn it on", status=404)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():  # no credential: nothing to guess at
        raise BadRequest("authentication required: send Authorization: Bearer <admin password>", status=401)
    client = request_client(request)
    wait = st.limiter.retry_after(client)
    if wait:
        raise BadRequest(f"too many failed attempts: try again in {wait} seconds", status=429)
    if not check_password(given.strip(), st.admin_password):
        st.limiter.failed(client)
        raise BadRequest("wrong credentials: send Authorization: Bearer <admin password>", status=401)
    st.limiter.succeeded(client)


def _settings(request: Request) -> WatchSettings:
    return getattr(request.app.state, "watch_settings", None) or WatchSettings()


@router.get("")
def list_watches(request: Request, subscriber: int | None = Query(None, ge=1, le=MAX_ID)) -> dict[str, Any]:
    _admin(request)
    with request.app.state.db.session() as s:
        items = [w.plain() for w in summaries(s, subscriber_id=subscriber)]
    return {"items": items, "next_cursor": None}


_REFUSAL_STATUS = {"missing": 404, "limit": 409}


def _refusal(exc: WatchError) -> BadRequest:
    return BadRequest(str(exc), status=_REFUSAL_STATUS.get(exc.kind, 400))


@router.post("", status_code=201)
def add_watch(request: Request, body: WatchIn) -> dict[str, Any]:
    _admin(request)
    st = request.app.state
    unknown = [t for t in body.topics if t not in st.topic_names] + [
        x for x in body.sources if st.sources and x not in st.sources
    ]
    if unknown:
        raise BadRequest(f"unknown topic or source: {', '.join(unknown)}")
    with st.db.session() as s:
        try:
            watch = create_watch(
                s, body.subscriber_id, body.query, topics=body.topics, sources=body.sources,
                settings=_settings(request),
            )  # fmt: skip
            queued = backfill_watch(s, watch.id, body.backfill) if body.backfill else 0
        except WatchError as exc:
            raise _refusal(exc) from None
        s.commit()
        item = next(w.plain() for w in summaries(s, subscriber_id=watch.subscriber_id) if w.id == watch.id)
    return item | {"queued": queued}


@router.post("/{watch_id}/pause")
def pause(request: Request, watch_id: int = Path(ge=1, le=MAX_ID)) -> dict[str, Any]:
    return _set_paused(request, watch_id, True)


@router.post("/{watch_id}/resume")
def resume(request: Request, watch_id: int = Path(ge=1, le=MAX_ID)) -> dict[str, Any]:
    return _set_paused(request, watch_id, False)


def _set_paused(request: Request, watch_id: int, paused: bool) -> dict[str, Any]:
    _admin(request)
    with request.app.state.db.session() as s:
        if not pause_watch(s, watch_id, paused):
            raise BadRequest(f"no watch {watch_id}", status=404)
        s.commit()
    return {"id": watch_id, "active": not paused}


@router.delete("/{watch_id}", status_code=204)
def remove(request: Request, watch_id: int = Path(ge=1, le=MAX_ID)) -> Response:
    _admin(request)
    with request.app.state.db.session() as s:
        if not delete_watch(s, watch_id):
            raise BadRequest(f"no watch {watch_id}", status=404)
        s.commit()
    return Response(status_code=204)
