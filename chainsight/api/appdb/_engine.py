"""One SQLAlchemy engine per app database URL, with the few settings each backend needs.

SQLite: foreign keys on, WAL (readers never wait for the writer) with ``synchronous = NORMAL``
(a commit survives the app crashing; a power cut may lose the last few commits but never corrupts
the file — an fsync per audit entry would cost 10-20 ms here), a 30 s busy timeout, and
transactions begun by us: ``BEGIN IMMEDIATE`` for a write (it takes the write lock at once, so two
writers queue instead of one failing on upgrade), ``BEGIN`` for a read. PostgreSQL: psycopg 3,
connections checked before use so the app recovers by itself when the server is back.

Examples
--------
>>> make_engine("sqlite://").dialect.name
'sqlite'
>>> make_engine("postgresql://u@h/db").dialect.driver
'psycopg'
>>> make_engine("mysql://u@h/db")
Traceback (most recent call last):
...
chainsight.errors.AppDBUnavailable: the app database must be SQLite or PostgreSQL (sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DB), not mysql
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from chainsight.errors import AppDBUnavailable

#: Execution option on a connection: its next transaction writes (SQLite: ``BEGIN IMMEDIATE``).
WRITE = "chainsight_write"

_FORMS = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DB"


def make_engine(url: str) -> Engine:
    """The engine for ``url``; :class:`AppDBUnavailable` for a URL that is not SQLite or PostgreSQL."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        # The text is not echoed: a URL that does not parse may still hold a password.
        raise AppDBUnavailable(f"the app database URL does not parse; use {_FORMS}") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if parsed.get_driver_name() != "psycopg":
            raise AppDBUnavailable(f"PostgreSQL is reached through psycopg 3: use {_FORMS}")
        return _create(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    if backend == "sqlite":
        engine = _create(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    raise AppDBUnavailable(f"the app database must be SQLite or PostgreSQL ({_FORMS}), not {backend}")


def _create(url: sa.URL, **kwargs: Any) -> Engine:
    try:
        return sa.create_engine(url, **kwargs)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise AppDBUnavailable(f"cannot use the app database URL ({exc}); use {_FORMS}") from exc


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # We begin transactions ourselves (_sqlite_begin): the driver's own implicit BEGIN is switched off.
    dbapi_connection.isolation_level = None
    for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL"):
        dbapi_connection.execute(f"PRAGMA {pragma}")


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
