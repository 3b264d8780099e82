"""The app's own database: users, roles, branches and teams, API keys, sessions, the audit log,
assignments, claims, outcomes and named lists.

SQLAlchemy 2 over a SQLite file beside the data (:func:`default_url`, no server) or PostgreSQL
(``CHAINSIGHT_APP_DB=postgresql+psycopg://USER:PASSWORD@HOST/DB``). :meth:`AppDB.open` runs the Alembic
migrations shipped in ``migrations/`` to the newest revision, under a lock, every time (a no-op when
the database is current).

The interface the routes use::

    AppDB.open(url) -> AppDB                      close()
    add_user(name, password, role, branches)      list_users()        disable_user(name)
    create_key(name, role, branches) -> (key_id, secret)              list_keys()   revoke_key(key_id)
    authenticate_key(secret) -> Principal | None
    sign_in(name, password, client) -> token | None     (raises TooManyAttempts when throttled)
    authenticate_session(token) -> Principal | None     sign_out(token)
    append_audit(principal | None, route, params, rows, client, status)
    list_audit(limit, since, user) -> [AuditEntry]
    assign(firm_id, branch=None, manager=None, by=admin)     assignments_for(branches) -> {firm_id}
    take(firm_id, by) -> Claim    release(firm_id, by)     claims_of(manager) -> [Claim]
    claims_on(firm_ids) -> {firm_id: Claim}
    record_outcome(firm_id, kind, on_date, note, product, reason, follow_up, by) -> Outcome
    outcomes_of(firm_ids) -> [Outcome]                        (outcomes are append-only)

Errors: :class:`~chainsight.errors.AppDBUnavailable` (cannot open or reach the database),
:class:`~chainsight.errors.ConfigError` (a bad name, role, branch or password, a taken name),
:class:`~chainsight.errors.NotFound` (unknown user or key), :class:`~chainsight.errors.TooManyAttempts`,
:class:`~chainsight.errors.AccessDenied` (a non-admin assigns).

Examples
--------
>>> db = AppDB.open("sqlite://")
>>> _ = db.add_user("wang", "correct horse", "manager", ["BR01"])
>>> token = db.sign_in("wang", "correct horse", client="10.0.0.7")
>>> db.authenticate_session(token).branches
frozenset({'BR01'})
>>> key_id, secret = db.create_key("crm", "analyst", [])
>>> db.authenticate_key(secret).name
'crm'
>>> db.revoke_key(key_id); db.authenticate_key(secret) is None
True
>>> db.close()
"""

from __future__ import annotations

from pathlib import Path

from chainsight.api.appdb._audit import AuditEntry
from chainsight.api.appdb._db import AppDB
from chainsight.api.appdb._keys import ApiKey
from chainsight.api.appdb._users import User
from chainsight.config import default_app_db

__all__ = ["ApiKey", "AppDB", "AuditEntry", "User", "default_url"]


def default_url(db_path: Path) -> str:
    """The SQLite file beside the staging DuckDB file: ``<db without .duckdb>.app.sqlite``.

    Examples
    --------
    >>> default_url(Path("demo/chainsight.duckdb"))
    'sqlite:///demo/chainsight.app.sqlite'
    """
    return default_app_db(db_path)
