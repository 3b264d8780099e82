"""Chains: the tiers of suppliers and customers around each core, with the strength of every tie.

Money direction decides the side (one place says it: an edge payer → payee makes the payee the payer's
supplier, upstream). For a core C:

* tier-1 **up** (suppliers): firms C pays; tier-1 **down** (customers): firms that pay C;
* tier-2 up: firms that tier-1 suppliers pay; tier-2 down: firms that pay tier-1 customers.

A tie makes a member only when it is a trading relationship (:class:`ChainRules`): at least
``min_months`` active months, ``min_payments`` payments and ``min_tie_amount`` CNY; a tier-2 tie also has
to matter, its amount at least ``min_tier2_share`` of the member's own receipts or spend (its dependency)
or of the via firm's spend or receipts, and a short one (at most ``short_tie_months`` active months) has
to be steady, active in at least ``min_short_tie_density`` of the months from its first payment to its
last (else ``tier2_scattered``: a few months scattered over the year are occasional buying). Hubs
(:mod:`chainsight.graph.hubs`) are not members unless ``include_hubs``. Two-way trade goes to the side
of the dominant net flow; the other side is kept as an excluded tie marked ``two_way_minor_side``. Every tie that was looked at and left out is returned by
:func:`chain_membership` with the first rule that excluded it (``EXCLUDED_COLUMNS``), so "why is X
missing?" has an answer.

A firm on both sides of the same tier goes where more money moves. Each member carries the amount,
count and active months of its tie (with C for tier 1, with its ``via`` firm for tier 2), the share
that tie is of C's (or the via firm's) spend or receipts, the member's dependency (the tie as a share
of the member's own receipts or spend), a trend (recent months against earlier ones), its monthly
series, and a tier decay: personalised PageRank from C inside the chain.

Examples
--------
>>> import pandas as pd
>>> flows = pd.DataFrame({"payer_id": ["C", "C", "D", "S"], "payee_id": ["S", "T", "C", "S2"],
...                       "amount": [100.0, 50.0, 80.0, 30.0], "count": [3, 1, 2, 1],
...                       "active_months": [3, 1, 2, 1]})
>>> members = chain_members(flows, None, ["C"], ChainRules(min_months=1, min_payments=1, min_tie_amount=0))
>>> members[["enterprise_id", "direction", "tier", "via_id"]].values.tolist()
[['D', 'down', 1, 'C'], ['S', 'up', 1, 'C'], ['S2', 'up', 2, 'S'], ['T', 'up', 1, 'C']]
>>> members, excluded = chain_membership(flows, None, ["C"], ChainRules(min_tie_amount=0))
>>> excluded[["enterprise_id", "tier", "rule"]].values.tolist()
[['D', 1, 'tie_months'], ['T', 1, 'tie_months'], ['S2', 2, 'tie_months']]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from chainsight._format import money_en
from chainsight.graph.centrality import pagerank
from chainsight.graph.result import left_out_sentence


class ChainRules(BaseModel):
    """Which ties make a chain member."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_cores: int = Field(50, ge=1, description="chains are built for at most this many cores")
    min_score_ratio: float = Field(0.5, ge=0, le=1, description="a core scores at least this share of "
                                                             "the best core's score")
    depth: int = Field(2, ge=1, le=2, description="1: tier-1 only; 2: tier-1 and tier-2")
    min_amount: float = Field(0.0, ge=0, description="ignore ties smaller than this "
                                                  "(CNY; a dataset in another currency states it in its own)")
    recent_months: int = Field(3, ge=1, description="the trend compares these last months with the rest")
    min_months: int = Field(3, ge=1, description="a tie is trade when active in at least these months")
    min_payments: int = Field(3, ge=1, description="…with at least these payments")
    min_tie_amount: float = Field(20_000.0, ge=0, description="…and at least this amount "
                                  "(CNY; a dataset in another currency states it in its own)")
    min_tier2_share: float = Field(0.05, ge=0, le=1, description="a tier-2 tie is at least this share of "
                                   "the member's receipts or spend, or of the via firm's spend or receipts")
    short_tie_months: int = Field(3, ge=0, description="a tier-2 tie active in at most this many months "
                                  "must be steady (0: no such rule)")
    min_short_tie_density: float = Field(0.75, ge=0, le=1, description="…active in at least this share of "
                                         "the months from its first payment to its last")
    include_hubs: bool = Field(False, description="hubs (utilities, logistics, payroll agents …) may be members")


MEMBER_COLUMNS = ("core_id", "enterprise_id", "direction", "tier", "via_id", "amount", "count",
                  "active_months", "months_in_period", "first_date", "last_date", "share_of_core",
                  "dependency", "trend", "monthly", "ppr", "n_cores")
EXCLUDED_COLUMNS = ("core_id", "enterprise_id", "direction", "tier", "via_id", "amount", "count",
                    "active_months", "share_of_core", "dependency", "rule")


def _side(flows: pd.DataFrame, anchors: pd.DataFrame, direction: str, tier: int,
          spend: pd.Series, receipts: pd.Series) -> pd.DataFrame:
    """Ties of the anchor firms on one side: ``anchors`` has columns core_id, anchor."""
    anchor_col, member_col = ("payer_id", "payee_id") if direction == "up" else ("payee_id", "payer_id")
    ties = anchors.merge(flows, left_on="anchor", right_on=anchor_col)
    ties = ties.rename(columns={member_col: "enterprise_id", "anchor": "via_id"})
    anchor_total = (spend if direction == "up" else receipts).reindex(ties["via_id"]).to_numpy()
    member_total = (receipts if direction == "up" else spend).reindex(ties["enterprise_id"]).to_numpy()
    ties["share_of_core"] = ties["amount"].to_numpy() / np.where(anchor_total > 0, anchor_total, np.nan)
    ties["dependency"] = ties["amount"].to_numpy() / np.where(member_total > 0, member_total, np.nan)
    ties["direction"], ties["tier"] = direction, tier
    return ties


def _best(ties: pd.DataFrame) -> pd.DataFrame:
    """One row per (core, member): the strongest tie (ties of tier 2 through several firms add up)."""
    ties = ties.sort_values(["core_id", "enterprise_id", "amount", "via_id"],
                            ascending=[True, True, False, True], kind="mergesort")
    return ties.drop_duplicates(["core_id", "enterprise_id"], keep="first")


def _rule(ties: pd.DataFrame, rules: ChainRules, hubs: pd.Index, tier: int) -> np.ndarray:
    """The first rule each tie fails ("" when it makes a member)."""
    failed = [(ties["enterprise_id"].isin(hubs).to_numpy() & (not rules.include_hubs), "hub"),
              (ties["active_months"].to_numpy() < rules.min_months, "tie_months"),
              (ties["count"].to_numpy() < rules.min_payments, "tie_payments"),
              (ties["amount"].to_numpy() < rules.min_tie_amount, "tie_amount")]
    if tier == 2:
        matters = np.fmax(ties["dependency"].to_numpy(float), ties["share_of_core"].to_numpy(float))
        failed.append((~(matters >= rules.min_tier2_share), "tier2_share"))
        failed.append((_scattered(ties, rules), "tier2_scattered"))
    return np.select([f for f, _ in failed], [r for _, r in failed], "")


def _scattered(ties: pd.DataFrame, rules: ChainRules) -> np.ndarray:
    """Short ties whose few active months are spread over a longer span (occasional buying, not supply).

    >>> t = pd.DataFrame({"active_months": [3, 3, 5], "first_date": pd.to_datetime(["2024-01-05"] * 3),
    ...                   "last_date": pd.to_datetime(["2024-03-20", "2024-09-01", "2024-12-01"])})
    >>> _scattered(t, ChainRules()).tolist()
    [False, True, False]
    """
    if "first_date" not in ties or "last_date" not in ties or not rules.short_tie_months:
        return np.zeros(len(ties), dtype=bool)
    first, last = pd.to_datetime(ties["first_date"]), pd.to_datetime(ties["last_date"])
    span = ((last.dt.year - first.dt.year) * 12 + last.dt.month - first.dt.month + 1).to_numpy(float)
    months = ties["active_months"].to_numpy(float)
    density = months / np.where(span > 0, span, np.nan)
    return np.asarray((months <= rules.short_tie_months) & (density < rules.min_short_tie_density))


def chain_members(flows: pd.DataFrame, flow_months: pd.DataFrame | None, core_ids: list[str],
                  rules: ChainRules | None = None, hubs: pd.Index | None = None) -> pd.DataFrame:
    """Members of every core's chain (the cores themselves excluded), one row per (core, member).

    Parameters
    ----------
    flows : trade edges with ``payer_id, payee_id, amount, count, active_months`` (and optionally
        ``first_date, last_date``).
    flow_months : ``payer_id, payee_id, month, amount`` for monthly series and trends (or None).
    core_ids : the cores, best first.
    rules : thresholds; defaults when None.
    hubs : ids of hub firms (:func:`chainsight.graph.hubs.hub_firms`); none when None.
    """
    return chain_membership(flows, flow_months, core_ids, rules, hubs)[0]


def chain_membership(flows: pd.DataFrame, flow_months: pd.DataFrame | None, core_ids: list[str],
                     rules: ChainRules | None = None,
                     hubs: pd.Index | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`chain_members` and the ties left out, each with the rule that excluded it.

    The excluded ties (``EXCLUDED_COLUMNS``) are one row per (core, firm, direction, tier) that was
    looked at — every counterparty of a core, every counterparty of a tier-1 member on its side — and
    did not make a member; a firm that made a member by another tie is not listed again.
    """
    rules = rules or ChainRules()
    hubs = pd.Index([]) if hubs is None else pd.Index(hubs)
    flows = flows[flows["amount"] > rules.min_amount]
    spend = flows.groupby("payer_id")["amount"].sum()
    receipts = flows.groupby("payee_id")["amount"].sum()
    cores = pd.DataFrame({"core_id": core_ids, "anchor": core_ids})
    ties1 = pd.concat([_side(flows, cores, "up", 1, spend, receipts),
                       _side(flows, cores, "down", 1, spend, receipts)], ignore_index=True)
    ties1 = ties1[ties1["enterprise_id"] != ties1["core_id"]]
    dominant = _best(ties1)  # two-way trade: the side where more money moves
    minor = ties1.merge(dominant[["core_id", "enterprise_id", "direction"]].assign(_major=True),
                        on=["core_id", "enterprise_id", "direction"], how="left")
    minor = minor[minor["_major"].isna()].drop(columns="_major").assign(rule="two_way_minor_side")
    dominant = dominant.assign(rule=_rule(dominant, rules, hubs, 1))
    tier1 = dominant[dominant["rule"] == ""].drop(columns="rule")
    excluded = [minor, dominant[dominant["rule"] != ""]]
    parts = [tier1]
    if rules.depth >= 2:
        tier2 = []
        for direction in ("up", "down"):
            anchors = tier1.loc[tier1["direction"] == direction, ["core_id", "enterprise_id"]]
            tier2.append(_side(flows, anchors.rename(columns={"enterprise_id": "anchor"}), direction, 2,
                               spend, receipts))
        ties = pd.concat(tier2, ignore_index=True)
        known = pd.concat([tier1[["core_id", "enterprise_id"]],
                           cores.rename(columns={"anchor": "enterprise_id"})], ignore_index=True)
        ties = ties.merge(known.assign(_known=True), on=["core_id", "enterprise_id"], how="left")
        ties = ties[ties["_known"].isna()].drop(columns="_known")
        ties = ties.assign(rule=_rule(ties, rules, hubs, 2))
        kept = _best(ties[ties["rule"] == ""]).drop(columns="rule")
        parts.append(kept)
        left_out = ties[ties["rule"] != ""].merge(kept[["core_id", "enterprise_id"]].assign(_kept=True),
                                                  on=["core_id", "enterprise_id"], how="left")
        excluded.append(_best(left_out[left_out["_kept"].isna()].drop(columns="_kept")))
    members = pd.concat(parts, ignore_index=True)
    members = _with_series(members, flow_months, rules)
    members["ppr"] = _tier_decay(members, flows)
    members["n_cores"] = members.groupby("enterprise_id")["core_id"].transform("nunique")
    for col in ("first_date", "last_date"):
        if col not in members:
            members[col] = pd.NaT
    members = members.sort_values(["core_id", "enterprise_id"], kind="mergesort").reset_index(drop=True)
    members["share_of_core"] = members["share_of_core"].fillna(0.0)
    members["dependency"] = members["dependency"].fillna(0.0)
    out = pd.concat(excluded, ignore_index=True)
    out = out.sort_values(["core_id", "tier", "direction", "amount", "enterprise_id"],
                          ascending=[True, True, True, False, True], kind="mergesort")
    return members[list(MEMBER_COLUMNS)], out.reset_index(drop=True)[list(EXCLUDED_COLUMNS)]


def _with_series(members: pd.DataFrame, flow_months: pd.DataFrame | None, rules: ChainRules) -> pd.DataFrame:
    """Monthly amounts of each member's tie, the period length and the recent-vs-earlier trend."""
    if flow_months is None or flow_months.empty:
        members["months_in_period"] = 0
        members["monthly"] = [[] for _ in range(len(members))]
        members["trend"] = 0.0
        return members
    months = pd.period_range(pd.Timestamp(flow_months["month"].min()).to_period("M"),
                             pd.Timestamp(flow_months["month"].max()).to_period("M"), freq="M")
    fm = flow_months.assign(m=pd.to_datetime(flow_months["month"]).dt.to_period("M"))
    # A tie runs via -> member for suppliers (up) and member -> via for customers (down).
    pay_from = np.where(members["direction"] == "up", members["via_id"], members["enterprise_id"])
    pay_to = np.where(members["direction"] == "up", members["enterprise_id"], members["via_id"])
    keys = pd.DataFrame({"payer_id": pay_from, "payee_id": pay_to}).drop_duplicates()
    grid = fm.merge(keys, on=["payer_id", "payee_id"]).pivot_table(
        index=["payer_id", "payee_id"], columns="m", values="amount", aggfunc="sum", fill_value=0.0)
    grid = grid.reindex(columns=months, fill_value=0.0)
    index = pd.MultiIndex.from_arrays([pay_from, pay_to])
    series = grid.reindex(index, fill_value=0.0).to_numpy(dtype=float)
    recent_n = min(rules.recent_months, max(len(months) - 1, 1))
    recent = series[:, -recent_n:].mean(axis=1)
    earlier = series[:, :-recent_n].mean(axis=1) if len(months) > recent_n else np.zeros(len(series))
    top = np.maximum(recent, earlier)
    members["months_in_period"] = len(months)
    members["monthly"] = pd.Series(list(series), index=members.index, dtype=object)
    members["trend"] = np.where(top > 0, (recent - earlier) / np.where(top > 0, top, 1.0), 0.0)
    return members


def _tier_decay(members: pd.DataFrame, flows: pd.DataFrame) -> np.ndarray:
    """Personalised PageRank from each core over its chain's undirected flow graph, max-normalised."""
    out = np.zeros(len(members))
    for core_id, group in members.groupby("core_id", sort=False):
        nodes = pd.Index([core_id, *group["enterprise_id"].tolist()]).unique()
        inner = flows[flows["payer_id"].isin(nodes) & flows["payee_id"].isin(nodes)]
        i, j = nodes.get_indexer(pd.Index(inner["payer_id"])), nodes.get_indexer(pd.Index(inner["payee_id"]))
        w = sp.csr_matrix((inner["amount"].to_numpy(float), (i, j)), shape=(len(nodes), len(nodes)))
        seed = np.zeros(len(nodes))
        seed[0] = 1.0
        rank = pagerank((w + w.T).tocsr(), personalization=seed, tol=1e-10)
        values = rank[nodes.get_indexer(pd.Index(group["enterprise_id"]))]
        top = values.max() if len(values) else 0.0
        out[group.index.to_numpy()] = values / top if top > 0 else values
    return out


EXCLUSION_RULES = {
    "hub": "a hub (utility, logistics, payroll agent …): a sliver of every counterparty's flows",
    "tie_months": "the tie was active in too few months",
    "tie_payments": "the tie has too few payments",
    "tie_amount": "the tie's amount is below the minimum",
    "tier2_share": "the tier-2 tie is too small a share of the member's or the via firm's flows",
    "tier2_scattered": "the tier-2 tie is short and scattered: a few months spread over the year, "
                       "occasional buying rather than supply",
    "two_way_minor_side": "two-way trade: the firm is on the side of the dominant net flow",
}


def why_missing(excluded: pd.DataFrame, core_id: str, enterprise_id: str, currency: str = "CNY") -> list[str]:
    """Why ``enterprise_id`` is not (or not only) in ``core_id``'s chain, one sentence per tie left out
    (amounts in ``currency``; the reason the analysis gave when ``excluded`` has one, with its thresholds).

    >>> x = pd.DataFrame([dict(core_id="C", enterprise_id="U", direction="up", tier=1, via_id="C",
    ...                        amount=7200.0, count=12, active_months=12, share_of_core=0.01,
    ...                        dependency=0.0, rule="hub")])
    >>> print(why_missing(x, "C", "U")[0])
    tier-1 up via C (CNY 7,200, 12 payments, 12 months): a hub (utility, logistics, payroll agent …): a sliver of every counterparty's flows
    >>> why_missing(x, "C", "nobody")
    []
    """
    rows = excluded[(excluded["core_id"] == core_id) & (excluded["enterprise_id"] == enterprise_id)]
    return [left_out_sentence({**{str(k): v for k, v in r.items()},
                               "reason": r.get("reason") or rule_reason(str(r["rule"]))},
                              currency) for r in rows.to_dict("records")]


def rule_reason(rule: str, rules: ChainRules | None = None, currency: str = "CNY") -> str:
    """The sentence that says what an exclusion rule means (the rule itself when it has none).

    Given the ``rules`` the analysis ran with, the sentence states the threshold, a money one in the
    dataset's ``currency`` (the threshold is stated in it: see :mod:`chainsight.graph.thresholds`).

    >>> rule_reason("tie_amount")
    "the tie's amount is below the minimum"
    >>> rule_reason("tie_amount", ChainRules(min_tie_amount=2500), "EUR")
    "the tie's amount is below the minimum of EUR 2.5k (chains.min_tie_amount)"
    >>> rule_reason("tie_months", ChainRules())
    'the tie was active in too few months (fewer than 3)'
    """
    reason = EXCLUSION_RULES.get(rule, rule)
    if rules is None:
        return reason
    if rule == "tie_amount":
        return f"{reason} of {money_en(rules.min_tie_amount, currency)} (chains.min_tie_amount)"
    if rule == "tie_months":
        return f"{reason} (fewer than {rules.min_months})"
    if rule == "tie_payments":
        return f"{reason} (fewer than {rules.min_payments})"
    return reason
