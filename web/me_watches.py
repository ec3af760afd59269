"""The watches part of /me: add, edit, pause, delete (processor.watch_ops checks ownership and
says what is wrong with a query, as search would)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from processor import watch_ops

from .csrf import check_csrf, form_data
from .errors import BadRequest

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


async def _change(
    request: Request, work: Callable[[Session, int, dict[str, list[str]]], object], done: str
) -> Response:
    """Check CSRF and the /me cookie, run `work(session, subscriber id, form)` in a thread, commit."""
    from .me import signed_in, view

    form = await form_data(request)
    check_csrf(request, form)
    sub_id = signed_in(request)

    def run() -> str | None:
        with request.app.state.db.session() as s:
            try:
                work(s, sub_id, form)
            except watch_ops.WatchProblem as exc:
                return exc.say(request.state.lang)
            s.commit()
        return None

    problem = await run_in_threadpool(run)
    if problem:
        return await run_in_threadpool(view, request, sub_id, 400, [problem])
    return RedirectResponse(f"/me?done={done}", status_code=303)


def _query(form: dict[str, list[str]]) -> str:
    return (form.get("query") or [""])[0].strip()


def _id(watch_id: str) -> int:
    if not watch_id.isdigit() or len(watch_id) > 18:
        raise BadRequest("no such watch", status=404, zh="没有这个关注")
    return int(watch_id)


@router.post("/me/watches")
async def add(request: Request) -> Response:
    config = request.app.state.config
    return await _change(
        request, lambda s, sub, form: watch_ops.add(s, sub, _query(form), config=config), "watch_added"
    )


@router.post("/me/watches/{watch_id}")
async def edit(request: Request, watch_id: str) -> Response:
    wid = _id(watch_id)
    return await _change(
        request, lambda s, sub, form: watch_ops.edit(s, sub, wid, _query(form)), "watch_saved"
    )


@router.post("/me/watches/{watch_id}/pause")
async def pause(request: Request, watch_id: str) -> Response:
    wid = _id(watch_id)

    def work(s: Session, sub: int, form: dict[str, list[str]]) -> None:
        watch_ops.set_paused(s, sub, wid, (form.get("paused") or [""])[0] == "1")

    return await _change(request, work, "watch_saved")


@router.post("/me/watches/{watch_id}/delete")
async def delete(request: Request, watch_id: str) -> Response:
    wid = _id(watch_id)

    def work(s: Session, sub: int, form: dict[str, list[str]]) -> None:
        watch_ops.owned(s, sub, wid)  # someone else's watch: a message, not a silent no-op
        watch_ops.remove(s, sub, wid)

    return await _change(request, work, "watch_removed")
