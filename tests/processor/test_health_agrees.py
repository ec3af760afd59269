"""One verdict on a source: `newsradar status`, the web sources page (and its API) and the daemon's
admin watch read processor.health, so they agree on a source that failed once (failing, admins not
told yet) and on one that failed `[health] failing_after` times in a row (failing, admins told)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from newsradar.config import load
from scheduler.watch import watch_sources
from storage import Database
from storage.health import record_run
from tests.helpers import config_database_url, run_cli, write_config
from web import create_app

OK = {"list_items": 10, "requests": 11}
BROKEN = {"list_items": 0, "requests": 1}
SOURCES = "".join(
    f'[[sources]]\nname = "{n}"\nkind = "feed"\nstart_urls = ["http://127.0.0.1:9/{n}.xml"]\n'
    for n in ("once", "twice")
)


def test_status_web_and_admin_watch_agree(tmp_path):
    path = write_config(tmp_path, "[health]\nfailing_after = 2\n\n" + SOURCES)
    db = Database(config_database_url(path))
    db.migrate()
    with db.session() as s:
        for name, failures in (("once", 1), ("twice", 2)):
            record_run(s, name, OK)
            for _ in range(failures):
                record_run(s, name, BROKEN, "http://x/: Connection was refused")
        s.commit()

    status = run_cli("status", "--json", config=path)
    assert status.returncode == 0, status.stderr
    by_cli = {h["source"]: h for h in json.loads(status.stdout)["sources"]}
    config = load(path)
    with TestClient(create_app(config, db=db)) as client:
        by_api = {h["source"]: h for h in client.get("/api/v1/sources").json()["items"]}
        page = client.get("/sources", headers={"Accept-Language": "en"}).text
    with db.session() as s:
        told = {
            c.source: c
            for c in watch_sources(s, {"once": "once", "twice": "twice"}, config.sections["health"])
        }
        s.rollback()
    db.dispose()

    for name, n in (("once", 1), ("twice", 2)):
        cli, api = by_cli[name], by_api[name]
        assert cli["status"] == api["status"] == "failing"
        assert cli["detail"] == api["detail"] and f"({n} crawl" in cli["detail"]
        assert f"({n} in a row)" in page  # the page words the same verdict
        assert cli["alert"] == (name in told)  # admins told exactly when status says so
    assert page.count('class="status-failing"') == 2 and "Connection was refused" in page
    assert "once" not in told  # one failure: shown as failing, admins not told yet
    assert told["twice"].problem.kind == "failing"
    assert told["twice"].problem.detail == by_cli["twice"]["detail"]
