"""The enterprise page over a real served app, and a hostile firm name on every page and view document.

Expected values come from the small bank's analysis, not from the pages' code.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from chainsight.api._deps import SESSION_COOKIE
from chainsight.api.principal import Principal
from chainsight.config import Settings
from chainsight.graph.eligibility import RULES
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore
from tests.api.served import Served, published, serve, served, top_core  # noqa: F401
from tests.api.test_scoping import BRANCH_A, BRANCH_B, _nothing_of_b, world  # noqa: F401

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"
HOSTILE = "<img src=x onerror=alert(1)>"


def _sign_in(served: Served, users: tuple[tuple[str, str, list[str]], ...]) -> dict[str, httpx.Client]:
    clients = {}
    for name, role, branches in users:
        served.appdb.add_user(name, PASSWORD, role, branches)
        token = served.appdb.sign_in(name, PASSWORD, "127.0.0.1")
        assert token is not None
        clients[name] = httpx.Client(base_url=served.url, cookies={SESSION_COOKIE: token}, timeout=60)
    return clients


@pytest.fixture(scope="module")
def users(served: Served) -> Iterator[dict[str, httpx.Client]]:
    clients = _sign_in(served, (("ent_a", "manager", [BRANCH_A]), ("ent_b", "manager", [BRANCH_B]),
                                ("ent_analyst", "analyst", [])))
    yield clients
    for client in clients.values():
        client.close()


def _a_firm(analysis: Analysis, world: dict[str, Any], **where: Any) -> str:
    """A branch-A customer in a chain of a branch-A core, with the given firm attributes."""
    firms = analysis.firms.set_index("enterprise_id")
    members = analysis.members[analysis.members["core_id"].isin(world["a_cores"])]
    for firm in sorted(set(members["enterprise_id"]) & world["a_firms"]):
        if all(firms.loc[firm, k] == v for k, v in where.items()):
            return str(firm)
    raise AssertionError(f"the small bank has no branch-A chain member with {where}")


def test_another_branch_firm_is_a_404_page_with_nothing_of_it(users: dict[str, httpx.Client],
                                                             world: dict[str, Any]) -> None:
    firm = world["b_prospect"]
    for url in (f"/enterprises/{firm}", f"/views/enterprise/{firm}.html"):
        answer = users["ent_a"].get(url)
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html"), url
        assert "无权查看" in answer.text and "Traceback" not in answer.text
        _nothing_of_b(answer.text, world)
        assert firm not in answer.text and world["b_prospect_name"] not in answer.text
        assert users["ent_b"].get(url).status_code == 200, url


def test_the_card_shows_chains_amounts_shares_and_masked_numbers(users: dict[str, httpx.Client],
                                                                 world: dict[str, Any],
                                                                 small_analysis: Analysis) -> None:
    firm = _a_firm(small_analysis, world, eligible=True)
    full = str(small_analysis.firms.set_index("enterprise_id").loc[firm, "customer_id"])
    page = users["ent_a"].get(f"/enterprises/{firm}", params={"lang": "zh"})
    assert page.status_code == 200
    assert full not in page.text and "*" * (len(full) - 4) + full[-4:] in page.text
    assert full in users["ent_analyst"].get(f"/enterprises/{firm}").text
    members = small_analysis.members[(small_analysis.members["enterprise_id"] == firm)
                                     & small_analysis.members["core_id"].isin(world["a_cores"])]
    chains = page.text.split('id="chains"', 1)[1].split("</table>", 1)[0]
    assert set(re.findall(r'href="/cores/([^"]+)"', chains)) == set(members["core_id"])
    for share in members["share_of_core"]:
        assert f"{share:.1%}" in chains
    chart = page.text.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]
    assert chart.count("<rect") == len(members) and "<script" not in chart
    assert "小额无贷户（符合）" in page.text
    _nothing_of_b(page.text, world)


def test_a_firm_that_is_not_eligible_names_the_rule(users: dict[str, httpx.Client], world: dict[str, Any],
                                                    small_analysis: Analysis) -> None:
    firms = small_analysis.firms.set_index("enterprise_id")
    members = small_analysis.members[small_analysis.members["core_id"].isin(world["a_cores"])]
    firm = next(f for f in sorted(set(members["enterprise_id"]) & world["a_firms"])
                if firms.loc[f, "eligibility_rule"] in RULES and firms.loc[f, "eligibility_rule"] != "eligible")
    rule = str(firms.loc[firm, "eligibility_rule"])
    zh = users["ent_a"].get(f"/enterprises/{firm}", params={"lang": "zh"}).text
    en = users["ent_a"].get(f"/enterprises/{firm}", params={"lang": "en"}).text
    assert f"不符合：{RULES[rule][1]}" in zh and html.escape(f"not eligible: {RULES[rule][0]}") in en


def test_claim_and_outcomes_are_shown(users: dict[str, httpx.Client], served: Served, world: dict[str, Any],
                                      small_analysis: Analysis) -> None:
    firm = _a_firm(small_analysis, world, eligible=False)
    wang = Principal(kind="user", id=0, name="ent_a", role="manager", branches=frozenset({BRANCH_A}))
    served.appdb.take(firm, by=wang)
    served.appdb.record_outcome(firm, "declined", on_date=date(2026, 11, 30), note="<b>already banked</b>",
                                reason="价格", follow_up=date(2027, 1, 15), by=wang)
    page = users["ent_a"].get(f"/enterprises/{firm}", params={"lang": "zh"}).text
    assert "ent_a 于" in page and "已拒绝：价格" in page
    assert "2026年11月30日" in page and "2027年1月15日" in page
    assert "&lt;b&gt;already banked&lt;/b&gt;" in page and "<b>already banked" not in page


# -- a hostile name on every page --------------------------------------------------------------


def _renamed(analysis: Analysis, firms: set[str], name: str) -> Analysis:
    """``analysis`` with the firms ``firms`` called ``name`` in every table that carries names."""
    frames = {}
    for field in dataclasses.fields(analysis):
        frame = getattr(analysis, field.name)
        if hasattr(frame, "columns") and "name" in frame.columns and "enterprise_id" in frame.columns:
            frame = frame.copy()
            frame.loc[frame["enterprise_id"].isin(firms), "name"] = name
            frames[field.name] = frame
    return dataclasses.replace(analysis, **frames)


@pytest.fixture(scope="module")
def hostile(small_analysis: Analysis, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[Served, str, str]]:
    """A store of its own where the top core and one of its prospects are named :data:`HOSTILE`."""
    core = str(small_analysis.cores.sort_values("rank")["enterprise_id"].iloc[0])
    rows = small_analysis.prospects
    firm = str(rows[(rows["core_id"] == core) & (rows["kind"] == "acquire")]
               .sort_values("rank")["enterprise_id"].iloc[0])
    db = tmp_path_factory.mktemp("hostile") / "bank.duckdb"
    LocalStore(db).publish(_renamed(small_analysis, {core, firm}, HOSTILE))
    gen = serve(Settings(db_path=db), f"sqlite:///{db.with_suffix('.app.sqlite')}")
    yield next(gen), core, firm
    gen.close()


def test_a_hostile_name_is_text_on_every_page_and_view(hostile: tuple[Served, str, str]) -> None:
    served_, core, firm = hostile
    clients = _sign_in(served_, (("xss_analyst", "analyst", []),))
    client = clients["xss_analyst"]
    escaped = html.escape(HOSTILE, quote=False)
    try:
        for url in ("/", f"/cores/{core}", f"/cores/{core}?kind=acquire", f"/enterprises/{firm}",
                    f"/enterprises/{core}"):
            page = client.get(url)
            assert page.status_code == 200, url
            assert HOSTILE not in page.text and "<img" not in page.text, url
            assert escaped in page.text or html.escape(HOSTILE) in page.text, url
        for url in (f"/views/chain/{core}.html", "/views/overview.html", f"/views/enterprise/{firm}.html"):
            view = client.get(url)
            assert view.status_code == 200 and HOSTILE not in view.text and "<img" not in view.text, url
            assert "\\u003cimg src=x onerror=alert(1)\\u003e" in view.text or escaped in view.text, url
    finally:
        client.close()


def test_the_store_file_of_the_hostile_test_is_its_own(hostile: tuple[Served, str, str], published: Path) -> None:
    assert LocalStore(published).cores().data["name"].ne(HOSTILE).all()


def test_the_monthly_chart_follows_the_analysed_series(users: dict[str, httpx.Client], world: dict[str, Any],
                                                       small_analysis: Analysis) -> None:
    members = small_analysis.members[small_analysis.members["core_id"] == world["a_cores"][0]]
    member = members[members["monthly"].map(lambda s: len(s) > 0 and max(s) > 0)
                     & members["enterprise_id"].isin(world["a_firms"])].iloc[0]
    series = [float(x) for x in member["monthly"]]
    page = users["ent_a"].get(f"/enterprises/{member['enterprise_id']}").text
    charts = re.findall(r'<svg class="chart months".*?</svg>', page, re.DOTALL)
    core_name = str(small_analysis.cores.set_index("enterprise_id").loc[member["core_id"], "name"])
    chart = next(c for c in charts if html.escape(core_name) in c)
    heights = [float(h) for h in re.findall(r'<rect class="bar"[^>]* height="([0-9.]+)"', chart)]
    assert len(heights) == len(series)
    assert heights.index(max(heights)) == series.index(max(series))
    assert [h == 0 for h in heights] == [x == 0 for x in series]
