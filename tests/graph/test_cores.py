"""Core scoring on a small canonical "1+N" chain with decoys and noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from chainsight.graph.cores import OUTPUT_COLUMNS, CoreScoring, core_score, rank_cores, score_cores

SUPPLIERS = [f"S{i}" for i in range(1, 6)]
CUSTOMERS = [f"C{i}" for i in range(1, 6)]


@pytest.fixture
def one_plus_n() -> pd.DataFrame:
    """CORE pays 5 suppliers and is paid by 5 customers; suppliers buy raw materials (R*),
    distributors (D*) pay the customers. UTIL is paid by twelve firms and pays one; BUYER pays
    eight firms and is paid by nobody. Plus a little random noise between chain firms."""
    rows = [("CORE", s, (i + 1) * 1e6, 12, 12) for i, s in enumerate(SUPPLIERS)]
    rows += [(c, "CORE", (i + 2) * 1.5e6, 10, 12) for i, c in enumerate(CUSTOMERS)]
    rows += [(s, f"R{i % 3 + 1}", 4e5, 6, 9) for i, s in enumerate(SUPPLIERS)]
    rows += [(f"D{i}{j}", c, 2e5, 4, 8) for i, c in enumerate(CUSTOMERS) for j in range(2)]
    payers = ["C1", "C2", "S1", "S2", "S3", "D00", "D11", "D21", "D31", "R1", "R2", "CORE"]
    rows += [(p, "UTIL", 5e4, 12, 12) for p in payers]
    rows += [("UTIL", "S5", 1e4, 1, 1)]
    rows += [("BUYER", f, 3e6, 12, 12) for f in ["S1", "S2", "S4", "C3", "C4", "R1", "R2", "R3"]]
    rng = np.random.default_rng(3)
    firms = SUPPLIERS + CUSTOMERS + ["R1", "R2", "R3"]
    for _ in range(6):
        a, b = rng.choice(firms, 2, replace=False)
        rows.append((str(a), str(b), float(rng.integers(1, 50)) * 1e3, 1, 2))
    df = pd.DataFrame(rows, columns=["payer", "payee", "amount", "count", "active_months"])
    return df.groupby(["payer", "payee"], as_index=False).agg(
        amount=("amount", "sum"), count=("count", "sum"), active_months=("active_months", "max")
    )


def row(ranked: pd.DataFrame, firm: str) -> pd.Series:
    return ranked.set_index("enterprise_id").loc[firm]


def test_the_core_ranks_first_and_the_decoys_are_not_cores(one_plus_n: pd.DataFrame) -> None:
    ranked = score_cores(one_plus_n, None, CoreScoring())
    core = ranked.iloc[0]
    assert core["enterprise_id"] == "CORE" and core["rank"] == 1 and core["is_core"]
    assert core["n_suppliers"] == 6 and core["n_customers"] == 5  # UTIL is a supplier too
    assert ranked["is_core"].sum() == 1
    util, buyer = row(ranked, "UTIL"), row(ranked, "BUYER")
    assert util["n_customers"] == 12 and not util["is_core"]  # paid by many, pays one
    assert buyer["n_suppliers"] == 8 and not buyer["is_core"]  # pays many, paid by none
    assert buyer["score"] < 0.5 * core["score"] and util["score"] < 0.5 * core["score"]


def test_a_one_sided_firm_scores_low_however_large(one_plus_n: pd.DataFrame) -> None:
    """BUYER pays more than anyone (CNY 24m) but nobody pays it: the both-sides term is 0."""
    ranked = score_cores(one_plus_n, None, CoreScoring(w_betweenness=0.0))
    buyer = row(ranked, "BUYER")
    assert buyer["out_strength"] == ranked["out_strength"].max()
    assert buyer["score"] == 0.0


def test_thresholds_decide_eligibility(one_plus_n: pd.DataFrame) -> None:
    assert not row(score_cores(one_plus_n, None, CoreScoring(min_customers=6)), "CORE")["is_core"]
    assert not row(score_cores(one_plus_n, None, CoreScoring(min_suppliers=7)), "CORE")["is_core"]
    strict = one_plus_n.assign(active_months=np.minimum(one_plus_n["active_months"], 5))
    assert not row(score_cores(strict, None, CoreScoring(min_active_months=6)), "CORE")["is_core"]
    loose = score_cores(one_plus_n, None, CoreScoring(min_suppliers=1, min_customers=1, top_n=3))
    assert loose["is_core"].sum() == 3 and loose["is_core"].iloc[0]
    assert (loose.loc[loose["is_core"], ["n_suppliers", "n_customers"]] >= 1).all().all()


def test_top_n_counts_eligible_firms_only(one_plus_n: pd.DataFrame) -> None:
    ranked = score_cores(one_plus_n, None, CoreScoring(min_suppliers=2, min_customers=2, top_n=2))
    paid, received = ranked["out_strength"], ranked["in_strength"]
    eligible = (ranked["n_suppliers"] >= 2) & (ranked["n_customers"] >= 2) & \
        (paid >= 0.1 * received) & (received >= 0.1 * paid)
    flagged = ranked.loc[ranked["is_core"], "enterprise_id"].tolist()
    assert flagged == ranked.loc[eligible, "enterprise_id"].head(2).tolist()


def test_ranking_is_deterministic_and_ignores_row_order(one_plus_n: pd.DataFrame) -> None:
    scoring = CoreScoring(betweenness_k=4)  # sampled: sources depend on ids and degrees only
    first = score_cores(one_plus_n, None, scoring)
    again = score_cores(one_plus_n.sample(frac=1.0, random_state=7), None, scoring)
    pd.testing.assert_frame_equal(first, again, check_exact=False, rtol=1e-12)


def test_output_is_sorted_with_ties_broken_by_id(one_plus_n: pd.DataFrame) -> None:
    ranked = score_cores(one_plus_n, None, CoreScoring())
    assert list(ranked.columns) == OUTPUT_COLUMNS
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert ranked["enterprise_id"].is_unique and len(ranked) == 26
    key = list(zip(-ranked["score"], ranked["enterprise_id"]))
    assert key == sorted(key)
    # the two distributors of each customer are structurally identical: a tie, by id
    ties = ranked[ranked["enterprise_id"].isin(["D40", "D41"])]
    assert ties["score"].nunique() == 1 and ties["enterprise_id"].tolist() == ["D40", "D41"]


def test_weights_change_the_ranking_as_documented() -> None:
    """BIG trades CNY 50m with 2 suppliers and 2 customers; WIDE trades CNY 1m with 6 and 6."""
    rows = [("BIG", f"bs{i}", 25e6) for i in range(2)] + [(f"bc{i}", "BIG", 25e6) for i in range(2)]
    rows += [("WIDE", f"ws{i}", 1e6 / 6) for i in range(6)] + [(f"wc{i}", "WIDE", 1e6 / 6) for i in range(6)]
    edges = pd.DataFrame(rows, columns=["payer", "payee", "amount"]).assign(count=1, active_months=12)
    only = {"w_amount": 0.0, "w_counterparties": 0.0, "w_pagerank": 0.0, "w_hits": 0.0, "w_betweenness": 0.0}
    by_amount = score_cores(edges, None, CoreScoring(**{**only, "w_amount": 1.0}))
    by_reach = score_cores(edges, None, CoreScoring(**{**only, "w_counterparties": 1.0}))
    assert by_amount["enterprise_id"].iloc[0] == "BIG"
    assert by_reach["enterprise_id"].iloc[0] == "WIDE"
    assert by_amount["score"].iloc[0] == pytest.approx(1.0)  # the largest on both sides scores 1


def test_score_follows_the_documented_formula(one_plus_n: pd.DataFrame) -> None:
    scoring = CoreScoring(w_amount=2.0, w_counterparties=1.0, w_pagerank=0.5, w_hits=0.25, w_betweenness=0.4)
    ranked = score_cores(one_plus_n, None, scoring)

    def u(col: str) -> pd.Series:
        x = ranked[col].clip(lower=0)
        return np.log1p(x / x.mean()) / np.log1p(x.max() / x.mean())

    w = {"amount": 2.0, "count": 1.0, "pr": 0.5, "hits": 0.25}
    buy = (w["amount"] * u("out_strength") + w["count"] * u("n_suppliers") + w["pr"] * u("pagerank_rev")
           + w["hits"] * u("hub")) / sum(w.values())  # fmt: skip
    sell = (w["amount"] * u("in_strength") + w["count"] * u("n_customers") + w["pr"] * u("pagerank")
            + w["hits"] * u("authority")) / sum(w.values())  # fmt: skip
    buy, sell = buy.where(ranked["n_suppliers"] > 0, 0.0), sell.where(ranked["n_customers"] > 0, 0.0)
    expected = (np.sqrt(buy * sell) + 0.4 * u("betweenness")) / 1.4
    np.testing.assert_allclose(ranked["score"], expected, atol=1e-11)
    np.testing.assert_allclose(core_score(ranked, scoring), ranked["score"], atol=0)


def test_metrics_are_the_flow_evidence(one_plus_n: pd.DataFrame) -> None:
    extra = [("CORE", "S1", 5e5, 1, 3), ("CORE", "CORE", 9e9, 1, 12), ("CORE", "NEW", 1e3, 1, 7)]
    dup = pd.concat([one_plus_n, pd.DataFrame(extra, columns=one_plus_n.columns)])
    scored = score_cores(dup, None, CoreScoring())
    core = row(scored, "CORE")
    assert core["out_strength"] == 15e6 + 5e4 + 5e5 + 1e3  # repeated pair summed, self-payment ignored
    assert row(scored, "NEW")["active_months"] == 7  # months count on the receiving side too
    assert core["in_strength"] == sum((i + 2) * 1.5e6 for i in range(5))
    assert core["active_months"] == 12
    expected = hodge_by_least_squares(dup)
    np.testing.assert_allclose(scored.set_index("enterprise_id").loc[expected.index, "position"],
                               expected, rtol=0, atol=1e-8)
    ranked = score_cores(one_plus_n, None, CoreScoring())
    assert row(ranked, "R1")["position"] > row(ranked, "CORE")["position"] > row(ranked, "D00")["position"]


def hodge_by_least_squares(edges: pd.DataFrame) -> pd.Series:
    """Each firm's position from the definition in ``cores``/``centrality``, densely: per unordered
    pair of firms that trade, the net flow to the payee divided by the pair's total; positions fit
    those differences by least squares, and the minimum-norm fit has mean zero (one component)."""
    paid = edges[edges["payer"] != edges["payee"]].groupby(["payer", "payee"])["amount"].sum()
    firms = sorted(set(edges["payer"]) | set(edges["payee"]))
    pairs: dict[tuple[str, str], tuple[float, float]] = {}
    for (payer, payee), amount in paid.items():
        low, high = sorted((payer, payee))
        net, total = pairs.get((low, high), (0.0, 0.0))
        pairs[(low, high)] = (net + (amount if payer == low else -amount), total + amount)
    design = np.zeros((len(pairs), len(firms)))
    target = np.zeros(len(pairs))
    for k, ((low, high), (net, total)) in enumerate(pairs.items()):
        design[k, firms.index(high)], design[k, firms.index(low)] = 1.0, -1.0
        target[k] = net / total
    return pd.Series(np.linalg.lstsq(design, target, rcond=None)[0], index=firms)


def test_names_and_explanations(one_plus_n: pd.DataFrame) -> None:
    names = pd.Series({"CORE": "华东机械制造有限公司", "S1": "某钢材供应商"})
    ranked = score_cores(one_plus_n, names, CoreScoring(explain_top=3))
    core = ranked.iloc[0]
    assert core["name"] == "华东机械制造有限公司" and pd.isna(row(ranked, "C1")["name"])
    assert core["explanation"].startswith("Pays 6 suppliers CNY 15.1m and is paid by 5 customers CNY 30m")
    assert "Eligible as a core" in core["explanation"]
    assert core["explanation_zh"].startswith("向6家供应商付款1505万元，收到5家客户付款3000万元")
    assert ranked["explanation"].notna().sum() == 3 and ranked["explanation_zh"].notna().sum() == 3
    assert "Not eligible" in ranked["explanation"].iloc[1]


def test_rank_cores_accepts_metrics_in_any_order(one_plus_n: pd.DataFrame) -> None:
    ranked = score_cores(one_plus_n, None, CoreScoring())
    metrics = ranked.drop(columns=["name", "rank", "score", "is_core"]).sample(frac=1.0, random_state=1)
    pd.testing.assert_frame_equal(rank_cores(metrics, None, CoreScoring()), ranked)


def test_empty_and_malformed_edges() -> None:
    empty = score_cores(pd.DataFrame(columns=["payer", "payee", "amount", "count", "active_months"]),
                        None, CoreScoring())  # fmt: skip
    assert empty.empty and list(empty.columns) == OUTPUT_COLUMNS
    with pytest.raises(ValueError, match="active_months"):
        score_cores(pd.DataFrame({"payer": ["a"], "payee": ["b"], "amount": [1.0]}), None, CoreScoring())
    with pytest.raises(ValueError, match="missing"):
        score_cores(pd.DataFrame({"payer": ["a", None], "payee": ["b", "a"], "amount": [1.0, 2.0],
                                  "count": 1, "active_months": 1}), None, CoreScoring())  # fmt: skip


def test_scoring_is_frozen_and_validated() -> None:
    scoring = CoreScoring()
    with pytest.raises(ValidationError):
        scoring.top_n = 5  # type: ignore[misc]
    with pytest.raises(ValidationError):
        CoreScoring(w_amount=-1)
    with pytest.raises(ValidationError):
        CoreScoring(min_active_months=13)
    with pytest.raises(ValidationError):
        CoreScoring(betweenness_k=1)


def test_a_firm_living_on_costs_that_are_not_trade_is_no_core() -> None:
    """AGENT: 30 clients pay it CNY 1m each for outsourced staff (its costs are wages, not trade), and it
    passes CNY 20k to each of 30 firms: 30 suppliers and 30 customers, but what it pays is 2 % of what
    it is paid. MAKER, as many ties, pays its suppliers 60 % of its sales: a core."""
    rows = [(f"c{i}", "AGENT", 1e6) for i in range(30)] + [("AGENT", f"s{i}", 2e4) for i in range(30)]
    rows += [(f"b{i}", "MAKER", 1e6) for i in range(30)] + [("MAKER", f"m{i}", 6e5) for i in range(30)]
    edges = pd.DataFrame(rows, columns=["payer", "payee", "amount"]).assign(count=12, active_months=12)
    ranked = score_cores(edges, None, CoreScoring())
    agent, maker = row(ranked, "AGENT"), row(ranked, "MAKER")
    assert (agent["n_suppliers"], agent["n_customers"]) == (30, 30) == (maker["n_suppliers"], maker["n_customers"])
    assert maker["is_core"] and not agent["is_core"]
    assert "Not eligible" in agent["explanation"] and "each ≥10% of the other" in agent["explanation"]
    assert row(score_cores(edges, None, CoreScoring(min_trade_balance=0.0)), "AGENT")["is_core"]
