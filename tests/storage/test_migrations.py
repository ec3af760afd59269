"""The migrations build exactly the schema the models describe, up and down, on SQLite."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage import Base, Database
from storage.db import alembic_config
from storage.fulltext import include_name


def test_migrated_schema_matches_the_models(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/m.db")
    db.migrate()
    assert db.is_current()
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": include_name}), Base.metadata
        )
    assert diff == [], diff


def test_downgrade_to_nothing_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path}/m.db"
    db = Database(url)
    db.migrate()
    command.downgrade(alembic_config(url), "base")
    with db.engine.connect() as conn:
        tables = {r[0] for r in conn.exec_driver_sql("select name from sqlite_master where type='table'")}
    assert tables <= {"alembic_version"}
    db.migrate()
    assert db.is_current()


def test_migrated_schema_matches_the_models_on_postgres(pg_database):
    db = Database(pg_database)
    try:
        db.migrate()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"include_name": include_name}), Base.metadata
            )
        assert diff == [], diff
    finally:
        db.dispose()
