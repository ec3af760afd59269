"""Admin pages (subscribers, watches with owners and 30-day match counts, dead and pending deliveries with retry, deactivated channels,
sources) behind a password login from $NEWSRADAR_ADMIN_PASSWORD; off without it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from processor import watch_ops
from processor.health import source_health
from storage.archive import deliveries, requeue
from storage.deliveries import stats
from storage.subscribers import list_subscribers

from .app import page
from .csrf import check_csrf, form_data
from .errors import BadRequest
from .i18n import health_note, translator
from .params import MAX_ID, known_sources, parse_int
from .security import ADMIN_COOKIE, ADMIN_HOURS, check_password
from .sessions import close_session, open_session, session_open
from .settings import request_client

__all__ = ["router"]

router = APIRouter(prefix="/admin", include_in_schema=False)
VIEWS = ("subscribers", "watches", "dead", "pending", "channels", "sources")


def _enabled(request: Request) -> None:
    if not request.app.state.admin_password:
        raise BadRequest("the admin pages are off: set NEWSRADAR_ADMIN_PASSWORD to turn them on", status=404,
                         zh="管理页面未开启：设置环境变量 NEWSRADAR_ADMIN_PASSWORD 后即可使用")  # fmt: skip


def _logged_in(request: Request) -> bool:
    return session_open(request)


@router.get("", response_class=HTMLResponse)
def admin_home(request: Request) -> Response:
    _enabled(request)
    if not _logged_in(request):
        return page(request, "admin.html", view="login", problem=None)
    return RedirectResponse("/admin/subscribers", status_code=303)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    _enabled(request)
    form = await form_data(request)
    check_csrf(request, form)
    # Password hashing takes CPU time: in Starlette's thread pool, never on the daemon's loop.
    return await run_in_threadpool(_login, request, form)


def _login(request: Request, form: dict[str, list[str]]) -> Response:
    st = request.app.state
    client = request_client(request)
    wait = st.limiter.retry_after(client)
    if wait:
        response = page(request, "admin.html", status=429, view="login",
                        problem=translator(request.state.lang)("too_many_logins", n=wait))  # fmt: skip
        response.headers["Retry-After"] = str(wait)
        return response
    if not check_password((form.get("password") or [""])[0], st.admin_password):
        st.limiter.failed(client)
        return page(request, "admin.html", status=401, view="login",
                    problem=translator(request.state.lang)("wrong_password"))  # fmt: skip
    st.limiter.succeeded(client)
    response = RedirectResponse("/admin/subscribers", status_code=303)
    response.set_cookie(ADMIN_COOKIE, open_session(request), httponly=True, samesite="strict",
                        max_age=ADMIN_HOURS * 3600, path="/admin")  # fmt: skip
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    _enabled(request)
    check_csrf(request, await form_data(request))
    close_session(request)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(ADMIN_COOKIE, path="/admin")
    return response


@router.get("/{view}", response_class=HTMLResponse)
def admin_view(request: Request, view: str) -> Response:
    _enabled(request)
    if view not in VIEWS:
        raise BadRequest(f"no admin page {view[:40]!r} (pages: {', '.join(VIEWS)})", status=404)
    if not _logged_in(request):
        return RedirectResponse("/admin", status_code=303)
    data: dict = {}
    with request.app.state.db.session() as s:
        if view == "subscribers":
            data["subscribers"] = list_subscribers(s)
        elif view in ("dead", "pending"):
            data["rows"] = deliveries(s, view)
        elif view == "channels":
            data["channels"] = stats(s)["inactive_channels"]
        elif view == "watches":
            data["watches"] = watch_ops.rows(s)
        else:
            data["health"] = source_health(s, known_sources(request), request.app.state.health)
    for h in data.get("health", []):
        h["note"], h["raw_error"] = health_note(h, request.state.lang)
    return page(request, "admin.html", view=view, views=VIEWS, **data)


@router.post("/retry")
async def retry(request: Request) -> Response:
    _enabled(request)
    form = await form_data(request)
    check_csrf(request, form)
    if not _logged_in(request):
        raise BadRequest("log in first", status=401)
    # The write waits for the database: in the thread pool, never on the daemon's event loop.
    return await run_in_threadpool(_retry, request, form)


def _retry(request: Request, form: dict[str, list[str]]) -> Response:
    ids = [parse_int(value, "id", 1, MAX_ID) for value in form.get("id", [])]
    with request.app.state.db.session() as s:
        requeue(s, ids)
    back = (form.get("back") or ["dead"])[0]
    return RedirectResponse(f"/admin/{back if back in VIEWS else 'dead'}", status_code=303)
