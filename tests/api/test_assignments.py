"""Assignments: the app database (SQLite and PostgreSQL), the admin routes over a served app, the CLI.

Expected firms and counts come from the analysis itself (which prospects a core has, whose customer
each firm is), never from the code under test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from chainsight.api.appdb import AppDB
from chainsight.api.principal import Principal
from chainsight.cli import app
from chainsight.errors import AccessDenied, ConfigError
from chainsight.graph.result import Analysis
from tests.api.served import BRANCH_A, BRANCH_B, Served, published, served  # noqa: F401
from tests.api.test_scoping import _nothing_of_b, world  # noqa: F401

ADMIN = Principal(kind="user", id=1, name="root", role="admin", branches=frozenset())
WANG = Principal(kind="user", id=2, name="wang", role="manager", branches=frozenset({"BR01"}))
PASSWORD = "correct horse battery"


def test_bulk_assignments_are_current_once_and_kept_in_an_append_only_history(appdb: AppDB,
                                                                               clock: Any) -> None:
    assert appdb.assign_many(["E1", "E2", "E1"], "BR01", "wang", by=ADMIN) == 2
    clock.advance(minutes=5)
    appdb.assign("E2", "BR02", by=ADMIN)
    clock.advance(minutes=5)
    appdb.assign("E1", by=ADMIN)  # removed
    assert [(a.firm_id, a.branch, a.manager) for a in appdb.assignments()] == [("E2", "BR02", None)]
    assert appdb.assigned_to("wang") == []
    history = appdb.assignment_history()
    assert [(e.firm_id, e.branch, e.manager, e.assigned_by) for e in history] == [
        ("E1", None, None, "root"), ("E2", "BR02", None, "root"),
        ("E2", "BR01", "wang", "root"), ("E1", "BR01", "wang", "root")]
    assert history[0].assigned_at > history[1].assigned_at > history[2].assigned_at
    assert [e.firm_id for e in appdb.assignment_history(["E2"], limit=1)] == ["E2"]
    appdb.take("E2", by=WANG)  # a claim history row to try changing
    for statement in ("UPDATE assignment_history SET branch = 'x'", "DELETE FROM assignment_history",
                      "UPDATE claim_history SET manager = 'x'", "DELETE FROM claim_history"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), appdb._engine.begin() as c:
            c.execute(sa.text(statement))
    with pytest.raises(AccessDenied):
        appdb.assign_many(["E3"], "BR01", by=WANG)
    assert len(appdb.assignment_history()) == 4


def test_a_claim_history_keeps_every_take_and_release(appdb: AppDB) -> None:
    appdb.take("F1", by=WANG)
    appdb.release("F1", by=ADMIN)
    appdb.take("F1", by=WANG)
    assert [(e.action, e.manager, e.done_by) for e in appdb.claim_history(["F1"])] == [
        ("take", "wang", "wang"), ("release", "wang", "root"), ("take", "wang", "wang")]
    assert appdb.claim_history([]) == []


@pytest.mark.parametrize("branch, manager, expected", [
    (None, "zhao", ("BR01", "zhao")),
    ("BR02", "qian", ("BR02", "qian")),
    ("BR09", None, ("BR09", None)),
])
def test_the_target_of_an_assignment_is_checked_against_the_users(
        appdb: AppDB, branch: str | None, manager: str | None, expected: tuple[str, str | None]) -> None:
    appdb.add_user("zhao", PASSWORD, "manager", ["BR01"])
    appdb.add_user("qian", PASSWORD, "manager", ["BR01", "BR02"])
    assert appdb.check_target(branch, manager) == expected


@pytest.mark.parametrize("branch, manager, message", [
    (None, None, "names a branch, a manager or both"),
    (None, "qian", "has branches BR01, BR02: name the branch"),
    ("BR03", "zhao", "not a manager of branch BR03"),
    (None, "nobody", "not an enabled user with the manager role"),
    (None, "sun", "not an enabled user with the manager role"),  # an analyst
    (None, "gone", "not an enabled user with the manager role"),  # disabled
])
def test_a_bad_target_is_refused(appdb: AppDB, branch: str | None, manager: str | None, message: str) -> None:
    appdb.add_user("zhao", PASSWORD, "manager", ["BR01"])
    appdb.add_user("qian", PASSWORD, "manager", ["BR01", "BR02"])
    appdb.add_user("sun", PASSWORD, "analyst")
    appdb.add_user("gone", PASSWORD, "manager", ["BR01"])
    appdb.disable_user("gone")
    with pytest.raises(ConfigError, match=message):
        appdb.check_target(branch, manager)


# -- over HTTP -------------------------------------------------------------------------------------

def _prospects_of(analysis: Analysis, core: str, kind: str) -> list[str]:
    rows = analysis.prospects
    return sorted(set(rows[(rows["core_id"] == core) & (rows["kind"] == kind)]["enterprise_id"].astype(str)))


@pytest.fixture(scope="module")
def zhang(served: Served) -> Iterator[httpx.Client]:
    """A signed-in manager of branch A (a session: reads only)."""
    served.appdb.add_user("zhang", PASSWORD, "manager", [BRANCH_A])
    token = served.appdb.sign_in("zhang", PASSWORD, client="127.0.0.1")
    with httpx.Client(base_url=served.url, cookies={"chainsight_session": token}, timeout=30) as client:
        yield client


@pytest.mark.integration
def test_an_admin_assigns_a_firm_to_a_manager_who_then_sees_it_as_theirs(
        served: Served, world: dict[str, Any], zhang: httpx.Client) -> None:
    firm = world["other_bank_of_b"]
    url = f"/api/v1/enterprises/{firm}/assignment"
    with served.client("admin") as admin, served.client("manager") as manager:
        assert manager.get(f"/api/v1/enterprises/{firm}").status_code == 404
        done = admin.post(url, json={"manager": "zhang"})
        assert done.status_code == 200, done.text
        assert (done.json()["branch"], done.json()["manager"], done.json()["enterprise_ids"]) == (
            BRANCH_A, "zhang", [firm])
        try:
            mine = zhang.get("/api/v1/my/prospects").json()
            assert [(m["enterprise_id"], m["assigned_by"], m["taken_at"]) for m in mine] == [(firm, "admin", None)]
            assert zhang.get("/api/v1/my/prospects.csv").text.count(firm) == 1
            assert manager.get(f"/api/v1/enterprises/{firm}").status_code == 200  # now in branch A
            assert manager.get("/api/v1/my/prospects").json() == []  # assigned to zhang, not to this key
            current = admin.get("/api/v1/assignments", params={"manager": "zhang"}).json()
            assert [(a["enterprise_id"], a["branch"]) for a in current] == [(firm, BRANCH_A)]
        finally:
            assert admin.delete(url).status_code == 204
        assert admin.delete(url).status_code == 404
        assert manager.get(f"/api/v1/enterprises/{firm}").status_code == 404
        assert zhang.get("/api/v1/my/prospects").json() == []
        history = [(h["enterprise_id"], h["branch"], h["manager"], h["assigned_by"])
                   for h in admin.get("/api/v1/assignments/history").json() if h["enterprise_id"] == firm]
        assert history[:2] == [(firm, None, None, "admin"), (firm, BRANCH_A, "zhang", "admin")]
        assert admin.get("/api/v1/assignments/history.csv").text.count(firm) >= 2
    assert url in {e.route for e in served.appdb.list_audit(limit=50, user="admin")}


@pytest.mark.integration
def test_only_admins_assign_and_a_session_needs_its_csrf_token(served: Served, world: dict[str, Any],
                                                               zhang: httpx.Client) -> None:
    firm = world["other_bank_of_b"]
    body = {"branch": BRANCH_A, "dry_run": True}
    with served.client("manager") as manager, served.client("analyst") as analyst, \
            served.client(None) as nobody:
        for client, status in ((manager, 403), (analyst, 403), (nobody, 401), (zhang, 403)):
            assert client.post(f"/api/v1/enterprises/{firm}/assignment", json=body).status_code == status
            assert client.post("/api/v1/prospects/assign", json=body).status_code == status
            assert client.get("/api/v1/assignments").status_code == status
    served.appdb.add_user("root_session", PASSWORD, "admin")
    token = served.appdb.sign_in("root_session", PASSWORD, client="127.0.0.1")
    with httpx.Client(base_url=served.url, cookies={"chainsight_session": token}) as browser:
        assert browser.post(f"/api/v1/enterprises/{firm}/assignment", json=body).status_code == 403
        forged = {"X-CSRF-Token": "forged"}
        assert browser.post(f"/api/v1/enterprises/{firm}/assignment", json=body, headers=forged).status_code == 403
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/").text)
        assert csrf is not None
        done = browser.post(f"/api/v1/enterprises/{firm}/assignment", json=body,
                            headers={"X-CSRF-Token": csrf.group(1)})
        assert done.status_code == 200 and done.json()["enterprise_ids"] == [firm]
        assert browser.get("/api/v1/assignments").status_code == 200
    assert [a for a in served.appdb.assignments() if a.firm_id == firm] == []  # all were dry runs


@pytest.mark.integration
def test_a_filtered_list_is_assigned_in_bulk_after_a_dry_run(served: Served, world: dict[str, Any],
                                                             small_analysis: Analysis) -> None:
    core = world["b_cores"][0]
    expected = _prospects_of(small_analysis, core, "acquire")
    assert expected, "the B core has acquire prospects"
    url = f"/api/v1/cores/{core}/prospects/assign"
    with served.client("admin") as admin, served.client("manager") as manager:
        dry = admin.post(url, params={"kind": "acquire", "limit": 10_000},
                         json={"branch": BRANCH_A, "dry_run": True}).json()
        assert (dry["dry_run"], dry["count"], sorted(dry["enterprise_ids"])) == (True, len(expected), expected)
        assert dry["matched"] == len(expected) and dry["skipped"] == []
        assert served.appdb.assignments(branch=BRANCH_A) == []
        done = admin.post(url, params={"kind": "acquire", "limit": 10_000}, json={"branch": BRANCH_A}).json()
        try:
            assert done["count"] == len(expected)
            assert sorted(a.firm_id for a in served.appdb.assignments(branch=BRANCH_A)) == expected
            assert manager.get(f"/api/v1/enterprises/{expected[0]}").status_code == 200
        finally:
            served.appdb.assign_many(expected, by=served.appdb.authenticate_key(served.keys["admin"]))
        assert served.appdb.assignments(branch=BRANCH_A) == []


@pytest.mark.integration
def test_customers_of_another_branch_are_left_out_and_unknown_ids_refused(
        served: Served, world: dict[str, Any], small_analysis: Analysis) -> None:
    firms = small_analysis.firms.set_index("enterprise_id")
    b_customer = world["b_prospect"]
    with served.client("admin") as admin:
        answer = admin.post("/api/v1/assignments", json={"enterprise_ids": [b_customer], "branch": BRANCH_A}).json()
        assert answer["count"] == 0
        assert answer["skipped"] == [{"enterprise_id": b_customer,
                                      "reason": f"our customer of branch {firms.loc[b_customer, 'branch']}"}]
        own = admin.post("/api/v1/assignments", json={"enterprise_ids": [b_customer], "branch": BRANCH_B,
                                                      "dry_run": True}).json()
        assert own["count"] == 1 and own["skipped"] == []
        refused = admin.post("/api/v1/assignments", json={"enterprise_ids": [world["other_bank_of_b"], "NO-SUCH"],
                                                          "branch": BRANCH_A})
        assert refused.status_code == 404
        bad = admin.post("/api/v1/assignments", json={"enterprise_ids": [b_customer], "manager": "nobody"})
        assert bad.status_code == 422 and "nobody" in bad.json()["message"]
    assert served.appdb.assignments() == []


# -- the command line ------------------------------------------------------------------------------

runner = CliRunner()


@pytest.mark.integration
def test_chainsight_assign_dry_runs_assigns_and_lists(published: Path, world: dict[str, Any],  # noqa: F811
                                                      small_analysis: Analysis, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    with AppDB.open(url) as db:
        db.add_user("root", PASSWORD, "admin")
        db.add_user("wang", PASSWORD, "manager", [BRANCH_A])
    core = world["b_cores"][0]
    expected = _prospects_of(small_analysis, core, "acquire")
    base = ["assign", "--by", "root", "--core", core, "--kind", "acquire", "--to-manager", "wang",
            "--db", str(published), "--app-db", url]
    dry = runner.invoke(app, [*base, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would assign {len(expected):,} firms to branch {BRANCH_A} and manager wang" in dry.stdout
    with AppDB.open(url) as db:
        assert db.assignments() == [] and db.list_audit(user="root")  # the reads are audited
    done = runner.invoke(app, base)
    assert done.exit_code == 0 and f"assigned {len(expected):,} firms" in done.stdout
    listed = runner.invoke(app, ["assignments", "--db", str(published), "--app-db", url, "--format", "json"])
    assert sorted(r["firm_id"] for r in json.loads(listed.stdout)) == expected
    assert {r["assigned_by"] for r in json.loads(listed.stdout)} == {"root"}
    for args, message in (
            (["assign", "--by", "wang", expected[0], "--to-branch", BRANCH_A], "not an enabled admin user"),
            (["assign", "--by", "root", expected[0], "--core", core, "--to-branch", BRANCH_A], "one of them"),
            (["assign", "--by", "root", expected[0]], "--to-branch, --to-manager"),
            (["assign", "--by", "root", "NO-SUCH", "--to-branch", BRANCH_A], "no enterprise NO-SUCH"),
            (["assign", "--by", "root", expected[0], "--to-manager", "[red]x"], "not an enabled user")):
        result = runner.invoke(app, [*args, "--db", str(published), "--app-db", url])
        assert result.exit_code != 0 and "Traceback" not in result.output, args
        assert message in result.stderr, (args, result.stderr)
    removed = runner.invoke(app, ["assign", "--by", "root", *expected, "--unassign", "--db", str(published),
                                  "--app-db", url])
    assert removed.exit_code == 0 and f"removed the assignment of {len(expected):,} firms" in removed.stdout
    history = runner.invoke(app, ["assignments", "--history", "--app-db", url, "--db", str(published),
                                  "--format", "json"])
    assert len(json.loads(history.stdout)) == 2 * len(expected)
