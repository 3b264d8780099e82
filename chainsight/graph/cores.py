"""Find supply-chain core enterprises (the "1" of "1+N") in the payment-flow graph.

A core both **buys** from many suppliers and **sells** to many customers. Each side gets a score
from four pieces of evidence, each log-scaled to [0, 1] by ``u(x) = log1p(x/m) / log1p(max/m)``
with ``m`` the mean over all enterprises (0 for none, 1 for the largest; log scale because
amounts and degrees are heavy-tailed, the mean because it is robust to round-off zeros):

========================  ===========================  ============================
weight                    buy side (pays)              sell side (is paid)
========================  ===========================  ============================
``w_amount``              CNY paid to suppliers        CNY received from customers
``w_counterparties``      distinct suppliers           distinct customers
``w_pagerank``            PageRank, reversed graph     PageRank, flow graph
``w_hits``                HITS hub                     HITS authority
========================  ===========================  ============================

``buy`` and ``sell`` are the weighted means of their four ``u`` values (0 for a side with no
counterparties, as PageRank's teleport floor never is), and

    score = (sqrt(buy * sell) + w_betweenness * u(betweenness)) / (1 + w_betweenness)

The geometric mean is zero when either side is empty, so a firm paid by thousands that pays
nobody (a utility, a collector) cannot be a core however large it is. Betweenness adds
brokerage; it is sampled from ``betweenness_k`` sources (8: on benchmark-shaped graphs of 2k-5k
firms the top-20 cores with 8 sources overlap the exact-betweenness top 20 by 0.94-0.97, with
64 by 0.95-0.98; ``bench/analytics.py --agreement``). The Hodge position is evidence, not
scored. Scores are rounded to 1e-12 so that round-off cannot reorder firms; ties go by
``enterprise_id``. A firm is *eligible* with at least ``min_suppliers`` suppliers,
``min_customers`` customers and ``min_active_months``, and when the money it pays in trade and the
money it is paid in trade (all its trade flows, not only the ties scored) are each at least
``min_trade_balance`` of the other: a core buys its
inputs and sells its output through the chain. A firm whose trade spend is a sliver of its receipts
lives on costs that are not trade — wages (payroll), its own plant: a payroll agent paid by hundreds
of firms that passes a little on to others, a utility, a freight forwarder (on the medium demo bank
0.01–0.04, the 15 planted cores 1.0–3.5, the distributors 0.5–0.8); one whose receipts are a sliver
of its spend is an end buyer. ``is_core`` marks the ``top_n`` best eligible firms.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from chainsight._format import money_en as _amount_en, money_zh as _amount_zh
from chainsight.graph import centrality as cen

__all__ = [
    "METRIC_COLUMNS", "OUTPUT_COLUMNS", "CoreScoring", "core_score", "enterprise_metrics",
    "rank_cores", "score_cores", "trading_ties",
]  # fmt: skip

METRIC_COLUMNS = [
    "enterprise_id", "out_strength", "in_strength", "n_suppliers", "n_customers", "pagerank",
    "pagerank_rev", "hub", "authority", "betweenness", "position", "active_months",
]  # fmt: skip
OUTPUT_COLUMNS = [
    "enterprise_id", "name", "rank", "score", "is_core", *METRIC_COLUMNS[1:],
    "explanation", "explanation_zh",
]  # fmt: skip
HODGE_RTOL = 1e-10  # position is shown to 2 decimals; on 1M firms this is ~1e-6 from exact
SIDES = {  # weight -> (buy-side column, sell-side column)
    "w_amount": ("out_strength", "in_strength"),
    "w_counterparties": ("n_suppliers", "n_customers"),
    "w_pagerank": ("pagerank_rev", "pagerank"),
    "w_hits": ("hub", "authority"),
}


class CoreScoring(BaseModel):
    """Weights and thresholds of the core score (see the module docstring for the formula)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    w_amount: float = Field(1.0, ge=0)
    w_counterparties: float = Field(1.0, ge=0)
    w_pagerank: float = Field(1.0, ge=0)
    w_hits: float = Field(0.5, ge=0)
    w_betweenness: float = Field(0.25, ge=0)
    min_suppliers: int = Field(5, ge=0)
    min_customers: int = Field(5, ge=0)
    min_active_months: int = Field(3, ge=0, le=12)
    min_trade_balance: float = Field(0.1, ge=0, le=1, description="a core pays its suppliers at least this "
                                     "share of what its customers pay it, and is paid at least this share "
                                     "of what it pays (0: no condition)")
    top_n: int = Field(100, ge=0, description="eligible firms flagged is_core, best first")
    min_tie_months: int = Field(2, ge=1, description="analyze scores over the ties active in at least "
                                "these months: a one-off purchase is not a supplier")
    min_tie_share: float = Field(0.02, ge=0, le=1, description="…and that matter to one side: at least "
                                 "this share of the payer's spend or of the payee's receipts")
    allow_hubs: bool = Field(False, description="hubs (chainsight.graph.hubs) may be cores")
    explain_top: int | None = Field(1000, ge=0, description="rows explained; None: all")
    betweenness_k: int | None = Field(8, ge=2, description="sampled sources; None: exact")
    seed: int = 0
    alpha: float = Field(0.85, gt=0, lt=1)
    tol: float = Field(1e-10, gt=0)


def trading_ties(flows: pd.DataFrame, scoring: CoreScoring) -> pd.DataFrame:
    """The ties the core score is computed over: trading relationships, not slivers.

    A tie (``payer_id, payee_id, amount, active_months``) counts when it was active in at least
    ``min_tie_months`` months and is at least ``min_tie_share`` of the payer's spend or of the payee's
    receipts: a one-off purchase is not a supplier, and a utility bill or a freight charge, a sliver of
    both sides, says nothing of a chain.

    >>> flows = pd.DataFrame({"payer_id": ["A", "A", "B", "X"], "payee_id": ["S", "U", "U", "U"],
    ...                       "amount": [99.0, 1.0, 1.0, 98.0], "active_months": [12, 12, 1, 12]})
    >>> trading_ties(flows, CoreScoring(min_tie_share=0.05))[["payer_id", "payee_id"]].values.tolist()
    [['A', 'S'], ['X', 'U']]
    """
    spend = flows.groupby("payer_id")["amount"].transform("sum").to_numpy(float)
    receipts = flows.groupby("payee_id")["amount"].transform("sum").to_numpy(float)
    amount = flows["amount"].to_numpy(float)
    matters = np.maximum(np.divide(amount, spend, out=np.zeros_like(amount), where=spend > 0),
                         np.divide(amount, receipts, out=np.zeros_like(amount), where=receipts > 0))
    keep = (flows["active_months"].to_numpy() >= scoring.min_tie_months) & (matters >= scoring.min_tie_share)
    kept: pd.DataFrame = flows[keep]
    return kept


def _scaled(x: np.ndarray) -> np.ndarray:
    """``log1p(x/m) / log1p(max/m)`` with ``m`` the mean over all enterprises; 0 where x is 0."""
    x = np.maximum(x, 0.0)
    m = x.mean() if len(x) else 0.0
    if not m > 0:
        return np.zeros(len(x))
    scaled: np.ndarray = np.log1p(x / m) / np.log1p(x.max() / m)
    return scaled


def core_score(metrics: pd.DataFrame, scoring: CoreScoring) -> np.ndarray:
    """The composite score in [0, 1] for each row of ``metrics`` (rounded to 1e-12)."""
    weights = {w: getattr(scoring, w) for w in SIDES}
    total = sum(weights.values()) or 1.0
    buy = sum(weights[w] * _scaled(metrics[b].to_numpy(float)) for w, (b, _) in SIDES.items())
    sell = sum(weights[w] * _scaled(metrics[s].to_numpy(float)) for w, (_, s) in SIDES.items())
    # PageRank never reaches 0 (teleport): a side without counterparties is 0 by rule.
    buy = np.where(metrics["n_suppliers"].to_numpy() > 0, buy, 0.0)
    sell = np.where(metrics["n_customers"].to_numpy() > 0, sell, 0.0)
    brokerage = _scaled(np.nan_to_num(metrics["betweenness"].to_numpy(float)))
    score = (np.sqrt(buy * sell) / total + scoring.w_betweenness * brokerage) / (
        1 + scoring.w_betweenness
    )
    # Float noise below 1e-12 must not reorder firms; exact ties fall back to enterprise_id.
    rounded: np.ndarray = np.round(np.asarray(score, dtype=float), 12)
    return rounded


def enterprise_metrics(
    edges: pd.DataFrame, scoring: CoreScoring, *, workers: int = 2
) -> pd.DataFrame:
    """The evidence per enterprise (one row each, sorted by ``enterprise_id``), unscored.

    ``edges`` has ``payer``, ``payee``, ``amount`` (CNY) and ``active_months`` per payer -> payee
    pair (``count`` may be present; the score does not use it); repeated pairs are summed,
    self-payments ignored. ``active_months`` of an enterprise is the most months any one of its
    relations was active. ``workers`` threads share the centralities (the sparse kernels release
    the GIL; keep BLAS single-threaded, ``OPENBLAS_NUM_THREADS=1``, on small machines).
    """
    missing = {"payer", "payee", "amount", "active_months"} - set(edges.columns)
    if missing:
        raise ValueError(f"edges lack columns {sorted(missing)}")
    payer, payee, ids = _index_ids(edges["payer"], edges["payee"], workers)
    n = len(ids)
    # Number nodes by degree (busy firms first, better cache use) then id: row order is irrelevant.
    id_rank = np.empty(n, np.int64)
    id_rank[ids.argsort()] = np.arange(n)  # pandas sorts str ids in Arrow, fast
    degree = np.bincount(payer, minlength=n) + np.bincount(payee, minlength=n)
    order = np.lexsort((id_rank, -degree))
    node = np.empty(n, np.int64)
    node[order] = np.arange(n)
    payer, payee = node[payer], node[payee]
    W = cen.flow_matrix(payer, payee, edges["amount"].to_numpy(np.float64), n)
    WT = W.T.tocsr()
    k = None if scoring.betweenness_k is None or scoring.betweenness_k >= n else scoring.betweenness_k
    tasks: dict[str, Any] = {  # longest first: two workers finish close together
        "hodge": lambda: cen.hodge_potential(W, wt=WT, rtol=HODGE_RTOL),
        "betweenness": lambda: cen.betweenness(W, k, scoring.seed, wt=WT),
        "hits": lambda: cen.hits(W, scoring.tol, wt=WT),
        "pagerank": lambda: cen.pagerank(W, scoring.alpha, tol=scoring.tol, wt=WT),
        "pagerank_rev": lambda: cen.pagerank(WT, scoring.alpha, tol=scoring.tol, wt=W),
    }
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
        months = np.zeros(n, np.int64)
        active = edges["active_months"].to_numpy(np.int64)
        np.maximum.at(months, payer, active)
        np.maximum.at(months, payee, active)
        s = cen.strengths(W)
        res = {name: f.result() for name, f in futures.items()}
    cols = {
        "out_strength": s.out_strength, "in_strength": s.in_strength,
        "n_suppliers": s.out_degree, "n_customers": s.in_degree,
        "pagerank": res["pagerank"], "pagerank_rev": res["pagerank_rev"],
        "hub": res["hits"][0], "authority": res["hits"][1],
        "betweenness": res["betweenness"], "position": res["hodge"], "active_months": months,
    }  # fmt: skip
    by_id = np.argsort(id_rank)  # code of the i-th smallest id
    out = pd.DataFrame({name: col[node[by_id]] for name, col in cols.items()})
    out.insert(0, "enterprise_id", pd.Series(ids.take(by_id), index=out.index))
    return out


def _index_ids(
    payer: pd.Series, payee: pd.Series, workers: int
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Codes of payer and payee in one shared index of ids (columns hashed in parallel)."""
    with ThreadPoolExecutor(max_workers=max(1, min(2, workers))) as pool:
        paying = pool.submit(pd.factorize, payer)
        payee_codes, payee_ids = pd.factorize(payee)
        payer_codes, payer_ids = paying.result()
    if (payer_codes < 0).any() or (payee_codes < 0).any():
        raise ValueError("edges have missing payer or payee ids")
    where, ids = pd.factorize(pd.Index(payer_ids).append(pd.Index(payee_ids)))
    return where[: len(payer_ids)][payer_codes], where[len(payer_ids) :][payee_codes], ids


def _ascending(ids: pd.Series) -> bool:
    """``ids.is_monotonic_increasing``, vectorised (pandas compares Arrow strings in Python)."""
    values = ids.reset_index(drop=True)
    later, earlier = values.iloc[1:].reset_index(drop=True), values.iloc[:-1].reset_index(drop=True)
    return bool((later >= earlier).all())


def rank_cores(
    metrics: pd.DataFrame, names: pd.Series | None, scoring: CoreScoring, currency: str = "CNY",
    totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score, flag and explain enterprises from their ``metrics`` (see :func:`score_cores`)."""
    df = metrics[METRIC_COLUMNS]
    if not _ascending(df["enterprise_id"]):
        df = df.sort_values("enterprise_id", kind="stable")
    score = core_score(df, scoring)
    order = np.argsort(-score, kind="stable")  # ties stay in enterprise_id order
    df = df.iloc[order].reset_index(drop=True)
    if totals is None:
        paid, received = df["out_strength"].to_numpy(float), df["in_strength"].to_numpy(float)
    else:
        money = totals.reindex(pd.Index(df["enterprise_id"])).fillna(0.0)
        paid, received = money["paid"].to_numpy(float), money["received"].to_numpy(float)
    balanced = (paid >= scoring.min_trade_balance * received) & (received >= scoring.min_trade_balance * paid)
    eligible = (
        (df["n_suppliers"] >= scoring.min_suppliers)
        & (df["n_customers"] >= scoring.min_customers)
        & (df["active_months"] >= scoring.min_active_months)
    ).to_numpy() & balanced
    nothing = np.full(len(df), None, dtype=object)
    name = nothing if names is None else names.reindex(pd.Index(df["enterprise_id"])).array
    df.insert(1, "name", pd.Series(name, dtype="str"))
    df.insert(2, "rank", np.arange(1, len(df) + 1))
    df.insert(3, "score", score[order])
    df.insert(4, "is_core", eligible & (np.cumsum(eligible) <= scoring.top_n))
    shown = len(df) if scoring.explain_top is None else scoring.explain_top
    explain = np.flatnonzero((df["rank"] <= shown).to_numpy() | df["is_core"].to_numpy())
    texts = _explanations(df, eligible, explain, scoring, currency)
    for col, text in zip(("explanation", "explanation_zh"), texts):
        values = nothing.copy()
        values[explain] = text
        df[col] = pd.Series(values, dtype="str")
    return df[OUTPUT_COLUMNS]


def score_cores(
    edges: pd.DataFrame, names: pd.Series | None, scoring: CoreScoring, *, workers: int = 2,
    currency: str = "CNY", totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rank every enterprise in ``edges`` as a supply-chain core, best first, with the evidence.

    Parameters
    ----------
    edges : DataFrame
        ``payer``, ``payee`` (enterprise ids), ``amount`` (CNY), ``count``, ``active_months``.
    names : Series or None
        Enterprise names indexed by enterprise id.
    scoring : CoreScoring
    workers : threads for the centralities
    currency : the ISO code the explanations write amounts in (the dataset's)
    totals : DataFrame or None
        ``paid``, ``received`` per enterprise id over *all* its trade flows, for the balance rule
        (``min_trade_balance``); None: the strengths over ``edges``

    Returns
    -------
    DataFrame
        One row per enterprise, sorted by ``score`` descending then ``enterprise_id``; columns
        ``OUTPUT_COLUMNS``. ``explanation``/``explanation_zh`` are written for the first
        ``scoring.explain_top`` ranks and every ``is_core`` row, missing elsewhere.

    Examples
    --------
    >>> edges = pd.DataFrame({"payer": ["m", "m", "d", "d", "r"], "payee": ["s1", "s2", "m", "m2", "d"],
    ...                       "amount": [5e6, 3e6, 9e6, 1e6, 2e6], "count": 4, "active_months": 12})
    >>> top = score_cores(edges, None, CoreScoring(min_suppliers=1, min_customers=1, top_n=2))
    >>> top[["enterprise_id", "rank", "is_core", "n_suppliers", "n_customers"]].head(3)
      enterprise_id  rank  is_core  n_suppliers  n_customers
    0             m     1     True            2            1
    1             d     2     True            2            1
    2            m2     3    False            0            1
    """
    if edges.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in OUTPUT_COLUMNS})
    return rank_cores(enterprise_metrics(edges, scoring, workers=workers), names, scoring, currency, totals)


_POSITION_BAND = 0.5  # |position| under half a tier step (one-way pair = 1) reads as mid-chain


def _count(k: int, noun: str) -> str:
    return f"{k:,} {noun}{'' if k == 1 else 's'}"


def _top(p: float) -> str:
    return np.format_float_positional(p, precision=2, fractional=False, trim="-")


def _explanations(
    df: pd.DataFrame, eligible: np.ndarray, rows: np.ndarray, scoring: CoreScoring, currency: str = "CNY"
) -> tuple[list[str], list[str]]:
    """English and Chinese evidence sentences for ``rows`` of the ranked ``df``, amounts in ``currency``."""
    n = len(df)
    pct = {}  # "top x%": 1 + the number of firms ranked strictly higher, over n
    for c in ("pagerank", "pagerank_rev"):
        values = df[c].to_numpy()
        higher = n - np.searchsorted(np.sort(values), values[rows], side="right")
        pct[c] = (higher + 1) / n * 100
    col = {c: df[c].to_numpy()[rows] for c in METRIC_COLUMNS[1:]}
    balance = f"{scoring.min_trade_balance:.0%}"
    rule_en = (
        f"≥{scoring.min_suppliers} suppliers, ≥{scoring.min_customers} customers, "
        f"a relation active in ≥{scoring.min_active_months} months, "
        f"paying and paid each ≥{balance} of the other"
    )
    rule_zh = (
        f"供应商≥{scoring.min_suppliers}家、客户≥{scoring.min_customers}家、"
        f"至少一个合作关系活跃≥{scoring.min_active_months}个月、付款与收款均不低于对方的{balance}"
    )
    en, zh = [], []
    for i, row in enumerate(rows):
        n_sup, n_cus = int(col["n_suppliers"][i]), int(col["n_customers"][i])
        paid, received = float(col["out_strength"][i]), float(col["in_strength"][i])
        months = int(col["active_months"][i])
        pos = float(col["position"][i])
        top_in, top_out = _top(pct["pagerank"][i]), _top(pct["pagerank_rev"][i])
        where = 0 if pos > _POSITION_BAND else 2 if pos < -_POSITION_BAND else 1
        where_en = ("upstream (supplier side)", "mid-chain", "downstream (buyer side)")[where]
        where_zh = ("上游（供应端）", "中游", "下游（采购端）")[where]
        ok = bool(eligible[row])
        en.append(
            f"Pays {_count(n_sup, 'supplier')} {_amount_en(paid, currency)} and is paid by "
            f"{_count(n_cus, 'customer')} {_amount_en(received, currency)}; relations active up to "
            f"{months} months; PageRank top {top_in}% as a payee, top {top_out}% as a payer; "
            f"sits {where_en} (position {pos:+.2f}). "
            + (f"Eligible as a core: {rule_en}." if ok else f"Not eligible: needs {rule_en}.")
        )
        zh.append(
            f"向{n_sup:,}家供应商付款{_amount_zh(paid, currency)}，收到{n_cus:,}家客户付款"
            f"{_amount_zh(received, currency)}；合作关系最长活跃{months}个月；收款方PageRank前{top_in}%，"
            f"付款方PageRank前{top_out}%；处于{where_zh}（位置{pos:+.2f}）。"
            + (f"符合核心企业条件：{rule_zh}。" if ok else f"不符合核心企业条件：需{rule_zh}。")
        )
    return en, zh
