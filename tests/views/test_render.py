"""The chain drawing as data and as a document, checked without a browser against the golden answers."""

from __future__ import annotations

import json
import re
from types import ModuleType

import pandas as pd
import pytest

from chainsight.graph.stores.local import LocalStore
from chainsight.graph.stores.protocol import Chain, ProspectFilter
from chainsight.views import chain_page, iframe, render_chain
from chainsight.views._chain import chain_data

HOSTILE = '</script><img src=x onerror=alert(1)>'


def _data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="cs-data">(.*?)</script>', html, re.S)
    assert block is not None
    return json.loads(block.group(1))


def _golden(store: LocalStore) -> tuple[Chain, pd.DataFrame]:
    core_id = str(store.cores().data["enterprise_id"].iloc[0])
    chain = store.chain(core_id, 2)
    return chain, store.prospects(core_id, filters=ProspectFilter(kinds=None), limit=None).data


def test_golden_chain_is_drawn_whole_in_columns(golden_store: LocalStore, expected: ModuleType) -> None:
    chain, prospects = _golden(golden_store)
    data = chain_data(chain, prospects)
    nodes = {n["name"]: n for n in data["nodes"]}
    assert set(nodes) == {expected.CORE} | {m[0] for m in expected.MEMBERS}
    assert not data["folds"] and all(n["fold"] is None for n in data["nodes"])
    assert len(data["edges"]) == len(chain.edges) > len(expected.MEMBERS)
    columns = {"up": {1: -1, 2: -2}, "down": {1: 1, 2: 2}}
    for name, direction, tier, via in expected.MEMBERS:
        n = nodes[name]
        assert (n["f"]["direction"], n["f"]["tier"]) == (direction, str(tier))
        # suppliers left of the core, customers right; tier 2 further out than tier 1
        assert n["x"] * columns[direction][tier] > 0
        assert abs(n["x"]) > abs(nodes[via]["x"]) or via == expected.CORE
    assert nodes[expected.CORE]["kind"] == "core" and (nodes[expected.CORE]["x"], nodes[expected.CORE]["y"]) == (0, 0)
    # G02 甲材料 is the one eligible small no-loan customer; the firms at other banks are to acquire
    assert nodes["苏州甲材料有限公司"]["kind"] == "deepen"
    assert {nodes[n]["kind"] for n in ("浙江戊钢铁有限公司", "杭州辛机电有限公司")} == {"acquire"}
    assert nodes["无锡丙商贸有限公司"]["kind"] == "credit_team"
    ev = dict((r[1], r[2]) for r in nodes["苏州甲材料有限公司"]["ev"])
    assert ev["amount"] == "60万元 · CNY 600k" and ev["payments"] == "6" and ev["months active"] == "6 / 6"
    assert ev["eligibility"].startswith("小额无贷户")
    g03 = dict((r[1], r[2]) for r in nodes["苏州乙配件有限公司"]["ev"])
    assert "各客户号存款合计超过上限" in g03["eligibility"]  # deposits 500,100 > 500k: the excluding rule
    assert nodes["苏州甲材料有限公司"]["label"] == "甲材料"


def test_edges_point_with_the_money(golden_store: LocalStore, expected: ModuleType) -> None:
    chain, prospects = _golden(golden_store)
    data = chain_data(chain, prospects)
    ids = {n["name"]: n["id"] for n in data["nodes"]}
    pairs = {(e["from"], e["to"]) for e in data["edges"]}
    assert (ids[expected.CORE], ids["苏州甲材料有限公司"]) in pairs      # the core pays its supplier
    assert (ids["杭州辛机电有限公司"], ids[expected.CORE]) in pairs      # a customer pays the core
    widths = {(e["from"], e["to"]): e["width"] for e in data["edges"]}
    # 辛机电 pays 1.2m, 癸自动化 300k: the wider line carries more money
    assert widths[(ids["杭州辛机电有限公司"], ids[expected.CORE])] > widths[(ids["宁波癸自动化有限公司"], ids[expected.CORE])]


def test_document_is_self_contained(golden_store: LocalStore) -> None:
    core_id = str(golden_store.cores().data["enterprise_id"].iloc[0])
    html = chain_page(golden_store, core_id)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<link" not in html and "@import" not in html and "bootstrap" not in html.lower()
    assert "default-src 'none'" in html  # and the page may not fetch anything even if asked to
    assert "@version 9.1.2" in html


def _one_member_chain(name: str) -> Chain:
    members = pd.DataFrame([dict(core_id="K", enterprise_id="S", name=name, direction="up", tier=1, via_id="K",
                                 amount=6e5, count=6, active_months=6, share_of_core=0.3, dependency=1.0,
                                 is_customer=False, eligible=False)])
    edges = pd.DataFrame([dict(payer_id="K", payee_id="S", amount=6e5, count=6, active_months=6)])
    return Chain({"enterprise_id": "K", "name": "核心\u2028有限公司"}, members, edges)


def test_a_hostile_name_stays_a_string() -> None:
    html = render_chain(_one_member_chain(HOSTILE))
    assert "<img src=x" not in html and HOSTILE not in html
    data = _data(html)
    assert [n["name"] for n in data["nodes"]] == ["核心\u2028有限公司", HOSTILE]
    assert "\u2028" not in html.split('id="cs-data">')[1].split("</script>")[0]


def test_big_columns_fold_past_the_cap() -> None:
    n = 400
    members = pd.DataFrame({"core_id": "K", "enterprise_id": [f"U{i:03d}" for i in range(n)],
                            "name": [f"供应商{i}" for i in range(n)], "direction": "up",
                            "tier": [1] * 300 + [2] * 100, "via_id": ["K"] * 300 + ["U000"] * 100,
                            "amount": 1e5, "count": 3, "active_months": 3, "share_of_core": 0.01,
                            "dependency": 0.5, "is_customer": False, "eligible": False})
    prospects = pd.DataFrame({"core_id": "K", "enterprise_id": members["enterprise_id"],
                              "score": [1 - i / n for i in range(n)], "kind": "acquire"})
    data = chain_data(Chain({"enterprise_id": "K", "name": "核心"}, members, pd.DataFrame(
        columns=["payer_id", "payee_id", "amount", "count", "active_months"])), prospects, max_per_side=150)
    drawn = [x for x in data["nodes"][1:] if x["fold"] is None]
    assert len(drawn) == 150 and {x["id"] for x in drawn} == {f"U{i:03d}" for i in range(150)}  # best scores
    folds = {f["id"]: f for f in data["folds"]}
    assert set(folds) == {"fold:up:1", "fold:up:2"}
    assert len(folds["fold:up:1"]["members"]) == 150 and len(folds["fold:up:2"]["members"]) == 100
    assert folds["fold:up:1"]["label"].startswith("+150")
    ys = {x["id"]: x["y"] for x in data["nodes"]}
    assert min(ys[m] for m in folds["fold:up:1"]["members"]) > folds["fold:up:1"]["y"] > max(
        ys[x["id"]] for x in drawn if x["f"]["tier"] == "1")
    with pytest.raises(ValueError):
        chain_data(_one_member_chain("甲"), max_per_side=0)


def test_iframe_escapes_the_document() -> None:
    html = render_chain(_one_member_chain(HOSTILE), height="500px")
    frame = iframe(html, height=500)
    assert frame.startswith('<iframe srcdoc="') and '"' not in frame[len('<iframe srcdoc="'):frame.index('" style')]
    assert "<script" not in frame
