"""Named lists: the app database (SQLite and PostgreSQL) and over a served app, with the access rule.

A list shared with branch A shows a manager of A only A's firms: the B firm in it is counted as hidden
and named nowhere (``_nothing_of_b``). Expected firms come from the analysis, not from the code under test.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import openpyxl
import pytest

from chainsight.api.appdb import AppDB
from chainsight.api.principal import Principal
from chainsight.errors import AccessDenied, ConfigError, NotFound
from chainsight.graph.result import Analysis
from tests.api.served import BRANCH_A, BRANCH_B, Served, published, served  # noqa: F401
from tests.api.test_scoping import _nothing_of_b, world  # noqa: F401

ADMIN = Principal(kind="user", id=1, name="root", role="admin", branches=frozenset())
WANG = Principal(kind="user", id=2, name="wang", role="manager", branches=frozenset({"BR01"}))
LI = Principal(kind="user", id=3, name="li", role="manager", branches=frozenset({"BR02"}))
ZHAO = Principal(kind="user", id=4, name="zhao", role="analyst", branches=frozenset())
PASSWORD = "correct horse battery"


def test_a_list_is_seen_by_its_owner_admins_and_whom_it_is_shared_with(appdb: AppDB) -> None:
    saved = appdb.save_list("  代发  top ", ["F3", "F1", "F3", "F2"], by=WANG, note="Q1",
                            source={"kind": ["acquire"]})
    assert (saved.name, saved.firm_ids, saved.source) == ("代发 top", ["F3", "F1", "F2"], {"kind": ["acquire"]})
    assert appdb.named_list(saved.id).firm_ids == ["F3", "F1", "F2"]
    assert [x.id for x in appdb.lists_for(WANG, None)] == [saved.id]
    assert [x.id for x in appdb.lists_for(ADMIN, None)] == [saved.id]
    assert appdb.lists_for(LI, "credit") == [] and appdb.lists_for(ZHAO, "credit") == []
    appdb.share_list(saved.id, "branch", "BR02", by=WANG)
    appdb.share_list(saved.id, "branch", "BR02", by=WANG)  # again: no second share
    assert [x.id for x in appdb.lists_for(LI, None)] == [saved.id]
    appdb.share_list(saved.id, "team", "credit", by=ADMIN)
    assert [x.id for x in appdb.lists_for(ZHAO, "credit")] == [saved.id]
    assert appdb.lists_for(ZHAO, "retail") == []
    assert appdb.named_list(saved.id).shares == [("branch", "BR02"), ("team", "credit")]
    assert appdb.unshare_list(saved.id, "branch", "BR02", by=WANG) is True
    assert appdb.unshare_list(saved.id, "branch", "BR02", by=WANG) is False
    assert appdb.lists_for(LI, None) == []
    newer = appdb.save_list("second", [], by=LI)
    assert [x.id for x in appdb.lists_for(ADMIN, None)] == [newer.id, saved.id]  # newest first


def test_only_the_owner_or_an_admin_changes_a_list(appdb: AppDB) -> None:
    saved = appdb.save_list("mine", ["F1"], by=WANG)
    appdb.share_list(saved.id, "branch", "BR02", by=WANG)
    for change in (lambda: appdb.share_list(saved.id, "team", "retail", by=LI),
                   lambda: appdb.unshare_list(saved.id, "branch", "BR02", by=LI),
                   lambda: appdb.delete_list(saved.id, by=LI)):
        with pytest.raises(AccessDenied, match="only wang"):
            change()
    with pytest.raises(AccessDenied, match="managers and admins"):
        appdb.save_list("x", ["F1"], by=ZHAO)
    appdb.delete_list(saved.id, by=ADMIN)
    with pytest.raises(NotFound):
        appdb.named_list(saved.id)
    assert appdb.lists_for(LI, None) == []


@pytest.mark.parametrize("call, message", [
    (lambda db, i: db.share_list(i, "team", "sales", by=WANG), "a team is one of credit, retail"),
    (lambda db, i: db.share_list(i, "desk", "x", by=WANG), "a branch or a team"),
    (lambda db, i: db.share_list(i, "branch", "a b", by=WANG), "branch is 1-64 characters"),
    (lambda db, i: db.save_list(" ", ["F1"], by=WANG), "1-100 characters"),
    (lambda db, i: db.save_list("big", [f"F{n}" for n in range(5001)], by=WANG), "at most 5,000 firms"),
    (lambda db, i: db.add_user("sun", PASSWORD, "analyst", team="sales"), "a team is one of"),
])
def test_bad_lists_and_shares_are_refused(appdb: AppDB, call: Any, message: str) -> None:
    saved = appdb.save_list("mine", ["F1"], by=WANG)
    with pytest.raises(ConfigError, match=message):
        call(appdb, saved.id)
    assert appdb.named_list(saved.id).shares == [] and len(appdb.lists_for(ADMIN, None)) == 1


def test_a_users_team_is_kept(appdb: AppDB) -> None:
    appdb.add_user("qian", PASSWORD, "manager", ["BR01"], team="retail")
    appdb.add_user("sun", PASSWORD, "analyst")
    assert (appdb.team_of("qian"), appdb.team_of("sun"), appdb.team_of("nobody")) == ("retail", None, None)
    assert {u.name: u.team for u in appdb.list_users()} == {"qian": "retail", "sun": None}


# -- over HTTP -------------------------------------------------------------------------------------

def _session(served: Served, name: str, branches: list[str], team: str | None) -> httpx.Client:
    served.appdb.add_user(name, PASSWORD, "manager", branches, team=team)
    token = served.appdb.sign_in(name, PASSWORD, client="127.0.0.1")
    return httpx.Client(base_url=served.url, cookies={"chainsight_session": token}, timeout=30)


@pytest.fixture(scope="module")
def a_firm(world: dict[str, Any], small_analysis: Analysis) -> str:
    """A branch-A customer that is a prospect (visible to A's managers, not to B's)."""
    return sorted(f for f in world["a_firms"] if f in set(small_analysis.prospects["enterprise_id"]))[0]


@pytest.fixture(scope="module")
def mixed(served: Served, world: dict[str, Any], a_firm: str) -> Iterator[int]:
    """An admin's list of one A firm and one B firm, shared with branch A."""
    with served.client("admin") as admin:
        saved = admin.post("/api/v1/lists", json={"name": "联动 A+B", "enterprise_ids": [a_firm, world["b_prospect"]]})
        assert saved.status_code == 201, saved.text
        list_id = saved.json()["id"]
        assert admin.post(f"/api/v1/lists/{list_id}/shares", json={"kind": "branch", "target": BRANCH_A}).status_code == 200
        yield list_id


def _xlsx_text(content: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.integration
def test_a_list_shared_with_branch_a_shows_its_managers_nothing_of_b(
        served: Served, world: dict[str, Any], a_firm: str, mixed: int) -> None:
    with served.client("manager") as manager, served.client("manager_b") as manager_b:
        assert mixed in [x["id"] for x in manager.get("/api/v1/lists").json()["data"]]
        seen = manager.get(f"/api/v1/lists/{mixed}")
        assert seen.status_code == 200
        body = seen.json()
        assert ([f["enterprise_id"] for f in body["firms"]], body["hidden"], body["size"]) == ([a_firm], 1, 2)
        csv = manager.get(f"/api/v1/lists/{mixed}.csv")
        xlsx = manager.get(f"/api/v1/lists/{mixed}.xlsx")
        assert csv.headers["x-hidden-firms"] == "1" and a_firm in csv.text
        for text in (seen.text, csv.text, _xlsx_text(xlsx.content)):
            _nothing_of_b(text, world)
        # branch B is not shared with: the list does not exist for B's manager
        assert mixed not in [x["id"] for x in manager_b.get("/api/v1/lists").json()["data"]]
        for url in (f"/api/v1/lists/{mixed}", f"/api/v1/lists/{mixed}.csv"):
            assert manager_b.get(url).status_code == 404, url
        # not the owner: may read, may not change
        assert manager.post(f"/api/v1/lists/{mixed}/shares", json={"kind": "team", "target": "credit"}).status_code == 403
        assert manager.delete(f"/api/v1/lists/{mixed}").status_code == 403
    with served.client("analyst") as analyst:
        assert analyst.get(f"/api/v1/lists/{mixed}").status_code == 404  # not shared with them


@pytest.mark.integration
def test_a_list_shared_with_a_team_reaches_its_members_within_their_own_access(
        served: Served, world: dict[str, Any], a_firm: str, mixed: int) -> None:
    with served.client("admin") as admin:
        assert admin.post(f"/api/v1/lists/{mixed}/shares", json={"kind": "team", "target": "credit"}).status_code == 200
        assert admin.post(f"/api/v1/lists/{mixed}/shares", json={"kind": "team", "target": "sales"}).status_code == 422
    try:
        with _session(served, "credit_b", [BRANCH_B], "credit") as credit_b, \
                _session(served, "retail_b", [BRANCH_B], "retail") as retail_b:
            body = credit_b.get(f"/api/v1/lists/{mixed}").json()
            assert ([f["enterprise_id"] for f in body["firms"]], body["hidden"]) == ([world["b_prospect"]], 1)
            assert a_firm not in credit_b.get(f"/api/v1/lists/{mixed}").text
            assert retail_b.get(f"/api/v1/lists/{mixed}").status_code == 404
    finally:
        with served.client("admin") as admin:
            assert admin.delete(f"/api/v1/lists/{mixed}/shares/team/credit").status_code == 204
            assert admin.delete(f"/api/v1/lists/{mixed}/shares/team/credit").status_code == 404


@pytest.mark.integration
def test_a_manager_saves_a_filtered_list_but_no_firm_of_another_branch(
        served: Served, world: dict[str, Any], small_analysis: Analysis) -> None:
    core = world["a_cores"][0]
    rows = small_analysis.prospects
    expected = sorted(set(rows[(rows["core_id"] == core) & (rows["kind"] == "acquire")]["enterprise_id"].astype(str)))
    assert expected
    with served.client("manager") as manager, served.client("analyst") as analyst:
        saved = manager.post("/api/v1/lists/from-prospects", params={"core_id": core, "kind": "acquire", "limit": 5000},
                             json={"name": "acquire of my core"})
        assert saved.status_code == 201, saved.text
        body = saved.json()
        assert sorted(f["enterprise_id"] for f in body["firms"]) == expected and body["hidden"] == 0
        assert body["source"]["core_id"] == core and body["source"]["kinds"] == ["acquire"]
        refused = manager.post("/api/v1/lists", json={"name": "sneaky", "enterprise_ids": [expected[0], world["b_prospect"]]})
        assert refused.status_code == 404
        _nothing_of_b(refused.text, world, asked=world["b_prospect"])
        assert analyst.post("/api/v1/lists", json={"name": "x", "enterprise_ids": [expected[0]]}).status_code == 403
        names = [x["name"] for x in manager.get("/api/v1/lists").json()["data"]]
        assert "sneaky" not in names and "acquire of my core" in names
        assert manager.delete(f"/api/v1/lists/{body['id']}").status_code == 204
        assert manager.get(f"/api/v1/lists/{body['id']}").status_code == 404
