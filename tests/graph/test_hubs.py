"""Hubs by the shape of their flows, and by a name the shape confirms."""

from __future__ import annotations

import pandas as pd

from chainsight.graph.hubs import HubRules, hub_firms


def _flows() -> pd.DataFrame:
    rows = []
    for i in range(60):  # sixty firms: most of their spend with their own supplier, a bill to U
        rows += [(f"p{i}", f"s{i}", 95.0), (f"p{i}", "U", 5.0)]
    for i in range(25):  # twenty-five firms put a third of their spend with 顺达物流
        rows += [(f"q{i}", "顺达物流有限公司", 30.0), (f"q{i}", f"t{i}", 60.0)]
    for i in range(60):  # a core: sixty suppliers that live on it
        rows += [("K", f"k{i}", 100.0)]
    return pd.DataFrame(rows, columns=["payer_id", "payee_id", "amount"])


def test_shape_and_name() -> None:
    flows = _flows()
    names = pd.Series({f: f for f in set(flows["payer_id"]) | set(flows["payee_id"])})
    hubs = hub_firms(flows, names, HubRules()).set_index("enterprise_id")
    assert hubs.loc["U", "rule"] == "hub_shape" and hubs.loc["U", "side"] == "paid_by"
    # 1/3 of each payer's spend is no sliver: only the name makes it a hub
    assert hubs.loc["顺达物流有限公司", "rule"] == "hub_name"
    assert "K" not in hubs.index  # its payees take all their receipts from it
    assert "顺达物流有限公司" not in hub_firms(flows, None, HubRules()).set_index("enterprise_id").index
