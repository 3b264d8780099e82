"""Cross-branch attempts on every data route: a manager of branch A gets nothing of branch B.

The expected answers come from the analysis itself (which firm is whose customer, which core is in
which branch), not from the access rule under test. ``ATTEMPTS`` is the routes × attempts table the
closing note reports.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pandas as pd
import pytest

from chainsight.api.principal import Principal
from chainsight.graph.result import Analysis
from tests.api.served import BRANCH_A, BRANCH_B, Served, published, served, top_core  # noqa: F401

pytestmark = pytest.mark.integration


def _customers(analysis: Analysis) -> pd.DataFrame:
    firms = analysis.firms
    return firms[firms["is_customer"].fillna(False).astype(bool)].set_index("enterprise_id")


@pytest.fixture(scope="module")
def world(small_analysis: Analysis) -> dict[str, Any]:
    """Branch B's customers and cores, and one B core with a B customer in its prospects."""
    customers = _customers(small_analysis)
    b_firms = set(customers.index[customers["branch"] == BRANCH_B])
    a_firms = set(customers.index[customers["branch"] == BRANCH_A])
    cores = small_analysis.cores["enterprise_id"].astype(str)
    b_cores = [c for c in cores if c in b_firms]
    a_cores = [c for c in cores if c in a_firms]
    prospects = small_analysis.prospects
    b_prospects = prospects[prospects["enterprise_id"].isin(b_firms)]
    other_bank = prospects[~prospects["is_customer"].fillna(False).astype(bool)
                           & prospects["core_id"].isin(b_cores)
                           & ~prospects["enterprise_id"].isin(prospects[prospects["core_id"].isin(a_cores)]
                                                              ["enterprise_id"])]
    assert b_cores and a_cores and len(b_prospects) and len(other_bank), "the small bank lacks a case"
    names = {str(n) for n in small_analysis.firms.set_index("enterprise_id").loc[list(b_firms), "name"]
             if isinstance(n, str) and len(n) >= 6}
    return {"b_firms": b_firms, "a_firms": a_firms, "b_cores": b_cores, "a_cores": a_cores,
            "b_names": names, "b_prospect": str(b_prospects["enterprise_id"].iloc[0]),
            "b_prospect_name": str(b_prospects["name"].iloc[0]), "other_bank_of_b": str(other_bank["enterprise_id"].iloc[0])}


def _nothing_of_b(text: str, world: dict[str, Any], *, asked: str = "") -> None:
    """No name and no id of a branch-B firm in ``text`` (except the id the caller ``asked`` for)."""
    leaked = sorted(n for n in world["b_names"] if n in text)
    assert not leaked, f"branch B firms leaked: {leaked[:5]}"
    assert not [f for f in world["b_firms"] if f in text and f not in asked]


def _xlsx_text(content: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


#: routes × attempts: how a manager of branch A tries to reach branch B's firms.
ATTEMPTS = {
    "by id": ["/api/v1/enterprises/{b_prospect}", "/api/v1/enterprises/{b_prospect}/links",
              "/api/v1/cores/{b_core}", "/api/v1/cores/{b_core}/chain",
              "/api/v1/cores/{b_core}/prospects", "/api/v1/cores/{b_core}/leakage",
              "/api/v1/cores/{b_core}/chain.csv", "/api/v1/cores/{b_core}/prospects.xlsx",
              "/api/v1/alerts?core_id={b_core}"],
    "by filter": ["/api/v1/prospects?branch=" + BRANCH_B, "/api/v1/cores/{a_core}/prospects?branch=" + BRANCH_B,
                  "/api/v1/prospects.csv?branch=" + BRANCH_B],
    "by name search": ["/api/v1/prospects?name={b_prospect_name}", "/api/v1/cores?q={b_core_name}",
                       "/api/v1/cores?q={b_core}"],
}


def test_by_id_is_not_found(served: Served, world: dict[str, Any], small_analysis: Analysis) -> None:
    fill = {"b_prospect": world["b_prospect"], "b_core": world["b_cores"][0]}
    with served.client("manager") as manager, served.client("manager_b") as owner:
        for route in ATTEMPTS["by id"]:
            url = route.format(**fill)
            response = manager.get(url)
            assert response.status_code == 404, url
            _nothing_of_b(response.text, world, asked=url)
            assert owner.get(url).status_code == 200, url  # the route works for B's own manager


def test_filters_and_name_search_find_nothing(served: Served, world: dict[str, Any],
                                              small_analysis: Analysis) -> None:
    b_core = world["b_cores"][0]
    fill = {"a_core": world["a_cores"][0], "b_prospect_name": world["b_prospect_name"], "b_core": b_core,
            "b_core_name": str(small_analysis.cores.set_index("enterprise_id").loc[b_core, "name"])}
    with served.client("manager") as manager, served.client("analyst") as analyst:
        for route in ATTEMPTS["by filter"] + ATTEMPTS["by name search"]:
            url = route.format(**fill)
            response = manager.get(url)
            assert response.status_code == 200, url
            is_csv = url.split("?")[0].endswith(".csv")
            if is_csv:
                assert len(response.text.strip().splitlines()) == 2, url  # header and watermark only
            else:
                assert response.json()["count"] == 0 and response.json()["data"] == [], url
            _nothing_of_b(response.text, world, asked=url)
            wide = analyst.get(url)
            assert wide.status_code == 200 and (is_csv or wide.json()["count"] > 0), url


def test_lists_chains_alerts_leakage_and_exports_hold_only_visible_firms(
        served: Served, world: dict[str, Any], small_analysis: Analysis) -> None:
    customers = _customers(small_analysis)
    branch_of_core = {c: customers["branch"].get(c) for c in small_analysis.cores["enterprise_id"]}
    a_core = world["a_cores"][0]
    with served.client("manager") as manager:
        rows = manager.get("/api/v1/prospects", params={"kind": ["deepen", "acquire", "credit_team", "existing"],
                                                        "limit": 1000}).json()["data"]
        assert rows, "a manager of A sees A's prospects"
        for row in rows:
            if row["enterprise_id"] in customers.index:
                assert customers.loc[row["enterprise_id"], "branch"] == BRANCH_A
            else:
                assert branch_of_core[row["core_id"]] == BRANCH_A
        texts = [manager.get(u).text for u in (
            f"/api/v1/cores/{a_core}/chain?depth=3", f"/api/v1/cores/{a_core}/leakage", "/api/v1/alerts?limit=1000",
            "/api/v1/cores?limit=1000", "/api/v1/prospects.csv?limit=100000", "/api/v1/alerts.csv",
            f"/api/v1/cores/{a_core}/chain.csv?depth=3", f"/api/v1/cores/{a_core}/leakage.csv")]
        texts += [_xlsx_text(manager.get(u).content) for u in (
            "/api/v1/prospects.xlsx?limit=100000", "/api/v1/alerts.xlsx", "/api/v1/cores/export.xlsx",
            f"/api/v1/cores/{a_core}/chain.xlsx?depth=3", f"/api/v1/cores/{a_core}/prospects.xlsx")]
        for text in texts:
            _nothing_of_b(text, world)
        cores = manager.get("/api/v1/cores").json()
        assert {c["enterprise_id"] for c in cores["data"]} == set(world["a_cores"])
        alerts = manager.get("/api/v1/alerts", params={"limit": 1000}).json()["data"]
        assert all(a["core_id"] in world["a_cores"] for a in alerts)


def test_an_admin_assignment_makes_a_firm_visible(served: Served, world: dict[str, Any]) -> None:
    firm = world["other_bank_of_b"]
    admin = Principal(kind="user", id=0, name="root", role="admin", branches=frozenset())
    with served.client("manager") as manager:
        assert manager.get(f"/api/v1/enterprises/{firm}").status_code == 404
        served.appdb.assign(firm, branch=BRANCH_A, by=admin)
        try:
            card = manager.get(f"/api/v1/enterprises/{firm}")
            assert card.status_code == 200 and card.json()["enterprise_id"] == firm
            assert card.json()["chains"] == []  # its chains are B's cores: still not shown
        finally:
            served.appdb.assign(firm, by=admin)


def test_managers_see_record_numbers_masked(served: Served, world: dict[str, Any],
                                            small_analysis: Analysis) -> None:
    firm = sorted(f for f in world["a_firms"] if f in set(small_analysis.prospects["enterprise_id"]))[0]
    full = str(small_analysis.firms.set_index("enterprise_id").loc[firm, "customer_id"])
    with served.client("manager") as manager, served.client("analyst") as analyst:
        seen = manager.get(f"/api/v1/enterprises/{firm}").json()
        assert seen["customer_id"] == "*" * (len(full) - 4) + full[-4:]
        records = [r for p in seen["prospects"] for r in (p["evidence"] or {}).get("records") or []]
        assert records and all(r["customer_id"].startswith("****") for r in records)
        assert full not in manager.get(f"/api/v1/enterprises/{firm}").text
        assert analyst.get(f"/api/v1/enterprises/{firm}").json()["customer_id"] == full


def test_why_merged_masks_accounts_for_managers_and_is_audited(served: Served, world: dict[str, Any],
                                                               small_analysis: Analysis) -> None:
    links = small_analysis.entity_links
    firm = sorted(set(links.loc[links["rule"] == "our_account", "enterprise_id"]) & world["a_firms"])[0]
    mine = links[links["enterprise_id"] == firm]
    accounts = [a for a in mine["account"] if isinstance(a, str)]
    assert accounts and all(len(a) > 4 for a in accounts)
    with served.client("manager") as manager, served.client("analyst") as analyst:
        seen = manager.get(f"/api/v1/enterprises/{firm}/links")
        assert seen.status_code == 200 and seen.json()["count"] == len(mine)
        assert {r["rule"] for r in seen.json()["data"]} == set(mine["rule"])
        for account in accounts:
            assert account not in seen.text
        assert sorted(r["account"] for r in seen.json()["data"] if r["account"]) == \
            sorted("*" * (len(a) - 4) + a[-4:] for a in accounts)
        entry = served.appdb.list_audit(limit=1, user="manager")[0]
        assert (entry.route, entry.rows, entry.status) == (f"/api/v1/enterprises/{firm}/links", len(mine), 200)
        full = analyst.get(f"/api/v1/enterprises/{firm}/links").json()["data"]
        assert sorted(r["account"] for r in full if r["account"]) == sorted(accounts)
