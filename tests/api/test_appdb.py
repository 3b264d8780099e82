"""The app database on each backend: passwords, keys, sessions, throttling, audit log, assignments."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from chainsight.api.appdb import AppDB
from chainsight.api.appdb._users import FAILURE_WINDOW, MAX_FAILURES
from chainsight.api.principal import Principal
from chainsight.errors import AccessDenied, ConfigError, NotFound, TooManyAttempts
from tests._postgres import Cluster
from tests.api.conftest import FakeClock

PASSWORD = "correct horse battery"
ADMIN = Principal(kind="user", id=1, name="root", role="admin", branches=frozenset())


def raw(db: AppDB, sql: str) -> list[sa.Row[tuple[object, ...]]]:
    """Read the database behind the AppDB's back, as someone with SQL access would."""
    with db._engine.connect() as c:
        return list(c.execute(sa.text(sql)))


def test_password_is_stored_as_an_argon2id_hash(app_db_url: str) -> None:
    with AppDB.open(app_db_url) as db:
        db.add_user("wang", PASSWORD, "manager", ["BR01"])
        [(stored,)] = raw(db, "SELECT password_hash FROM users")
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # pwdlib's recommended parameters
        assert PASSWORD not in stored
        assert db.sign_in("wang", PASSWORD, "c1") is not None
        assert db.sign_in("wang", PASSWORD + "x", "c1") is None


def test_a_hash_with_weaker_parameters_is_replaced_at_sign_in(appdb: AppDB, app_db_url: str) -> None:
    appdb.add_user("wang", PASSWORD, "manager", ["BR01"])
    assert raw(appdb, "SELECT password_hash FROM users")[0][0].startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    with AppDB.open(app_db_url) as db:
        assert db.sign_in("wang", PASSWORD, "c1") is not None
        [(stored,)] = raw(db, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert appdb.sign_in("wang", PASSWORD, "c1") is not None


def test_users_are_listed_with_role_and_branches(appdb: AppDB) -> None:
    appdb.add_user("zhao", PASSWORD, "analyst", [])
    appdb.add_user("li", PASSWORD, "manager", ["BR02", "BR01"])
    users = appdb.list_users()
    assert [(u.name, u.role, u.branches, u.disabled) for u in users] == [
        ("li", "manager", frozenset({"BR01", "BR02"}), False), ("zhao", "analyst", frozenset(), False)]


@pytest.mark.parametrize(("name", "password", "role", "branches", "problem"), [
    ("wang", "short", "manager", ["BR01"], "at least 8"),
    ("wang", PASSWORD, "boss", [], "role must be one of"),
    ("wang", PASSWORD, "manager", [], "needs at least one branch"),
    ("wang li", PASSWORD, "analyst", [], "without spaces"),
    ("wang", PASSWORD, "manager", ["BR 1"], "branch is 1-64"),
])
def test_bad_users_are_refused(appdb: AppDB, name: str, password: str, role: str, branches: list[str],
                               problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        appdb.add_user(name, password, role, branches)
    assert appdb.list_users() == []


def test_a_name_is_taken_once(appdb: AppDB) -> None:
    appdb.add_user("wang", PASSWORD, "analyst", [])
    with pytest.raises(ConfigError, match="exists"):
        appdb.add_user("wang", PASSWORD, "admin", [])


def test_a_disabled_user_can_neither_sign_in_nor_keep_a_session(appdb: AppDB) -> None:
    appdb.add_user("wang", PASSWORD, "manager", ["BR01"])
    token = appdb.sign_in("wang", PASSWORD, "c1")
    assert token is not None and appdb.authenticate_session(token) is not None
    appdb.disable_user("wang")
    assert appdb.authenticate_session(token) is None
    assert appdb.sign_in("wang", PASSWORD, "c1") is None
    assert appdb.list_users()[0].disabled
    with pytest.raises(NotFound):
        appdb.disable_user("nobody")


def test_a_session_names_its_user_until_it_expires(appdb: AppDB, clock: FakeClock) -> None:
    appdb.add_user("wang", PASSWORD, "manager", ["BR01", "BR02"])
    token = appdb.sign_in("wang", PASSWORD, "c1")
    assert token is not None
    principal = appdb.authenticate_session(token)
    assert principal is not None
    assert (principal.kind, principal.name, principal.role, principal.branches) == (
        "user", "wang", "manager", frozenset({"BR01", "BR02"}))
    clock.advance(hours=7, minutes=59)
    assert appdb.authenticate_session(token) is not None
    clock.advance(minutes=1)
    assert appdb.authenticate_session(token) is None


def test_the_token_is_stored_as_a_digest_and_sign_out_ends_it(appdb: AppDB) -> None:
    appdb.add_user("wang", PASSWORD, "admin", [])
    token = appdb.sign_in("wang", PASSWORD, "c1")
    assert token is not None
    assert raw(appdb, "SELECT token_hash FROM sessions") == [(hashlib.sha256(token.encode()).hexdigest(),)]
    appdb.sign_out(token)
    assert appdb.authenticate_session(token) is None
    assert appdb.authenticate_session("made-up") is None


def test_failed_sign_ins_are_throttled_per_name_and_client(appdb: AppDB, clock: FakeClock) -> None:
    appdb.add_user("wang", PASSWORD, "admin", [])
    for _ in range(MAX_FAILURES):
        assert appdb.sign_in("wang", "guess-guess", "10.0.0.9") is None
        clock.advance(seconds=10)
    with pytest.raises(TooManyAttempts) as caught:
        appdb.sign_in("wang", PASSWORD, "10.0.0.9")  # even the right password
    # The first failure leaves the window 15 min after it: 50 s have gone by since.
    assert caught.value.retry_after == pytest.approx((FAILURE_WINDOW - timedelta(seconds=50)).total_seconds(),
                                                     abs=1)
    assert appdb.sign_in("wang", PASSWORD, "10.0.0.1") is not None  # another client is not locked out
    clock.advance(seconds=caught.value.retry_after)
    assert appdb.sign_in("wang", PASSWORD, "10.0.0.9") is not None


def test_unknown_names_are_throttled_too(appdb: AppDB) -> None:
    for _ in range(MAX_FAILURES):
        assert appdb.sign_in("ghost", "guess-guess", "c") is None
    with pytest.raises(TooManyAttempts):
        appdb.sign_in("ghost", "guess-guess", "c")


def test_a_success_clears_the_failures(appdb: AppDB) -> None:
    appdb.add_user("wang", PASSWORD, "admin", [])
    for _ in range(MAX_FAILURES - 1):
        appdb.sign_in("wang", "guess-guess", "c")
    assert appdb.sign_in("wang", PASSWORD, "c") is not None
    for _ in range(MAX_FAILURES - 1):
        appdb.sign_in("wang", "guess-guess", "c")
    assert appdb.sign_in("wang", PASSWORD, "c") is not None


def test_a_key_is_shown_once_stored_as_a_digest_and_revocable(appdb: AppDB) -> None:
    key_id, secret = appdb.create_key("crm", "manager", ["BR01"])
    assert secret.startswith(f"cs_{key_id}_")
    [(stored,)] = raw(appdb, "SELECT secret_hash FROM api_keys")
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(appdb.list_keys())
    principal = appdb.authenticate_key(secret)
    assert principal == Principal(kind="key", id=principal.id if principal else 0, name="crm",
                                  role="manager", branches=frozenset({"BR01"}))
    appdb.revoke_key(key_id)
    assert appdb.authenticate_key(secret) is None
    assert appdb.list_keys()[0].revoked_at is not None
    with pytest.raises(NotFound):
        appdb.revoke_key("000000000000")


def test_a_key_with_a_right_id_and_a_wrong_secret_is_refused(appdb: AppDB) -> None:
    key_id, secret = appdb.create_key("crm", "analyst", [])
    forged = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert appdb.authenticate_key(forged) is None
    assert appdb.authenticate_key(f"cs_{key_id}") is None
    assert appdb.authenticate_key("") is None


def test_the_audit_log_keeps_who_what_and_how_many(appdb: AppDB, clock: FakeClock) -> None:
    wang = Principal(kind="user", id=3, name="wang", role="manager", branches=frozenset({"BR01"}))
    appdb.append_audit(wang, "/api/v1/cores", {"q": "核心", "limit": 20}, 7, "10.0.0.7", 200)
    clock.advance(minutes=5)
    appdb.append_audit(None, "/api/v1/cores", {}, 0, "10.0.0.8", 401)
    appdb.append_audit(ADMIN, "/api/v1/prospects", {"core": "E1"}, 50, "10.0.0.9", 200)
    newest = appdb.list_audit()
    assert [(e.user, e.route, e.rows, e.status) for e in newest] == [
        ("root", "/api/v1/prospects", 50, 200), (None, "/api/v1/cores", 0, 401),
        ("wang", "/api/v1/cores", 7, 200)]
    assert newest[2].params == {"q": "核心", "limit": 20}
    assert newest[2].client == "10.0.0.7" and newest[2].kind == "user"
    assert [e.user for e in appdb.list_audit(user="wang")] == ["wang"]
    assert len(appdb.list_audit(since=clock.now)) == 2
    assert len(appdb.list_audit(limit=1)) == 1


@pytest.mark.parametrize("statement", ["UPDATE audit SET rows = 0", "DELETE FROM audit"])
def test_the_database_refuses_to_change_the_audit_log(appdb: AppDB, statement: str) -> None:
    appdb.append_audit(ADMIN, "/api/v1/cores", {}, 3, "c", 200)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), appdb._engine.begin() as c:
        c.execute(sa.text(statement))
    assert [e.rows for e in appdb.list_audit()] == [3]


def test_no_method_changes_the_audit_log() -> None:
    writers = {name for name in dir(AppDB) if "audit" in name and not name.startswith("_")}
    assert writers == {"append_audit", "list_audit"}


def test_admins_assign_firms_to_branches(appdb: AppDB) -> None:
    appdb.assign("E1", "BR01", "M7", by=ADMIN)
    appdb.assign("E2", "BR02", by=ADMIN)
    appdb.assign("E3", "BR01", by=ADMIN)
    appdb.assign("E3", "BR02", by=ADMIN)  # reassigned
    assert appdb.assignments_for({"BR01"}) == {"E1"}
    assert appdb.assignments_for(["BR01", "BR02"]) == {"E1", "E2", "E3"}
    assert appdb.assignments_for([]) == set()
    appdb.assign("E1", by=ADMIN)  # neither branch nor manager: unassigned
    assert appdb.assignments_for({"BR01"}) == set()
    manager = Principal(kind="user", id=2, name="wang", role="manager", branches=frozenset({"BR01"}))
    with pytest.raises(AccessDenied):
        appdb.assign("E2", "BR01", by=manager)
    assert appdb.assignments_for({"BR01"}) == set()


@pytest.mark.integration
def test_postgresql_refuses_to_truncate_the_audit_log(postgres: Cluster) -> None:
    with AppDB.open(postgres.database()) as appdb:
        appdb.append_audit(ADMIN, "/api/v1/cores", {}, 3, "c", 200)
        with pytest.raises(sa.exc.DBAPIError, match="append-only: TRUNCATE"), appdb._engine.begin() as c:
            c.execute(sa.text("TRUNCATE audit"))
        assert len(appdb.list_audit()) == 1
