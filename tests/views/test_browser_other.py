"""The overview of all cores and an enterprise's neighbourhood in a real headless Chromium.

As for the chain view (test_browser.py): every request other than the page itself is counted and
refused, the drawn network must equal the document's data, and a hostile name must stay text.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pandas as pd
import pytest

from chainsight.graph.stores.local import LocalStore
from chainsight.graph.stores.protocol import Chain
from chainsight.views import neighbourhood_page, overview_page, render_neighbourhood, render_overview

pytestmark = pytest.mark.integration

HOSTILE = "<img src=x onerror=alert(1)>"


def _drawn(v: Any) -> tuple[int, int]:
    """Nodes and edges vis-network actually drew (its body), not just the ones handed to it."""
    return (v.js("chainView.network.body.nodeIndices.length"), v.js("chainView.network.body.edgeIndices.length"))


def _chain(core: str, members: dict[str, str]) -> Chain:
    frame = pd.DataFrame({"core_id": core, "enterprise_id": list(members), "name": list(members.values()),
                          "direction": "up", "tier": 1, "via_id": core, "amount": 1e5, "count": 3,
                          "active_months": 3})
    edges = pd.DataFrame({"payer_id": core, "payee_id": list(members), "amount": 1e5, "count": 3,
                          "active_months": 3})
    return Chain({"enterprise_id": core, "name": f"{core}核心有限公司"}, frame, edges)


def test_overview_of_the_golden_bank(visit: Any, golden_store: LocalStore, expected: ModuleType) -> None:
    v = visit(overview_page(golden_store))
    assert _drawn(v) == (len(expected.CORES), 0)  # one core: nothing to link it to
    core_id = str(golden_store.cores().data["enterprise_id"].iloc[0])
    v.page.fill("#cs-search", "核心制造")
    v.page.click("#cs-find button")
    assert v.js("chainView.focused") == core_id
    assert v.page.text_content("#cs-panel-name") == expected.CORE
    assert v.clipped_headings() == []
    assert v.external == [] and v.dialogs == [] and v.errors == []


def test_overview_links_click_and_a_hostile_core(visit: Any) -> None:
    cores = pd.DataFrame({"enterprise_id": ["A", "B", "C"], "name": [HOSTILE, "乙核心有限公司", "丙核心有限公司"],
                          "rank": [1, 2, 3], "score": [0.9, 0.8, 0.7], "position": [0.5, -0.2, 0.1]})
    chains = {"A": _chain("A", {"x": "x有限公司", "y": "y有限公司"}), "B": _chain("B", {"x": "x有限公司", "y": "y有限公司"}),
              "C": _chain("C", {"y": "y有限公司"})}
    v = visit(render_overview(cores, chains))
    # A–B share x and y, A–C and B–C share y: three links among three cores
    assert _drawn(v) == (3, 3)
    v.js("chainView.fit()")
    v.click_node("B")
    assert v.page.text_content("#cs-panel-name") == "乙核心有限公司"
    assert "2 家共同成员" in v.page.text_content("#cs-panel")
    v.page.click("#cs-close")
    v.hover_node("A")
    assert HOSTILE in v.page.text_content(".vis-tooltip")
    v.page.fill("#cs-search", "onerror")
    v.page.click("#cs-find button")
    assert v.page.text_content("#cs-panel-name") == HOSTILE
    assert v.js("document.querySelectorAll('img').length") == 0
    assert v.external == [] and v.dialogs == [] and v.errors == []


def test_neighbourhood_of_a_golden_supplier(visit: Any, golden_store: LocalStore, expected: ModuleType) -> None:
    members = golden_store.chain(str(golden_store.cores().data["enterprise_id"].iloc[0])).members
    ids = dict(zip(members["name"], members["enterprise_id"]))
    v = visit(neighbourhood_page(golden_store, ids["苏州甲材料有限公司"]))
    # 甲材料, the core paying it and 子矿业 it pays (expected.py); two ties
    assert _drawn(v) == (3, 2)
    v.js("chainView.fit()")
    v.click_node(ids["苏州子矿业有限公司"])
    assert v.page.text_content("#cs-panel-name") == "苏州子矿业有限公司"
    assert "与本企业往来" in v.page.text_content("#cs-panel")
    v.page.fill("#cs-search", "甲材料")
    v.page.click("#cs-find button")
    assert v.js("chainView.focused") == ids["苏州甲材料有限公司"]
    assert "60万元" in v.page.text_content("#cs-panel")
    assert v.clipped_headings() == []
    assert v.external == [] and v.dialogs == [] and v.errors == []


def test_a_hostile_neighbour_is_text(visit: Any) -> None:
    chain = _chain("K", {"me": "本企业有限公司", "X": HOSTILE})
    chain.edges.loc[1, ["payer_id", "payee_id"]] = ["me", "X"]  # me pays X; the core pays me
    card = {"enterprise_id": "me", "name": "本企业有限公司", "is_customer": True, "eligible": True,
            "chains": [{"core_id": "K", "direction": "up", "tier": 1, "amount": 1e5, "dependency": 0.5}],
            "prospects": []}
    v = visit(render_neighbourhood(card, [chain]))
    assert _drawn(v) == (3, 2)
    v.js("chainView.fit()")
    v.hover_node("X")
    assert HOSTILE in v.page.text_content(".vis-tooltip")
    v.click_node("X")
    assert v.page.text_content("#cs-panel-name") == HOSTILE
    assert v.js("document.querySelectorAll('img').length") == 0
    assert v.external == [] and v.dialogs == [] and v.errors == []
