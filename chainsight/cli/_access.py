"""``chainsight users add|list|disable``, ``chainsight keys create|list|revoke`` and ``chainsight audit``.

Every command opens the app database named by ``--app-db`` (or ``CHAINSIGHT_APP_DB``), else the
SQLite file beside ``--db``. A password is typed at a hidden prompt (twice) or read from the first
line of stdin with ``--password-stdin``; it is never an option (options land in shell history) and
never echoed. A new API key's secret is printed once, alone on stdout, so a script can capture it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.text import Text

from chainsight.api.appdb import AppDB
from chainsight.api.appdb._lists import Team
from chainsight.api.principal import Role
from chainsight.cli._console import err, out
from chainsight.cli._export import emit
from chainsight.cli._options import DbOption, FormatOption, OutputOption
from chainsight.config import Settings
from chainsight.errors import ConfigError

users_app = typer.Typer(help="Users of the API and pages: add, list, disable.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for machine clients: create, list, revoke.", no_args_is_help=True)

AppDbOption = Annotated[str | None, typer.Option(
    "--app-db", help="app database URL (default: CHAINSIGHT_APP_DB, else a SQLite file beside --db)",
    show_default=False)]
RoleOption = Annotated[Role, typer.Option(help="admin, analyst (both see every branch) or manager")]
BranchOption = Annotated[list[str] | None, typer.Option(
    "--branch", help="repeatable; a manager sees only these branches' firms")]


@contextmanager
def _opened(db: Path, app_db: str | None) -> Iterator[AppDB]:
    settings = Settings(db_path=db) if app_db is None else Settings(db_path=db, app_db=app_db)
    assert settings.app_db is not None  # filled from db_path when unset
    appdb = AppDB.open(settings.app_db)
    try:
        yield appdb
    finally:
        appdb.close()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise ConfigError("--password-stdin: stdin holds no password")
        return line.rstrip("\r\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True, err=True))


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="sign-in name")],
    role: RoleOption,
    branch: BranchOption = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="read the password from stdin's first line")] = False,
    team: Annotated[Team | None, typer.Option(help="credit, retail or institutional: lists shared with "
                                                   "the team reach this user")] = None,
    db: DbOption = Path("chainsight.duckdb"),
    app_db: AppDbOption = None,
) -> None:
    """Add a user with a role, branches and a team; the password is asked for (never an option)."""
    password = _password(password_stdin)
    with _opened(db, app_db) as appdb:
        user = appdb.add_user(name, password, role, branch or [], team=team)
    of_team = f", team {user.team}" if user.team else ""
    out.print(Text(f"added {user.name} ({user.role}{_branches(user.branches)}{of_team})"))


@users_app.command("list")
def users_list(db: DbOption = Path("chainsight.duckdb"), app_db: AppDbOption = None,
               format: FormatOption = "table", output: OutputOption = None) -> None:  # noqa: A002
    """Every user with role, branches and whether disabled."""
    with _opened(db, app_db) as appdb:
        rows = [{**asdict(u), "branches": sorted(u.branches)} for u in appdb.list_users()]
    columns = ["name", "role", "branches", "team", "created_at", "disabled_at"]
    emit(_frame(rows, columns), format, output, "Users", columns)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="sign-in name")],
                  db: DbOption = Path("chainsight.duckdb"), app_db: AppDbOption = None) -> None:
    """Disable a user: no more sign-ins, their sessions end at once."""
    with _opened(db, app_db) as appdb:
        appdb.disable_user(name)
    out.print(Text(f"disabled {name}"))


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="what the key is for, e.g. crm")],
    role: RoleOption,
    branch: BranchOption = None,
    db: DbOption = Path("chainsight.duckdb"),
    app_db: AppDbOption = None,
) -> None:
    """Create an API key; its secret is printed this once (stdout), the database keeps only a digest."""
    with _opened(db, app_db) as appdb:
        key_id, secret = appdb.create_key(name, role, branch or [])
    err.print(Text(f"key {key_id} ({role}{_branches(frozenset(branch or []))}) for {name}: the secret below "
                   "is shown once; send it as `Authorization: Bearer <secret>`"), soft_wrap=True)
    typer.echo(secret)


@keys_app.command("list")
def keys_list(db: DbOption = Path("chainsight.duckdb"), app_db: AppDbOption = None,
              format: FormatOption = "table", output: OutputOption = None) -> None:  # noqa: A002
    """Every key (never its secret), newest first, revoked ones too."""
    with _opened(db, app_db) as appdb:
        rows = [{**asdict(k), "branches": sorted(k.branches)} for k in appdb.list_keys()]
    columns = ["key_id", "name", "role", "branches", "created_at", "revoked_at"]
    emit(_frame(rows, columns), format, output, "API keys", columns)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key id (chainsight keys list)")],
                db: DbOption = Path("chainsight.duckdb"), app_db: AppDbOption = None) -> None:
    """Revoke a key for good: the next request with it is refused."""
    with _opened(db, app_db) as appdb:
        appdb.revoke_key(key_id)
    out.print(Text(f"revoked {key_id}"))


def audit(
    limit: Annotated[int, typer.Option(help="how many, newest first", min=1)] = 100,
    since: Annotated[datetime | None, typer.Option(help="only from this time on (UTC unless it says)",
                                                   formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z",
                                                            "%Y-%m-%dT%H:%M:%S"])] = None,
    user: Annotated[str | None, typer.Option(help="only this user or key name")] = None,
    db: DbOption = Path("chainsight.duckdb"),
    app_db: AppDbOption = None,
    format: FormatOption = "table",  # noqa: A002
    output: OutputOption = None,
) -> None:
    """The audit log: who read what, when, from where, how many rows, with which status."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    with _opened(db, app_db) as appdb:
        rows = [asdict(e) for e in appdb.list_audit(limit=limit, since=since, user=user)]
    columns = ["id", "at", "user", "kind", "role", "route", "params", "rows", "client", "status"]
    emit(_frame(rows, columns), format, output, "Audit log", columns)


def _frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    """The rows as a frame, times to the second in UTC (``2026-12-02T09:00:00+00:00``)."""
    shown = [{k: v.isoformat(timespec="seconds") if isinstance(v, datetime) else v for k, v in row.items()}
             for row in rows]
    return pd.DataFrame(shown, columns=columns)


def _branches(branches: frozenset[str]) -> str:
    return f", branches {', '.join(sorted(branches))}" if branches else ""
