"""The chain view in a real headless Chromium: offline, complete, searchable, clickable, exportable, safe.

Every request the page makes, other than the page itself, is intercepted, counted and refused: a view
that tried to load anything (a CDN script, a font, an image) fails here.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest

from chainsight.graph.stores.local import LocalStore
from chainsight.graph.stores.protocol import Chain, ProspectFilter
from chainsight.views import render_chain

pytestmark = pytest.mark.integration

HOSTILE = "<img src=x onerror=alert(1)>"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "chain.png"


def _golden(store: LocalStore) -> tuple[Chain, pd.DataFrame, str]:
    core_id = str(store.cores().data["enterprise_id"].iloc[0])
    prospects = store.prospects(core_id, filters=ProspectFilter(kinds=None), limit=None).data
    return store.chain(core_id, 2), prospects, core_id


def test_golden_chain_in_a_browser(visit: Any, golden_store: LocalStore, expected: ModuleType) -> None:
    chain, prospects, core_id = _golden(golden_store)
    v = visit(render_chain(chain, prospects))
    ids = dict(zip(chain.members["name"], chain.members["enterprise_id"]))
    assert v.js("chainView.data.headings.length") == 4 and v.clipped_headings() == []  # as first drawn
    # drawn as the chain is: every member and every tie, nothing from outside
    assert v.js("chainView.nodes.length") == 1 + len(chain.members) == 1 + len(expected.MEMBERS)
    assert v.js("chainView.edges.length") == len(chain.edges)
    assert v.js("chainView.network.body.nodeIndices.length") == 1 + len(chain.members)
    assert v.js("chainView.network.body.edgeIndices.length") == len(chain.edges)
    # search focuses the firm and opens its evidence
    v.page.fill("#cs-search", "丁电子")
    v.page.click("#cs-find button")
    assert v.js("chainView.focused") == ids["常州丁电子有限公司"]
    assert v.js("chainView.network.getSelectedNodes()") == [ids["常州丁电子有限公司"]]
    assert v.page.text_content("#cs-panel-name") == "常州丁电子有限公司"
    assert "存款余额缺失或无法识别" in v.page.text_content("#cs-panel")  # G05: blank deposits, not eligible
    # a click on a node shows its evidence
    v.page.click("#cs-close")
    v.js("chainView.network.fit({animation: false})")
    v.click_node(ids["苏州甲材料有限公司"])
    assert v.page.text_content("#cs-panel-name") == "苏州甲材料有限公司"
    panel = v.page.text_content("#cs-panel")
    assert "60万元 · CNY 600k" in panel and "小额无贷户（符合）" in panel and "6 / 6" in panel
    # the filters hide a side
    v.page.click("#cs-panel #cs-close")
    v.page.locator('input[data-key="direction"][data-value="up"]').uncheck()
    downs = int((chain.members["direction"] == "down").sum())
    assert v.js("chainView.nodes.get({filter: n => !n.hidden}).length") == 1 + downs
    v.page.locator('input[data-key="direction"][data-value="up"]').check()
    # the PNG button saves the drawing
    with v.page.expect_download() as download:
        v.page.click("#cs-png")
    png = Path(download.value.path()).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
    # the README's picture: the pointer off the drawing lifts the hover veil; every heading is whole
    v.hover_node(ids["苏州甲材料有限公司"])
    assert v.js("chainView.hovered") == ids["苏州甲材料有限公司"]
    v.page.mouse.move(5, 5, steps=3)
    assert v.js("chainView.hovered") is None
    v.js("chainView.network.unselectAll()")
    v.page.fill("#cs-search", "")
    v.js("chainView.fit()")
    assert v.clipped_headings() == []
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(SCREENSHOT))
    assert v.external == [] and v.dialogs == [] and v.errors == []


def test_a_hostile_name_is_text(visit: Any) -> None:
    members = pd.DataFrame([dict(core_id="K", enterprise_id=eid, name=name, direction=side, tier=1, via_id="K",
                                 amount=6e5, count=6, active_months=6, share_of_core=0.3, dependency=1.0,
                                 is_customer=False, eligible=False)
                            for eid, name, side in (("X", HOSTILE, "up"), ("Y", "</script><script>alert(2)</script>",
                                                                           "down"))])
    edges = pd.DataFrame([dict(payer_id="K", payee_id="X", amount=6e5, count=6, active_months=6),
                          dict(payer_id="Y", payee_id="K", amount=6e5, count=6, active_months=6)])
    v = visit(render_chain(Chain({"enterprise_id": "K", "name": "核心<b>制造</b>"}, members, edges)))
    v.page.fill("#cs-search", "img")
    v.page.click("#cs-find button")
    assert v.page.text_content("#cs-panel-name") == HOSTILE
    v.js("chainView.network.fit({animation: false})")
    box = v.page.locator("#cs-network").bounding_box()
    at = v.js("() => { const n = chainView.network; return n.canvasToDOM(n.getPositions(['X']).X); }")
    v.page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
    v.page.wait_for_selector(".vis-tooltip", state="visible", timeout=5_000)
    assert HOSTILE in v.page.text_content(".vis-tooltip")
    assert v.js("chainView.hovered") == "X"  # its neighbourhood is drawn over the veil
    # the veil: the far side of the drawing (Y, not a neighbour of X) is paler than before the hover
    y_at = v.js("() => { const n = chainView.network; return n.canvasToDOM(n.getPositions(['Y']).Y); }")
    pixel = "p => { const c = document.querySelector('#cs-network canvas'), r = window.devicePixelRatio;" \
            " return Array.from(c.getContext('2d').getImageData(p.x * r, p.y * r, 1, 1).data); }"
    veiled = v.js(pixel, y_at)
    v.page.mouse.move(box["x"] + 5, box["y"] + 5)
    v.page.wait_for_timeout(200)
    assert v.js("chainView.hovered") is None
    plain = v.js(pixel, y_at)
    assert sum(veiled[:3]) > sum(plain[:3])
    assert v.js("document.querySelectorAll('img').length") == 0
    assert v.js("document.querySelectorAll('script').length") == 3  # data, vis-network, ours
    assert v.page.title().startswith("核心<b>制造</b>")
    assert v.dialogs == [] and v.external == [] and v.errors == []


def test_folded_members_open_on_click(visit: Any) -> None:
    n = 400
    ids = [f"U{i:03d}" for i in range(n)]
    members = pd.DataFrame({"core_id": "K", "enterprise_id": ids, "name": [f"供应商{i}有限公司" for i in range(n)],
                            "direction": "up", "tier": 1, "via_id": "K", "amount": 1e5, "count": 3,
                            "active_months": 3, "share_of_core": 0.01, "dependency": 0.5, "is_customer": False,
                            "eligible": False})
    prospects = pd.DataFrame({"core_id": "K", "enterprise_id": ids, "score": [1 - i / n for i in range(n)],
                              "kind": "acquire"})
    edges = pd.DataFrame({"payer_id": "K", "payee_id": ids, "amount": 1e5, "count": 3, "active_months": 3})
    v = visit(render_chain(Chain({"enterprise_id": "K", "name": "核心"}, members, edges), prospects,
                           max_per_side=150))
    assert v.js("chainView.nodes.length") == 1 + 150 + 1          # the core, the best 150, one "+250 more"
    assert v.js("chainView.edges.length") == 150 + 1
    v.js("chainView.network.fit({animation: false})")
    v.click_node("fold:up:1")
    assert v.js("chainView.nodes.length") == 1 + n and v.js("chainView.edges.length") == n
    # a folded firm is found by search too
    v.page.fill("#cs-search", "供应商399有限公司")
    v.page.click("#cs-find button")
    assert v.js("chainView.focused") == "U399"
    assert v.external == [] and v.errors == []
