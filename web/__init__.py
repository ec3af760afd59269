"""The web archive: pages, Atom feeds, a JSON API and email subscriptions over the stored news.

create_app(config) builds the FastAPI app for a loaded newsradar Config; make_server(config)
wraps it in a uvicorn.Server that is not started (the daemon awaits server.serve() in its loop;
`newsradar serve` runs it).
"""

from typing import TYPE_CHECKING

from .security import check_password, hash_password
from .settings import WebSettings, parse_section, public_url, web_settings

if TYPE_CHECKING:
    from .app import create_app, make_server

__all__ = [
    "WebSettings",
    "check_password",
    "create_app",
    "hash_password",
    "make_server",
    "parse_section",
    "public_url",
    "serve",
    "web_settings",
]


def __getattr__(name: str):  # noqa: ANN202
    """FastAPI and uvicorn load on first use: the config reads [web] through web.settings, and
    `newsradar status` must not pay for the server to read it."""
    if name in ("create_app", "make_server"):
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module 'web' has no attribute {name!r}")


def serve(config, host: str | None = None, port: int | None = None) -> None:
    """Run the archive in the foreground until interrupted (what `newsradar serve` calls)."""
    from .app import make_server

    make_server(config, host, port).run()
