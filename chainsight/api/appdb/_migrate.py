"""Bring an app database to the newest schema with Alembic, under a lock, any number of times.

The lock: in PostgreSQL a transaction-level advisory lock, in SQLite the write lock that
``BEGIN IMMEDIATE`` takes. The migrations run inside that same transaction (both databases have
transactional DDL), so two servers starting at once migrate once, and a failed migration leaves
nothing half-done.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Engine

from chainsight.api.appdb._engine import WRITE
from chainsight.errors import AppDBUnavailable

MIGRATIONS = Path(__file__).parent / "migrations"

#: The advisory lock's key: any fixed 64-bit number other programs on the server are unlikely to use.
PG_LOCK_KEY = 0x43_68_61_69_6E_53_69_67  # "ChainSig"


def alembic_config() -> Config:
    """Alembic's configuration for the migrations shipped in the package (no alembic.ini)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest revision the package ships.

    Examples
    --------
    >>> head()
    '0003'
    """
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def upgrade(engine: Engine) -> None:
    """Migrate to :func:`head` under the lock; a database already there is left as it is."""
    config = alembic_config()
    with engine.connect() as connection:
        connection.execution_options(**{WRITE: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(PG_LOCK_KEY)))
            config.attributes["connection"] = connection
            try:
                command.upgrade(config, "head")
            except CommandError as exc:
                raise AppDBUnavailable(f"the app database has a schema this ChainSight does not know "
                                       f"({exc}): was it migrated by a newer version?") from exc
