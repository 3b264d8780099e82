"""Working a list: claims and outcomes in the app database (SQLite and PostgreSQL) and over HTTP.

The HTTP tests run a real served app; a manager of branch A tries every work route on a firm of
branch B and gets 404 with nothing of B in the answer (the firms come from the analysis itself).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from chainsight.api.appdb import AppDB
from chainsight.api.principal import Principal
from chainsight.errors import AccessDenied, ConfigError
from tests.api.served import Served, published, served  # noqa: F401
from tests.api.test_scoping import _nothing_of_b, world  # noqa: F401

WANG = Principal(kind="user", id=1, name="wang", role="manager", branches=frozenset({"BR01"}))
LI = Principal(kind="user", id=2, name="li", role="manager", branches=frozenset({"BR01"}))
ADMIN = Principal(kind="user", id=3, name="root", role="admin", branches=frozenset())
DAY = date(2026, 12, 1)


def test_a_prospect_is_taken_once_and_released_by_its_taker_or_an_admin(appdb: AppDB) -> None:
    assert appdb.take("F1", by=WANG).manager == "wang"
    assert appdb.take("F1", by=WANG).manager == "wang"  # again: the same claim
    with pytest.raises(AccessDenied, match="wang has already taken"):
        appdb.take("F1", by=LI)
    with pytest.raises(AccessDenied):
        appdb.release("F1", by=LI)
    assert [c.firm_id for c in appdb.claims_of("wang")] == ["F1"]
    assert appdb.release("F1", by=ADMIN) is True
    assert appdb.release("F1", by=ADMIN) is False
    assert appdb.claims_of("wang") == []
    assert appdb.take("F1", by=LI).manager == "li"


@pytest.mark.parametrize("kind, fields, message", [
    ("phoned", {}, "one of contacted"),
    ("product_sold", {}, "names the product"),
    ("declined", {}, "gives the reason"),
    ("visited", {"follow_up": date(2026, 11, 30)}, "before the outcome"),
])
def test_bad_outcomes_are_refused(appdb: AppDB, kind: str, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        appdb.record_outcome("F1", kind, on_date=DAY, by=WANG, **fields)
    assert appdb.outcomes_of(["F1"]) == []


def test_outcomes_are_kept_newest_first_and_the_database_refuses_to_change_them(appdb: AppDB) -> None:
    appdb.record_outcome("F1", "visited", on_date=DAY, note="met the CFO", follow_up=date(2026, 12, 8), by=WANG)
    appdb.record_outcome("F1", "product_sold", on_date=date(2026, 12, 8), product="代发工资",
                         reason="ignored for a sale", by=WANG)
    appdb.record_outcome("F2", "declined", on_date=DAY, reason="已有他行授信", by=LI)
    history = appdb.outcomes_of(["F1"])
    assert [(o.kind, o.product, o.reason) for o in history] == [("product_sold", "代发工资", None),
                                                                 ("visited", None, None)]
    assert history[1].follow_up == date(2026, 12, 8) and history[1].recorded_by == "wang"
    for statement in ("UPDATE outcomes SET note = 'x'", "DELETE FROM outcomes"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), appdb._engine.begin() as c:
            c.execute(sa.text(statement))
    assert len(appdb.outcomes_of(["F1", "F2"])) == 3


# -- over HTTP -------------------------------------------------------------------------------------

VISIT = {"kind": "visited", "on_date": "2026-12-01", "note": "met the CFO", "follow_up": "2026-12-02"}


@pytest.mark.integration
def test_a_manager_takes_a_prospect_records_an_outcome_and_sees_it_due(served: Served, world: dict[str, Any]) -> None:
    firm = world["b_prospect"]
    with served.client("manager_b") as owner, served.client("analyst") as analyst:
        taken = owner.post(f"/api/v1/enterprises/{firm}/take")
        assert taken.status_code == 200 and taken.json()["manager"] == "manager_b"
        try:
            recorded = owner.post(f"/api/v1/enterprises/{firm}/outcomes", json=VISIT)
            assert recorded.status_code == 201 and recorded.json()["recorded_by"] == "manager_b"
            mine = owner.get("/api/v1/my/prospects", params={"due": True}).json()
            assert [(m["enterprise_id"], m["follow_up_due"], m["last_outcome"]["kind"]) for m in mine] == [
                (firm, True, "visited")]
            assert owner.get("/api/v1/my/prospects.csv").text.count(firm) == 1
            assert [o["note"] for o in analyst.get(f"/api/v1/enterprises/{firm}/outcomes").json()] == ["met the CFO"]
            assert analyst.post(f"/api/v1/enterprises/{firm}/take").status_code == 403  # analysts read only
            bad = owner.post(f"/api/v1/enterprises/{firm}/outcomes", json={**VISIT, "kind": "declined"})
            assert bad.status_code == 422
        finally:
            assert owner.delete(f"/api/v1/enterprises/{firm}/take").status_code == 204
        assert owner.get("/api/v1/my/prospects").json() == []


@pytest.mark.integration
def test_a_manager_of_another_branch_cannot_take_see_record_or_export(served: Served,
                                                                        world: dict[str, Any]) -> None:
    firm = world["b_prospect"]
    with served.client("manager") as manager, served.client("manager_b") as owner, served.client(None) as nobody:
        assert owner.post(f"/api/v1/enterprises/{firm}/take").status_code == 200
        try:
            assert owner.post(f"/api/v1/enterprises/{firm}/outcomes", json=VISIT).status_code == 201
            for method, url, body in (("POST", f"/api/v1/enterprises/{firm}/take", None),
                                      ("DELETE", f"/api/v1/enterprises/{firm}/take", None),
                                      ("POST", f"/api/v1/enterprises/{firm}/outcomes", VISIT),
                                      ("GET", f"/api/v1/enterprises/{firm}/outcomes", None)):
                response = manager.request(method, url, json=body)
                assert response.status_code == 404, (method, url)
                _nothing_of_b(response.text, world, asked=url)
                assert "met the CFO" not in response.text
                assert nobody.request(method, url, json=body).status_code == 401
            for url in ("/api/v1/my/prospects", "/api/v1/my/prospects.csv", "/api/v1/my/prospects.xlsx"):
                response = manager.get(url)
                assert response.status_code == 200 and firm not in response.text, url
            assert manager.get("/api/v1/my/prospects").json() == []
            assert len(owner.get(f"/api/v1/enterprises/{firm}/outcomes").json()) >= 1  # B's own still see it
        finally:
            owner.delete(f"/api/v1/enterprises/{firm}/take")


@pytest.mark.integration
def test_a_signed_in_session_cannot_change_anything_without_a_csrf_token(served: Served,
                                                                         world: dict[str, Any]) -> None:
    firm = world["b_prospect"]
    served.appdb.add_user("session_b", "correct horse battery", "manager", ["0102"])
    token = served.appdb.sign_in("session_b", "correct horse battery", client="127.0.0.1")
    with served.client(None) as browser:
        browser.cookies.set("chainsight_session", token)
        assert browser.get(f"/api/v1/enterprises/{firm}/outcomes").status_code == 200
        assert browser.post(f"/api/v1/enterprises/{firm}/take").status_code == 403
        assert browser.post(f"/api/v1/enterprises/{firm}/outcomes", json=VISIT).status_code == 403
        forged = browser.post(f"/api/v1/enterprises/{firm}/take", headers={"X-CSRF-Token": "forged"})
        assert forged.status_code == 403
        assert served.appdb.claims_of("session_b") == []
        # the token of the session's pages (fetched from a page it opens) lets the session change things
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/").text)
        assert csrf is not None
        header = {"X-CSRF-Token": csrf.group(1)}
        assert browser.post(f"/api/v1/enterprises/{firm}/take", headers=header).json()["manager"] == "session_b"
        recorded = browser.post(f"/api/v1/enterprises/{firm}/outcomes", json=VISIT, headers=header)
        assert recorded.status_code == 201 and recorded.json()["recorded_by"] == "session_b"
        assert browser.delete(f"/api/v1/enterprises/{firm}/take", headers=header).status_code == 204
    assert served.appdb.claims_of("session_b") == []
