"""Hubs: firms that pay or are paid by "everyone" — a utility, a logistics firm, a payroll agent, a tax or
social-insurance payee, a bank — recognised by the shape of their flows.

A chain tie matters to the member: a supplier takes a large share of its receipts from its core, a
distributor spends a large share with it. A utility bill or a freight charge is a sliver of every
payer's spend. So a firm is a hub on a side when it has at least ``min_counterparties`` counterparties
on that side and the median of its tie's share of each counterparty's spend (for its payers) or receipts
(for its payees) is below ``max_share`` (rule ``hub_shape``; 0.25 by default: on the demo banks a
planted core's median counterparty puts 0.61–0.95 of its spend or receipts with it, a utility's or
a freight forwarder's 0.12–0.18). A name that says what the firm is
(``name_keywords``: 供电, 水务, 物流, 税务 …) is a hint that the shape confirms with a looser share,
``name_max_share``, and ``name_min_counterparties`` (rule ``hub_name``).

Examples
--------
>>> import pandas as pd
>>> payers = [f"p{i}" for i in range(40)]
>>> flows = pd.DataFrame({"payer_id": payers + payers, "payee_id": ["U"] * 40 + ["S"] * 40,
...                       "amount": [1.0] * 40 + [99.0] * 40})
>>> hub_firms(flows, None, HubRules(min_counterparties=30))[["enterprise_id", "rule", "side"]].values.tolist()
[['U', 'hub_shape', 'paid_by']]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["HUB_COLUMNS", "HubRules", "hub_firms"]

HUB_COLUMNS = ("enterprise_id", "rule", "side", "n_counterparties", "median_share")


class HubRules(BaseModel):
    """When a firm is a hub (neither a core nor a chain member unless the chain or core rules say so)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_counterparties: int = Field(50, ge=1, description="a hub has at least this many payers (or payees)")
    max_share: float = Field(0.25, ge=0, le=1, description="…and its median tie is below this share of a "
                                                         "counterparty's spend (or receipts)")
    name_keywords: tuple[str, ...] = Field(
        ("供电", "电力公司", "电网", "水务", "自来水", "燃气", "热力", "物流", "快递", "货运", "速运", "税务",
         "社会保险", "社保", "人力资源", "劳务派遣", "薪酬", "银行", "通信", "电信", "移动通信"),
        description="words in a name that say a firm serves everyone")
    name_min_counterparties: int = Field(20, ge=1)
    name_max_share: float = Field(0.4, ge=0, le=1)


def _side(flows: pd.DataFrame, firm_col: str, other_col: str, totals: pd.Series) -> pd.DataFrame:
    """Per firm on one side: distinct counterparties and the median share of their totals."""
    total = totals.reindex(flows[other_col]).to_numpy(float)
    share = flows["amount"].to_numpy(float) / np.where(total > 0, total, np.nan)
    ties = pd.DataFrame({"enterprise_id": flows[firm_col].to_numpy(), "share": share})
    stats: pd.DataFrame = ties.groupby("enterprise_id").agg(n_counterparties=("share", "size"),
                                                            median_share=("share", "median"))
    return stats


def hub_firms(flows: pd.DataFrame, names: pd.Series | None, rules: HubRules) -> pd.DataFrame:
    """The hubs among the firms of ``flows`` (``payer_id, payee_id, amount``), one row each.

    Returns ``HUB_COLUMNS``: the rule (``hub_shape`` or ``hub_name``), the side that made it a hub
    (``paid_by``: many payers; ``pays``: many payees), its counterparties and their median share.
    """
    spend = flows.groupby("payer_id")["amount"].sum()
    receipts = flows.groupby("payee_id")["amount"].sum()
    found = []
    for side, firm_col, other_col, totals in (("paid_by", "payee_id", "payer_id", spend),
                                              ("pays", "payer_id", "payee_id", receipts)):
        stats = _side(flows, firm_col, other_col, totals).reset_index().assign(side=side)
        shape = (stats["n_counterparties"] >= rules.min_counterparties) & (stats["median_share"] < rules.max_share)
        named = pd.Series(False, index=stats.index)
        if names is not None and rules.name_keywords:
            label = names.reindex(stats["enterprise_id"]).fillna("").astype(str).to_numpy()
            hint = np.array([any(k in n for k in rules.name_keywords) for n in label], dtype=bool)
            named = pd.Series(hint, index=stats.index) & (
                stats["n_counterparties"] >= rules.name_min_counterparties) & (
                stats["median_share"] < rules.name_max_share)
        stats["rule"] = np.where(shape, "hub_shape", "hub_name")
        found.append(stats[shape | named])
    hubs = pd.concat(found, ignore_index=True).sort_values(["enterprise_id", "rule", "side"], kind="mergesort")
    return hubs.drop_duplicates("enterprise_id").reset_index(drop=True)[list(HUB_COLUMNS)]
