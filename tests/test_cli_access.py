"""``chainsight users|keys|audit`` end to end, on SQLite and PostgreSQL; bad input is one line, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainsight.api.appdb import AppDB
from chainsight.api.principal import Principal
from chainsight.cli import app

runner = CliRunner()
PASSWORD = "correct horse battery"


def cli(url: str, *args: str, input: str | None = None) -> tuple[int, str, str]:  # noqa: A002
    result = runner.invoke(app, [*args, "--app-db", url], input=input)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_users_are_added_listed_and_disabled(app_db_url: str) -> None:
    code, stdout, _ = cli(app_db_url, "users", "add", "wang", "--role", "manager", "--branch", "BR02",
                          "--branch", "BR01", "--password-stdin", input=PASSWORD + "\n")
    assert code == 0 and "added wang (manager, branches BR01, BR02)" in stdout
    code, stdout, _ = cli(app_db_url, "users", "list", "--format", "json")
    [listed] = json.loads(stdout)
    assert (listed["name"], listed["role"], listed["branches"], listed["disabled_at"]) == (
        "wang", "manager", ["BR01", "BR02"], None)
    with AppDB.open(app_db_url) as db:
        assert db.sign_in("wang", PASSWORD, "cli-test") is not None
    assert cli(app_db_url, "users", "disable", "wang")[0] == 0
    with AppDB.open(app_db_url) as db:
        assert db.sign_in("wang", PASSWORD, "cli-test") is None
        assert db.list_users()[0].disabled


def test_the_prompted_password_is_asked_twice_and_never_echoed(app_db_url: str) -> None:
    code, stdout, stderr = cli(app_db_url, "users", "add", "li", "--role", "analyst",
                               input=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0, stderr
    assert PASSWORD not in stdout + stderr
    with AppDB.open(app_db_url) as db:
        assert db.sign_in("li", PASSWORD, "cli-test") is not None


def test_a_key_is_printed_once_and_revoked(app_db_url: str) -> None:
    code, stdout, stderr = cli(app_db_url, "keys", "create", "crm", "--role", "manager", "--branch", "BR01")
    assert code == 0 and "shown once" in stderr
    secret = stdout.strip()
    with AppDB.open(app_db_url) as db:
        principal = db.authenticate_key(secret)
    assert principal is not None and (principal.name, principal.branches) == ("crm", frozenset({"BR01"}))
    code, stdout, _ = cli(app_db_url, "keys", "list", "--format", "json")
    [key] = json.loads(stdout)
    assert secret not in stdout and secret.startswith(f"cs_{key['key_id']}_")
    assert cli(app_db_url, "keys", "revoke", key["key_id"])[0] == 0
    with AppDB.open(app_db_url) as db:
        assert db.authenticate_key(secret) is None
    assert json.loads(cli(app_db_url, "keys", "list", "--format", "json")[1])[0]["revoked_at"] is not None


def test_the_audit_log_is_listed_newest_first_and_filtered(app_db_url: str) -> None:
    wang = Principal(kind="user", id=1, name="wang", role="manager", branches=frozenset({"BR01"}))
    crm = Principal(kind="key", id=1, name="crm", role="analyst", branches=frozenset())
    with AppDB.open(app_db_url) as db:
        db.append_audit(wang, "/api/v1/cores", {"q": "[red]核心[/red]"}, 7, "10.0.0.7", 200)
        db.append_audit(crm, "/api/v1/prospects", {"limit": 50}, 50, "10.0.0.8", 200)
    entries = json.loads(cli(app_db_url, "audit", "--format", "json")[1])
    assert [(e["user"], e["route"], e["rows"]) for e in entries] == [
        ("crm", "/api/v1/prospects", 50), ("wang", "/api/v1/cores", 7)]
    assert [e["user"] for e in json.loads(cli(app_db_url, "audit", "--user", "wang", "--format", "json")[1])] \
        == ["wang"]
    assert json.loads(cli(app_db_url, "audit", "--since", "2999-01-01", "--format", "json")[1]) == []
    code, table, _ = cli(app_db_url, "audit")
    assert code == 0 and "[red]核心[/red]" in table  # data is printed as written, never as markup


@pytest.mark.parametrize(("args", "stdin", "code", "message"), [
    (["users", "add", "x", "--role", "analyst", "--password-stdin"], "short\n", 2,
     "a password has at least 8 characters"),
    (["users", "add", "x", "--role", "manager", "--password-stdin"], PASSWORD + "\n", 2,
     "a manager needs at least one branch"),
    (["users", "add", "x", "--role", "analyst", "--password-stdin"], "", 2, "--password-stdin: stdin holds no password"),
    (["users", "disable", "ghost"], None, 1, "no user called ghost"),
    (["keys", "revoke", "000000000000"], None, 1, "no API key with id 000000000000"),
])
def test_bad_input_is_one_line(app_db_url: str, args: list[str], stdin: str | None, code: int,
                               message: str) -> None:
    got, _, stderr = cli(app_db_url, *args, input=stdin)
    assert got == code and stderr.startswith(f"error: {message}") and stderr.count("\n") == 1, stderr


def test_a_taken_name_is_one_line(app_db_url: str) -> None:
    args = ("users", "add", "x", "--role", "analyst", "--password-stdin")
    assert cli(app_db_url, *args, input=PASSWORD + "\n")[0] == 0
    assert cli(app_db_url, *args, input=PASSWORD + "\n")[::2] == (2, "error: a user called x exists\n")


@pytest.mark.parametrize(("url", "message"), [
    ("nonsense", "error: the app database URL does not parse; use sqlite:///PATH or "
                 "postgresql+psycopg://USER:PASSWORD@HOST/DB"),
    ("postgresql://bank:pw-123@127.0.0.1:9/app", "error: the app database "
     "postgresql+psycopg://bank:***@127.0.0.1:9/app cannot be reached: connection failed:"),
])
def test_a_wrong_database_url_is_a_clear_message(url: str, message: str) -> None:
    code, _, stderr = cli(url, "users", "list")
    assert code == 1 and stderr.startswith(message) and stderr.count("\n") == 1
    assert "pw-123" not in stderr


def test_by_default_the_app_database_sits_beside_the_data(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAINSIGHT_APP_DB", raising=False)
    db = tmp_path / "bank.duckdb"
    result = runner.invoke(app, ["keys", "create", "crm", "--role", "analyst", "--db", str(db)])
    assert result.exit_code == 0
    with AppDB.open(f"sqlite:///{tmp_path / 'bank.app.sqlite'}") as appdb:
        assert appdb.authenticate_key(result.stdout.strip()) is not None


def test_chainsight_app_db_names_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"
    monkeypatch.setenv("CHAINSIGHT_APP_DB", url)
    result = runner.invoke(app, ["keys", "create", "crm", "--role", "analyst", "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 0
    with AppDB.open(url) as appdb:
        assert appdb.authenticate_key(result.stdout.strip()) is not None
    assert not (tmp_path / "x.app.sqlite").exists()
