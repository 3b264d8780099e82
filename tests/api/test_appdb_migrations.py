"""Migrations: run on every open, idempotent, safe when several processes open at once; bad URLs."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from chainsight.api.appdb import AppDB
from chainsight.api.appdb._migrate import alembic_config, head
from chainsight.api.appdb._schema import metadata
from chainsight.errors import AppDBUnavailable
from tests._postgres import Cluster

REPO = Path(__file__).resolve().parents[2]


def versions(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            return [r[0] for r in c.execute(sa.text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()


def test_opening_again_changes_nothing(app_db_url: str) -> None:
    with AppDB.open(app_db_url) as db:
        db.create_key("crm", "analyst", [])
    with AppDB.open(app_db_url) as db:
        assert [k.name for k in db.list_keys()] == ["crm"]
    assert versions(app_db_url) == [head()]


def test_the_migrated_database_is_what_the_code_expects(appdb: AppDB) -> None:
    with appdb._engine.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), metadata) == []


def test_the_migrations_go_down_and_up_again(appdb: AppDB, app_db_url: str) -> None:
    config = alembic_config()
    with appdb._engine.begin() as c:
        config.attributes["connection"] = c
        command.downgrade(config, "base")
    with appdb._engine.connect() as c:
        assert "users" not in sa.inspect(c).get_table_names()
    AppDB.open(app_db_url).close()
    assert versions(app_db_url) == [head()]


CHILD = """
import sys, time
from pathlib import Path
from chainsight.api.appdb import AppDB
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
AppDB.open(sys.argv[1]).close()
"""


def test_processes_opening_a_new_database_at_once_migrate_it_once(app_db_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    children = [subprocess.Popen([sys.executable, "-c", CHILD, app_db_url, str(go)], cwd=REPO,
                                 stderr=subprocess.PIPE, text=True) for _ in range(4)]
    time.sleep(2)  # let every child import and wait at the line
    go.touch()
    errors = [child.communicate(timeout=120)[1] for child in children]
    assert [child.returncode for child in children] == [0, 0, 0, 0], errors
    assert versions(app_db_url) == [head()]


def test_a_database_from_a_newer_version_is_refused(app_db_url: str) -> None:
    AppDB.open(app_db_url).close()
    engine = sa.create_engine(app_db_url)
    with engine.begin() as c:
        c.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(AppDBUnavailable, match="newer version"):
        AppDB.open(app_db_url)


@pytest.mark.parametrize(("url", "problem"), [
    ("not a url", "does not parse"),
    ("mysql://u:pw@h/db", "must be SQLite or PostgreSQL"),
    ("postgresql+asyncpg://u:pw@h/db", "through psycopg 3"),
    ("sqlite:////nonexistent/folder/app.sqlite", "cannot be reached"),
])
def test_a_bad_url_is_one_clear_error(url: str, problem: str) -> None:
    with pytest.raises(AppDBUnavailable, match=problem):
        AppDB.open(url)


def test_an_unreachable_server_is_named_without_its_password() -> None:
    with pytest.raises(AppDBUnavailable, match="cannot be reached") as caught:
        AppDB.open("postgresql+psycopg://chainsight:s3cret-pw@127.0.0.1:9/app")
    assert "s3cret-pw" not in str(caught.value)
    assert "127.0.0.1:9" in str(caught.value)


@pytest.mark.integration
def test_the_app_database_recovers_when_postgresql_is_back(postgres: Cluster) -> None:
    db = AppDB.open(postgres.database())
    try:
        key_id, secret = db.create_key("crm", "analyst", [])
        postgres.stop()
        try:
            with pytest.raises(AppDBUnavailable, match="cannot be reached"):
                db.authenticate_key(secret)
        finally:
            postgres.start()
        principal = db.authenticate_key(secret)
        assert principal is not None and principal.name == "crm"
    finally:
        db.close()
