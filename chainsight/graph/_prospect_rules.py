"""Vectorised rules behind :func:`chainsight.graph.prospects.rank_prospects`.

Functions take whole columns and return arrays of the same length, so 100k chain members are scored
without a Python loop. Thresholds (defaults in brackets) come from ``ProspectScoring``.

* **Score** = sum(w * c) / sum(w) over seven components in [0, 1]: ``strength`` log1p(amount / s) /
  log1p(largest member amount of the core / s), s = 10k CNY; ``regularity`` active months / months;
  ``dependency``; ``tier_decay`` = ppr; ``multi_core`` (n_cores - 1) / (4 - 1); ``growth``
  (trend + 1) / 2; ``tier_gap`` deposits / next tier above them (our customers; else 0).
* **Segment**, first that holds; every rule but the last needs our customer: ``closure_warning`` an
  account closed, or balances down >= 80 % (recent 3 months vs earlier); ``tier_threshold`` deposits
  >= 0.8 x next tier; ``volatile_active`` balance CV >= 0.5 over >= 3 months and trade in >= 50 % of
  months; ``low_yield`` deposits < 10k or < 10 % of the average monthly trade; else ``chain_potential``.
* **Stage** of the balance series (customers with a positive balance) or else the monthly trade
  series; recent = last 3 months, earlier = months since the first non-zero one before them; first
  that holds: ``lost`` nothing recently; ``entry`` started <= 3 months ago; ``warning`` recent <=
  0.7 x earlier; ``growth`` recent >= 1.2 x earlier; else ``stable``.
* **Products**, minus those held: 企业网银 not signed; 结算套餐 trade in >= 75 % of months and >= 12
  payments; 现金管理 amount >= 10m, >= 3 accounts with us or >= 3 chains; 法人理财 (customers) lowest
  month-end balance >= 100k or CV >= 0.5; 交易银行 + 贸易融资 tier 1 with dependency >= 0.3;
  账户信使 customers trading in >= 50 % of months.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainsight.graph._prospect_scoring import ProspectScoring

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]

#: Products in the order they are suggested.
PRODUCTS = ("企业网银", "结算套餐", "现金管理", "法人理财", "交易银行", "贸易融资", "账户信使")
SEGMENTS = {"closure_warning": "销户预警", "tier_threshold": "分段临界", "volatile_active": "波动有效",
            "low_yield": "低效潜在", "chain_potential": "上下游潜力"}
STAGES = {"entry": "进入", "growth": "成长", "stable": "稳定", "warning": "预警", "lost": "流失"}


def left_padded(series: Iterable[object]) -> FloatArray:
    """Stack monthly series (oldest first) into a matrix, zero-padding short ones on the left.

    The last column is the latest month for every row; a missing value counts as no money.

    >>> left_padded([[1, 2], [3]]).tolist()
    [[1.0, 2.0], [0.0, 3.0]]
    """
    rows = [np.atleast_1d(np.asarray(s if s is not None else [], dtype=np.float64)) for s in series]
    width = max((r.size for r in rows), default=0)
    out = np.zeros((len(rows), width))
    for i, r in enumerate(rows):
        if r.size:
            out[i, width - r.size:] = r
    return np.nan_to_num(out, nan=0.0)


class SeriesStats(NamedTuple):
    """Recent against earlier level of monthly series, one value per row."""

    recent: FloatArray  # mean of the last ``recent_months`` months
    earlier: FloatArray  # mean from the first non-zero month to the start of the recent window; NaN if none
    started: BoolArray  # any non-zero month at all
    age: IntArray  # months from the first non-zero month to the end, inclusive (0 if never)


def series_stats(x: FloatArray, recent_months: int) -> SeriesStats:
    """Compare the recent window with the months before it, ignoring months before activity began.

    >>> s = series_stats(np.array([[0, 4, 4, 1, 1.0], [0, 0, 0, 0, 0.0]]), 2)
    >>> s.recent.tolist(), s.earlier.tolist(), s.started.tolist(), s.age.tolist()
    ([1.0, 0.0], [4.0, nan], [True, False], [4, 0])
    """
    x = np.clip(np.nan_to_num(x, nan=0.0), 0.0, None)
    n, width = x.shape
    r = min(recent_months, width)
    nonzero = x > 0
    started: BoolArray = np.asarray(nonzero.any(axis=1), dtype=bool)
    first = np.where(started, nonzero.argmax(axis=1) if width else 0, width)
    recent = x[:, width - r:].mean(axis=1) if r else np.zeros(n)
    cols = np.arange(width)
    window = (cols[None, :] >= first[:, None]) & (cols[None, :] < width - r)
    count = window.sum(axis=1)
    total = np.where(window, x, 0.0).sum(axis=1)
    earlier = np.full(n, np.nan)
    np.divide(total, count, out=earlier, where=count > 0)
    return SeriesStats(recent, earlier, started, (width - first).astype(np.int64))


def stages(s: SeriesStats, cfg: ProspectScoring) -> StrArray:
    """Lifecycle stage per row, first rule that holds: lost, entry, warning, growth, else stable.

    >>> from chainsight.graph.prospects import ProspectScoring
    >>> x = np.array([[5, 5, 5, 0, 0, 0], [0, 0, 0, 0, 2, 2], [9, 9, 9, 3, 3, 3], [2, 2, 2, 5, 5, 5.0]])
    >>> stages(series_stats(x, 3), ProspectScoring()).tolist()
    ['lost', 'entry', 'warning', 'growth']
    """
    with np.errstate(invalid="ignore"):
        lost = ~s.started | (s.recent <= 0)
        entry = s.age <= cfg.entry_months
        warning = s.recent <= (1 - cfg.warning_drop) * s.earlier
        growth = s.recent >= (1 + cfg.growth_rise) * s.earlier
    return np.select([lost, entry, warning, growth], ["lost", "entry", "warning", "growth"], "stable")


class BalanceFeatures(NamedTuple):
    """What the month-end balance series says about each enterprise (NaN where unknown)."""

    stats: SeriesStats
    cv: FloatArray  # coefficient of variation over the months with a balance
    floor: FloatArray  # lowest month-end balance: money that never moved
    drop: FloatArray  # 1 - recent / earlier level, clipped at 0; 1.0 once emptied


def balance_features(balances: pd.DataFrame, ids: pd.Index, cfg: ProspectScoring) -> BalanceFeatures:
    """Per-enterprise balance statistics for ``ids`` (rows without balances get NaN and no activity).

    Gaps inside a series carry the last known balance forward; months before the first balance are
    treated as an account not yet opened.
    """
    table = (balances.assign(balance=pd.to_numeric(balances["balance"], errors="coerce"))
             .groupby(["enterprise_id", "month"])["balance"].sum(min_count=1).unstack("month")
             .sort_index(axis=1))
    x = table.ffill(axis=1).reindex(ids).to_numpy(np.float64) if len(table) else np.full((len(ids), 0), np.nan)
    n_months = np.sum(~np.isnan(x), axis=1)
    safe = np.where(np.isnan(x), 0.0, x)
    mean = np.divide(safe.sum(axis=1), n_months, out=np.full(len(ids), np.nan), where=n_months > 0)
    sq = np.where(np.isnan(x), 0.0, (x - mean[:, None]) ** 2).sum(axis=1)
    std = np.sqrt(np.divide(sq, n_months, out=np.full(len(ids), np.nan), where=n_months > 0))
    cv = np.divide(std, mean, out=np.full(len(ids), np.nan),
                   where=(n_months >= cfg.volatility_min_months) & (mean > 0))
    floor = np.where(n_months > 0, np.where(np.isnan(x), np.inf, x).min(axis=1, initial=np.inf), np.nan)
    stats = series_stats(safe, cfg.recent_months)
    drop = np.full(len(ids), np.nan)
    np.divide(stats.recent, stats.earlier, out=drop, where=stats.earlier > 0)
    drop = np.clip(1 - drop, 0.0, 1.0)
    return BalanceFeatures(stats, cv, floor, drop)


def tier_position(deposits: FloatArray, thresholds: tuple[float, ...]) -> tuple[FloatArray, FloatArray]:
    """Next deposit tier above each balance and the closeness ``deposits / next_tier`` (0 if none).

    >>> nxt, close = tier_position(np.array([420_000, 500_000, 6e6, np.nan]), (0, 500_000, 1e6))
    >>> nxt.tolist(), close.round(2).tolist()
    ([500000.0, 1000000.0, nan, nan], [0.84, 0.5, 0.0, 0.0])
    """
    t = np.asarray(thresholds, dtype=np.float64)
    d = np.clip(deposits, 0.0, None)
    idx = np.searchsorted(t, np.nan_to_num(d, nan=np.inf), side="right")
    has_next = ~np.isnan(d) & (idx < t.size)
    nxt = np.where(has_next, t[np.minimum(idx, t.size - 1)], np.nan)
    close = np.divide(d, nxt, out=np.zeros_like(d), where=has_next & (nxt > 0))
    return nxt, np.clip(close, 0.0, 1.0)


def _unit(x: FloatArray, fill: float = 0.0) -> FloatArray:
    return np.clip(np.nan_to_num(x, nan=fill), 0.0, 1.0)


def components(m: pd.DataFrame, closeness: FloatArray, cfg: ProspectScoring) -> dict[str, FloatArray]:
    """The seven score components, each in [0, 1]; see ``ProspectScoring`` for their definitions."""
    amount = np.clip(pd.to_numeric(m["amount"]).fillna(0).to_numpy(np.float64), 0.0, None)
    top = pd.Series(amount).groupby(m["core_id"].to_numpy()).transform("max").to_numpy(np.float64)
    strength = np.divide(np.log1p(amount / cfg.strength_scale), np.log1p(top / cfg.strength_scale),
                         out=np.zeros_like(amount), where=top > 0)
    months = pd.to_numeric(m["months_in_period"]).to_numpy(np.float64)
    active = pd.to_numeric(m["active_months"]).to_numpy(np.float64)
    regularity = np.divide(active, months, out=np.zeros_like(active), where=months > 0)
    cores = pd.to_numeric(m["n_cores"]).to_numpy(np.float64)
    return {
        "strength": _unit(strength),
        "regularity": _unit(regularity),
        "dependency": _unit(pd.to_numeric(m["dependency"]).to_numpy(np.float64)),
        "tier_decay": _unit(pd.to_numeric(m["ppr"]).to_numpy(np.float64)),
        "multi_core": _unit((cores - 1) / (cfg.multi_core_cap - 1)),
        "growth": _unit((pd.to_numeric(m["trend"]).to_numpy(np.float64) + 1) / 2, fill=0.5),
        "tier_gap": _unit(closeness),
    }


def segments(is_customer: BoolArray, closed: BoolArray, drop: FloatArray, closeness: FloatArray,
             cv: FloatArray, regularity: FloatArray, deposits: FloatArray, monthly_trade: FloatArray,
             cfg: ProspectScoring) -> StrArray:
    """One segment per row, first rule that holds (closure, tier, volatile, low yield, else potential).

    >>> from chainsight.graph.prospects import ProspectScoring
    >>> t, f, z = np.array([True, True, False]), np.array([False, False, False]), np.zeros(3)
    >>> segments(t, f, z, np.array([0.9, 0.1, 0]), z, z, np.array([9e3, 5e3, np.nan]), z,
    ...          ProspectScoring()).tolist()
    ['tier_threshold', 'low_yield', 'chain_potential']
    """
    with np.errstate(invalid="ignore"):
        closure = is_customer & ((closed & cfg.closure_on_closed_account) | (drop >= cfg.closure_balance_drop))
        near = is_customer & (closeness >= cfg.near_tier_ratio)
        volatile = is_customer & (cv >= cfg.volatility_cv) & (regularity >= cfg.active_ratio)
        low = is_customer & ((deposits < cfg.low_yield_deposits)
                             | (deposits < cfg.low_yield_retention * monthly_trade))
    return np.select([closure, near, volatile, low],
                     ["closure_warning", "tier_threshold", "volatile_active", "low_yield"], "chain_potential")


def held_products(products: pd.Series) -> BoolArray:
    """Matrix (rows x ``PRODUCTS``) of products already held, from ``;``-separated text.

    >>> held_products(pd.Series(["企业网银;账户信使", None])).astype(int).tolist()
    [[1, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0]]
    """
    def row(p: object) -> list[bool]:
        held = set(p.replace("；", ";").split(";")) if isinstance(p, str) else set()
        return [name in held for name in PRODUCTS]

    values = products.tolist()
    rows = {p: row(p) for p in set(v for v in values if isinstance(v, str))}
    empty = row(None)
    return np.array([rows.get(p, empty) if isinstance(p, str) else empty for p in values],
                    dtype=bool).reshape(len(values), len(PRODUCTS))


def suggested_products(wanted: BoolArray, held: BoolArray) -> list[list[str]]:
    """Per row, the products whose rule fired and that the firm does not hold, in ``PRODUCTS`` order.

    >>> suggested_products(np.eye(7, dtype=bool)[[0, 6]] | np.eye(7, dtype=bool)[[1, 1]],
    ...                    np.eye(7, dtype=bool)[[1, 0]])
    [['企业网银'], ['结算套餐', '账户信使']]
    """
    keep = wanted & ~held
    names = np.array(PRODUCTS, dtype=object)
    return [names[row].tolist() for row in keep]


def wanted_products(x: pd.DataFrame, cfg: ProspectScoring) -> BoolArray:
    """Matrix (rows x ``PRODUCTS``) of the product rules that fire, before removing held products.

    ``x`` holds one prepared column per input: ``is_customer``, ``ebanking``, ``regularity``,
    ``count``, ``amount``, ``n_accounts``, ``n_cores``, ``idle`` (lowest month-end balance, else
    deposits), ``cv``, ``tier`` and ``dependency``.
    """
    def col(name: str) -> FloatArray:
        return pd.to_numeric(x[name]).to_numpy(np.float64)

    cust = x["is_customer"].to_numpy(bool)
    with np.errstate(invalid="ignore"):
        rules = [
            ~x["ebanking"].to_numpy(bool),
            (col("regularity") >= cfg.settlement_regularity) & (col("count") >= cfg.settlement_min_count),
            (col("amount") >= cfg.cash_mgmt_amount) | (col("n_accounts") >= cfg.cash_mgmt_accounts)
            | (col("n_cores") >= cfg.cash_mgmt_cores),
            cust & ((col("idle") >= cfg.wealth_idle_balance) | (col("cv") >= cfg.volatility_cv)),
        ]
        trade = (col("tier") == 1) & (col("dependency") >= cfg.trade_dependency)
        rules += [trade, trade, cust & (col("regularity") >= cfg.active_ratio)]
    return np.column_stack(rules).astype(bool).reshape(len(x), len(PRODUCTS))
