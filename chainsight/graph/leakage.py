"""Where a core's money leaves the bank (leakage), and which of its relationships changed lately (alerts).

A core's **payments** are the flows where it is the payer (to its suppliers, ``up``); its **receipts**
the flows where it is the payee (from its buyers, ``down``). The counterparty's side of a flow is
*ours* for the part that ran through accounts held with us (``amount_payee_ours`` for a supplier,
``amount_payer_ours`` for a buyer; NaN counts as 0); the rest is *off-us* (他行): money that a
relationship manager could bring to the bank. Pure functions over DataFrames.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from chainsight._format import money_en as _money_en, money_zh as _money_zh

__all__ = ["ALERT_KINDS", "SEVERITIES", "AlertRules", "alerts", "leakage"]

ALERT_KINDS = ("moved_bank", "stopped", "share_drop", "new_counterparty")
SEVERITIES = ("high", "medium", "low")
SUMMARY_COLUMNS = ["core_id", "paid_total", "paid_offus", "paid_offus_share", "received_total",
                   "received_offus", "received_offus_share", "n_external_counterparties"]
TOP_COLUMNS = ["core_id", "enterprise_id", "name", "direction", "amount_offus", "share_of_core", "rank"]
ALERT_COLUMNS = ["core_id", "enterprise_id", "name", "direction", "kind", "severity", "previous_amount",
                 "recent_amount", "previous_share", "recent_share", "detail_en", "detail_zh"]
_KEY = ["core_id", "enterprise_id", "direction"]


class AlertRules(BaseModel):
    """Windows and thresholds of :func:`alerts`.

    >>> AlertRules().recent_months, AlertRules(share_drop=0.2).share_drop
    (3, 0.2)
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
    recent_months: int = Field(default=3, ge=1)
    """The recent window: the last N months of the data."""
    previous_months: int = Field(default=3, ge=1)
    """The previous window: the M months just before the recent one."""
    share_drop: float = Field(default=0.10, gt=0, le=1)
    """``share_drop`` fires when the share of the core's spend/receipts falls by more than this."""
    min_amount: float = Field(default=10_000.0, ge=0)
    """Ignore relationships whose larger window amount is below this (CNY; a dataset in another currency
    states it in its own)."""
    moved_bank_share: float = Field(default=0.5, ge=0, lt=1)
    """``moved_bank``: ours share above this before, off-us share above this now."""
    high_share: float = Field(default=0.05, ge=0, le=1)
    """Severity ``high`` when the relationship is at least this share of the core's spend or receipts
    (a core with a thousand counterparties rarely has a tier-1 tie above 5 %) ..."""
    medium_share: float = Field(default=0.01, ge=0, le=1)
    """... ``medium`` from this share; below it ``low``."""

    @model_validator(mode="after")
    def _ordered(self) -> AlertRules:
        if self.medium_share > self.high_share:
            raise ValueError("medium_share must not exceed high_share")
        return self


def _ties(flows: pd.DataFrame, core_ids: list[str], keep: list[str]) -> pd.DataFrame:
    """The cores' direct ties, one row per flow: core_id, enterprise_id, direction, amount, ours, *keep."""
    cores = set(core_ids)
    f = flows[flows["payer_id"] != flows["payee_id"]]
    parts = []
    for direction, core_col, other_col, ours_col in (("up", "payer_id", "payee_id", "amount_payee_ours"),
                                                     ("down", "payee_id", "payer_id", "amount_payer_ours")):
        side = f[f[core_col].isin(cores)]
        amount = pd.to_numeric(side["amount"], errors="coerce").fillna(0.0).to_numpy(np.float64)
        ours = pd.to_numeric(side[ours_col], errors="coerce").fillna(0.0).to_numpy(np.float64)
        parts.append(pd.DataFrame({"core_id": side[core_col].to_numpy(object),
                                   "enterprise_id": side[other_col].to_numpy(object), "direction": direction,
                                   "amount": amount, "ours": np.clip(ours, 0.0, amount),
                                   **{k: side[k].to_numpy() for k in keep}}))
    return pd.concat(parts, ignore_index=True)


def _names(ids: pd.Series, names: pd.Series) -> pd.Series:
    found = ids.map(names).astype(object)
    return found.where(found.notna(), ids.astype(object))


def leakage(flows: pd.DataFrame, core_ids: list[str], names: pd.Series,
            top: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Off-us shares of each core's payments and receipts, and its largest off-us counterparties.

    Parameters
    ----------
    flows : payer -> payee edges with ``amount``, ``amount_payer_ours``, ``amount_payee_ours``
    core_ids : the cores to report, one summary row each (zeros when they have no flows)
    names : enterprise name by enterprise_id (a missing name shows the id)
    top : largest off-us counterparties kept per core and direction

    Returns
    -------
    summary, top_counterparties : pandas.DataFrame, pandas.DataFrame
        ``summary`` by core_id; ``*_offus_share`` is NaN when the total is 0;
        ``n_external_counterparties`` counts firms with any off-us amount on either side.
        ``top_counterparties`` by core_id, direction, rank (1 = most off-us money, ties by
        enterprise_id); ``share_of_core`` is the off-us amount over the core's spend (``up``)
        or receipts (``down``).

    Examples
    --------
    >>> flows = pd.DataFrame({"payer_id": ["K", "K", "B"], "payee_id": ["S", "T", "K"],
    ...     "amount": [100.0, 300.0, 50.0], "count": [1, 1, 1], "active_months": [1, 1, 1],
    ...     "amount_payer_ours": [100.0, 300.0, 10.0], "amount_payee_ours": [100.0, 0.0, 50.0]})
    >>> summary, top = leakage(flows, ["K"], pd.Series({"T": "丙公司"}))
    >>> summary[["paid_total", "paid_offus_share", "received_offus_share"]].values.tolist()
    [[400.0, 0.75, 0.8]]
    >>> summary["n_external_counterparties"].tolist()
    [2]
    >>> top[["enterprise_id", "name", "direction", "amount_offus", "share_of_core", "rank"]].values.tolist()
    [['B', 'B', 'down', 40.0, 0.8, 1], ['T', '丙公司', 'up', 300.0, 0.75, 1]]
    """
    ties = _ties(flows, core_ids, [])
    ties["offus"] = ties["amount"] - ties["ours"]
    per = ties.groupby(_KEY, as_index=False)[["amount", "offus"]].sum()
    totals = per.groupby(["core_id", "direction"])[["amount", "offus"]].sum()
    cores = sorted(set(core_ids))
    summary = pd.DataFrame({"core_id": cores})
    for direction, label in (("up", "paid"), ("down", "received")):
        side = totals.reindex(pd.MultiIndex.from_product([cores, [direction]], names=["core_id", "direction"]))
        total = side["amount"].fillna(0.0).to_numpy(np.float64)
        offus = side["offus"].fillna(0.0).to_numpy(np.float64)
        summary[f"{label}_total"], summary[f"{label}_offus"] = total, offus
        summary[f"{label}_offus_share"] = np.divide(offus, total, out=np.full(len(cores), np.nan),
                                                    where=total > 0)
    external = per[per["offus"] > 0]
    summary["n_external_counterparties"] = (external.groupby("core_id")["enterprise_id"].nunique()
                                            .reindex(cores).fillna(0).to_numpy(np.int64))
    idx = pd.MultiIndex.from_frame(external[["core_id", "direction"]])
    side_total = totals["amount"].reindex(idx).to_numpy(np.float64)
    best = external.assign(amount_offus=external["offus"], share_of_core=external["offus"].to_numpy() / side_total,
                           name=_names(external["enterprise_id"], names))
    best = best.sort_values(["core_id", "direction", "amount_offus", "enterprise_id"],
                            ascending=[True, True, False, True], ignore_index=True)
    best["rank"] = best.groupby(["core_id", "direction"]).cumcount().to_numpy(np.int64) + 1
    best = best[best["rank"] <= top].reset_index(drop=True)
    return summary[SUMMARY_COLUMNS], best[TOP_COLUMNS]


def _month_index(month: pd.Series) -> np.ndarray:
    when = pd.to_datetime(month)
    return (when.dt.year * 12 + when.dt.month - 1).to_numpy(np.int64)


def alerts(flow_months: pd.DataFrame, core_ids: list[str], names: pd.Series, rules: AlertRules,
           currency: str = "CNY") -> pd.DataFrame:
    """Changes in each core's tier-1 relationships between the previous and the recent window.

    Both windows end at the latest month in ``flow_months``: recent = its last ``recent_months``
    months, previous = the ``previous_months`` before them. Per core, counterparty and direction:

    * ``new_counterparty``: trade in the recent window and none at any time before it;
    * ``stopped``: trade in the previous window, none in the recent one;
    * ``share_drop``: still trading, but its share of the core's spend (``up``) or receipts
      (``down``) fell by more than ``share_drop`` (e.g. 0.10 = 10 percentage points);
    * ``moved_bank``: trading in both windows; the counterparty's side ran more than
      ``moved_bank_share`` through our accounts before and more than that through other banks now.

    Relationships whose larger window amount is below ``min_amount`` are ignored. Severity from the
    share at stake, the larger of the two window shares: ``high`` >= ``high_share``, ``medium`` >=
    ``medium_share``, else ``low``; a new counterparty (an opening, not a loss) is at most
    ``medium``, a move to another bank (business already leaving) at least ``medium``. Sorted by
    core_id, severity, kind (``ALERT_KINDS`` order), enterprise_id, direction.

    Examples
    --------
    >>> months = pd.to_datetime(["2024-01-01", "2024-04-01", "2024-04-01"])
    >>> fm = pd.DataFrame({"payer_id": ["K", "K", "K"], "payee_id": ["S", "T", "S"], "month": months,
    ...     "amount": [5e5, 4e5, 0.0], "count": [1, 1, 0], "amount_payer_ours": 0.0, "amount_payee_ours": 0.0})
    >>> out = alerts(fm, ["K"], pd.Series(dtype=object), AlertRules(recent_months=1, previous_months=3))
    >>> out[["enterprise_id", "kind", "severity", "previous_share", "recent_share"]].values.tolist()
    [['S', 'stopped', 'high', 1.0, 0.0], ['T', 'new_counterparty', 'medium', 0.0, 1.0]]
    """
    if flow_months.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    ties = _ties(flow_months.assign(m=_month_index(flow_months["month"])), core_ids, ["m"])
    end = int(_month_index(flow_months["month"]).max())
    start = end - rules.recent_months  # recent window: (start, end]
    recent, before = ties["m"] > start, ties["m"] <= start
    previous = before & (ties["m"] > start - rules.previous_months)
    ties = ties.assign(prev=np.where(previous, ties["amount"], 0.0), rec=np.where(recent, ties["amount"], 0.0),
                       prev_ours=np.where(previous, ties["ours"], 0.0), rec_ours=np.where(recent, ties["ours"], 0.0),
                       before=np.where(before, ties["amount"], 0.0))
    a = ties.groupby(_KEY, as_index=False)[["prev", "rec", "prev_ours", "rec_ours", "before"]].sum()
    side = a.groupby(["core_id", "direction"])[["prev", "rec"]].transform("sum")
    a["previous_share"] = np.divide(a["prev"], side["prev"], out=np.zeros(len(a)), where=side["prev"] > 0)
    a["recent_share"] = np.divide(a["rec"], side["rec"], out=np.zeros(len(a)), where=side["rec"] > 0)
    larger = np.maximum(a["prev"], a["rec"])
    a = a[(larger >= rules.min_amount) & (larger > 0)].reset_index(drop=True)
    a["ours_before"] = np.divide(a["prev_ours"], a["prev"], out=np.zeros(len(a)), where=a["prev"] > 0)
    a["offus_now"] = 1 - np.divide(a["rec_ours"], a["rec"], out=np.ones(len(a)), where=a["rec"] > 0)
    both = (a["prev"] > 0) & (a["rec"] > 0)
    fired = {
        "new_counterparty": (a["rec"] > 0) & (a["before"] <= 0),
        "stopped": (a["prev"] > 0) & (a["rec"] <= 0),
        "share_drop": both & (a["previous_share"] - a["recent_share"] > rules.share_drop),
        "moved_bank": both & (a["ours_before"] > rules.moved_bank_share)
        & (a["offus_now"] > rules.moved_bank_share),
    }
    rows = pd.concat([a[mask].assign(kind=kind) for kind, mask in fired.items()], ignore_index=True)
    if rows.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    stake = np.maximum(rows["previous_share"].to_numpy(np.float64), rows["recent_share"].to_numpy(np.float64))
    level = np.select([stake >= rules.high_share, stake >= rules.medium_share], [0, 1], 2)
    level = np.where(rows["kind"] == "new_counterparty", np.maximum(level, 1), level)
    level = np.where(rows["kind"] == "moved_bank", np.minimum(level, 1), level)
    rows["severity"] = np.array(SEVERITIES, dtype=object)[level]
    rows["name"] = _names(rows["enterprise_id"], names)
    rows = rows.rename(columns={"prev": "previous_amount", "rec": "recent_amount"})
    rows["detail_en"], rows["detail_zh"] = zip(*(_detail(r, rules, currency) for r in rows.itertuples(index=False)))
    rows = rows.assign(_s=level, _k=rows["kind"].map({k: i for i, k in enumerate(ALERT_KINDS)}))
    rows = rows.sort_values(["core_id", "_s", "_k", "enterprise_id", "direction"], ignore_index=True)
    return rows[ALERT_COLUMNS]


def _detail(r: Any, rules: AlertRules, currency: str = "CNY") -> tuple[str, str]:
    """One English and one Chinese sentence for an alert row (``r`` is a row of the alert frame)."""
    money_en, money_zh = partial(_money_en, currency=currency), partial(_money_zh, currency=currency)
    up = r.direction == "up"
    side, side_zh = ("spend", "采购额") if up else ("receipts", "销售收款")
    role, role_zh = ("supplier", "供应商") if up else ("buyer", "客户")
    p, n = rules.previous_months, rules.recent_months
    prev, rec, ps, rs, kind = r.previous_amount, r.recent_amount, r.previous_share, r.recent_share, r.kind
    if kind == "new_counterparty":
        return (f"New {role}: {money_en(rec)} in the last {n} months ({rs:.1%} of the core's {side}), "
                f"no trade before.",
                f"新增{role_zh}：近{n}个月交易{money_zh(rec)}（占核心企业{side_zh}的{rs:.1%}），此前无交易。")
    if kind == "stopped":
        return (f"{role.capitalize()} stopped: {money_en(prev)} in the previous {p} months ({ps:.1%} of the "
                f"core's {side}), nothing in the last {n}.",
                f"{role_zh}交易中断：前{p}个月交易{money_zh(prev)}（占核心企业{side_zh}的{ps:.1%}），近{n}个月无交易。")
    if kind == "share_drop":
        pts = (ps - rs) * 100
        return (f"Share of the core's {side} fell from {ps:.1%} to {rs:.1%} ({pts:.1f} points): "
                f"{money_en(prev)} in the previous {p} months, {money_en(rec)} in the last {n}.",
                f"占核心企业{side_zh}的比例由{ps:.1%}降至{rs:.1%}（下降{pts:.1f}个百分点）："
                f"前{p}个月{money_zh(prev)}，近{n}个月{money_zh(rec)}。")
    ob, on = r.ours_before, r.offus_now
    return (f"Moved banks: {ob:.0%} of its side ran through our accounts in the previous {p} months, "
            f"{on:.0%} through other banks in the last {n} ({money_en(rec * on)}).",
            f"资金转移他行：前{p}个月{ob:.0%}经我行账户，近{n}个月{on:.0%}经他行（{money_zh(rec * on)}）。")
