"""The FastAPI application: state, middleware (headers, language, CSRF cookie, query checks),
error pages that never show a traceback, and the uvicorn server the daemon can run."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from common import redact, strip_unsafe, topic_labels
from notifiers import source_titles
from processor.stories import ensure_story_index
from search import ensure_index
from storage import Database

from . import render
from .api_models import refusal
from .errors import BadRequest, SafeJSONResponse
from .http_cache import PublicGZip, conditional
from .i18n import LANGS, choose_lang, error_text, translator
from .security import CSRF_COOKIE, SECURITY_HEADERS, Keys, LoginLimiter, SendLimiter
from .settings import ADMIN_PASSWORD_ENV, public_url, web_settings

__all__ = ["BadRequest", "create_app", "make_server", "page"]

log = logging.getLogger(__name__)
HERE = Path(__file__).parent


def _secret(db: Database) -> bytes | None:
    """NEWSRADAR_SECRET_KEY, else the key generated once and kept in the database (the one
    alert emails sign their unsubscribe links with)."""
    from common import secret_key

    return secret_key(db)


def create_app(config: Any, *, db: Database | None = None, admin_password: str | None = None) -> FastAPI:
    """The web archive for a loaded newsradar Config (database_url, sources, topics, sections).

    `db`: an open Database to share (else one is opened and migrated from config.database_url).
    `admin_password`: overrides $NEWSRADAR_ADMIN_PASSWORD (admin pages are off without either).
    """
    import os

    if db is None:
        db = Database(config.database_url)
        db.migrate()
        ensure_index(db)  # what migration 0005 asks for: index an archive older than the index
        ensure_story_index(db)  # and 0012: fingerprint the articles stored before the story index
    app = FastAPI(
        title="newsradar archive API",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # the Swagger UI loads scripts from a CDN: not under our CSP
        redoc_url=None,
        redirect_slashes=False,
        default_response_class=SafeJSONResponse,  # Starlette's redirect is absolute, built from the Host header
    )
    st = app.state
    st.config, st.db, st.settings = config, db, web_settings(config)
    st.public_url = public_url(config)
    st.health = (getattr(config, "sections", None) or {}).get("health")  # [health]: one verdict
    st.keys = Keys(_secret(db))
    st.limiter = LoginLimiter()
    st.mail_limiter = SendLimiter()
    st.admin_password = admin_password if admin_password is not None else os.environ.get(ADMIN_PASSWORD_ENV)
    st.topics = list(config.topics)  # the topics in force (newsradar.config resolves them)
    st.topic_names = topic_labels(st.topics)
    st.topic_names_en = {t.id: getattr(t, "name_en", "") or t.name for t in st.topics}
    st.source_titles_en = {
        s.name: s.title_en for s in getattr(config, "sources", []) if getattr(s, "title_en", None)
    }
    st.sources = [s.name for s in getattr(config, "sources", [])]
    st.source_titles = source_titles(config)
    st.templates = _templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _middleware(app)
    app.add_middleware(PublicGZip)  # outermost: compresses what the rest answered
    _errors(app)
    st.watch_settings = (getattr(config, "sections", None) or {}).get("watches")  # [watches]
    from . import admin, api, api_watches, digests, feeds, follow, forms, me, pages

    for module in (pages, forms, follow, digests, me, feeds, admin, api, api_watches):
        app.include_router(module.router)
    app.openapi = lambda: api.openapi_document(app)  # type: ignore[method-assign]
    return app


def make_server(
    config: Any, host: str | None = None, port: int | None = None, **app_options: Any
) -> uvicorn.Server:
    """A uvicorn server for the archive, not started: `await server.serve()` or `server.run()`."""
    settings = web_settings(config)
    app = create_app(config, **app_options)
    uv = uvicorn.Config(
        app,
        host=host or settings.host,
        port=settings.port if port is None else port,
        log_level="info",
        proxy_headers=False,
        server_header=False,
        lifespan="off",
    )
    return uvicorn.Server(uv)


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html", "xml"])
    )
    env.globals.update(beijing=render.beijing, evidence=render.evidence)
    env.filters["safe_html"] = render.marked_html
    env.filters["source_title"] = pass_context(lambda ctx, name: ctx["source_title"](name))
    return env


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the globals every template uses (t, lang, csrf, topics, admin)."""
    st = request.app.state
    lang = getattr(request.state, "lang", "zh")
    csrf_cookie = getattr(request.state, "csrf_cookie", "")
    values = dict(
        request=request,
        t=translator(lang),
        lang=lang,
        html_lang="zh-CN" if lang == "zh" else "en",
        csrf=st.keys.csrf_for(csrf_cookie),
        topic_names=st.topic_names_en if lang == "en" else st.topic_names,
        source_title=lambda name: source_title(st, name, lang),
        admin_on=bool(st.admin_password),
        feeds=[],
    )
    values.update(context)
    body = redact(strip_unsafe(st.templates.get_template(template).render(**values)))
    return HTMLResponse(body, status_code=status)


def source_title(state: Any, name: str, lang: str) -> str:
    """What people read for a source: its English or Chinese display title, else its name."""
    if lang == "en" and name in state.source_titles_en:
        return state.source_titles_en[name]
    return state.source_titles.get(name) or name


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.endswith(".atom")


def _for_programs(request: Request) -> bool:
    """API, feeds and static files: no cookies there (nothing on them needs CSRF or a language)."""
    return request.url.path.startswith(("/api/", "/feeds/", "/static/"))


def _error(
    request: Request, status: int, message: str, zh: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    if _wants_json(request):
        return SafeJSONResponse({"error": message, "status": status}, status_code=status, headers=headers)
    if not hasattr(request.state, "lang"):
        request.state.lang = "zh"
    text = error_text(request.state.lang, status, message, zh)
    detail = message if text != message and not zh else None  # the precise English reason, marked lang="en"
    response = page(request, "error.html", status=status, status_code=status, message=text, detail=detail)
    response.headers.update(headers or {})
    return response


def _errors(app: FastAPI) -> None:
    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        return _error(request, exc.status, exc.message, exc.zh)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, *refusal(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and _routed(request.app, request.scope, request.url.path.rstrip("/")):
            query = request.url.query
            target = request.url.path.rstrip("/") + (f"?{query}" if query else "")
            return RedirectResponse(target, status_code=307)  # relative: never to a forged Host
        zh = None
        if exc.status_code == 404 and message == "Not Found":
            message, zh = f"no page at {request.url.path}", f"此地址没有页面：{request.url.path}"
        return _error(request, exc.status_code, message, zh, headers=exc.headers)  # 405 keeps its Allow

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path)
        response = _error(request, 500, "internal error: it has been logged")
        for k, v in SECURITY_HEADERS.items():  # answered outside every middleware
            response.headers.setdefault(k, v)
        return response


def _routed(app: FastAPI, scope: dict, path: str) -> bool:
    """Whether some route serves `path` (a URL with a trailing slash redirects to it)."""
    if not path or path == scope.get("path"):
        return False
    probe = {**scope, "path": path}
    return any(route.matches(probe)[0] == Match.FULL for route in app.router.routes)


def _query_problem(raw: bytes) -> str | None:
    if len(raw) > 65536:
        return "query string too long"
    for part in raw.split(b"&"):
        try:
            unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return "the query is not valid UTF-8: percent-encode UTF-8 text (e.g. ?q=%E5%A4%AE%E8%A1%8C)"
    return None


def _middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def guard(request: Request, call_next) -> Response:
        request.state.lang = choose_lang(request)
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = not cookie or len(cookie) > 100
        request.state.csrf_cookie = secrets.token_urlsafe(24) if fresh else cookie
        problem = _query_problem(request.scope.get("query_string", b""))
        if problem:
            response = _error(request, 400, problem)
        else:
            try:
                response = await conditional(request, await call_next(request))
            except Exception:
                # Here, not only in the app's last-resort handler: past this middleware Starlette
                # re-raises after answering, and uvicorn then drops the connection unanswered.
                log.exception("error serving %s", request.url.path)
                response = _error(request, 500, "internal error: it has been logged")
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        if _for_programs(request):
            return response
        if fresh:
            response.set_cookie(CSRF_COOKIE, request.state.csrf_cookie, httponly=True, samesite="lax")
        asked = request.query_params.get("lang") if not problem else None
        if asked in LANGS:
            response.set_cookie("lang", asked, max_age=365 * 86400, samesite="lax")
        return response
