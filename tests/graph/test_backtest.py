"""The back-test's pure functions, on hand-made prospects whose precision is worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from chainsight.graph.backtest import (BACKTEST_COLUMNS, backtest, candidates, later_conversions, precision_at_k,
                                       ranking, recorded_successes)

# Two cores. Core A ranks a..f by score; by amount the order is f, e, d, c, b, a. Core B holds b again
# (at a better score than in A) and g, h; x is a credit_team prospect, never ranked.
PROSPECTS = pd.DataFrame(
    [("A", "a", 0.95, "deepen", 10.0), ("A", "b", 0.90, "acquire", 20.0), ("A", "c", 0.85, "acquire", 30.0),
     ("A", "d", 0.80, "deepen", 40.0), ("A", "e", 0.75, "acquire", 50.0), ("A", "f", 0.70, "acquire", 60.0),
     ("A", "x", 0.99, "credit_team", 99.0),
     ("B", "b", 0.97, "acquire", 5.0), ("B", "g", 0.60, "acquire", 70.0), ("B", "h", 0.50, "deepen", 1.0)],
    columns=["core_id", "enterprise_id", "score", "kind", "amount"])
PROSPECTS["evidence"] = [{"amount": a} for a in PROSPECTS.pop("amount")]


def test_precision_at_k_by_hand() -> None:
    ranked = ["a", "b", "c", "d", "e"]
    assert precision_at_k(ranked, {"a", "c"}, 1) == 1.0
    assert precision_at_k(ranked, {"a", "c"}, 2) == 0.5
    assert precision_at_k(ranked, {"a", "c"}, 4) == 0.5
    assert precision_at_k(ranked, {"e"}, 5) == 0.2
    assert precision_at_k(ranked, {"e"}, 50) == 0.2  # five ranked: out of five
    assert precision_at_k(ranked, set(), 3) == 0.0
    assert precision_at_k([], {"a"}, 10) is None


def test_overall_ranking_lists_each_firm_once_at_its_best() -> None:
    rows = candidates(PROSPECTS)
    assert "x" not in set(rows["enterprise_id"])  # credit_team: never ranked
    # b's best score is 0.97 (core B), so it leads; by amount it counts at its best, 20 (core A)
    assert ranking(rows, "score") == ["b", "a", "c", "d", "e", "f", "g", "h"]
    assert ranking(rows, "amount") == ["g", "f", "e", "d", "c", "b", "a", "h"]


def test_backtest_by_hand() -> None:
    converted = {"b", "e", "h", "x"}  # x converted but is no rankable prospect
    t = backtest(PROSPECTS, {"later": converted}, ks=(2, 5))
    assert list(t.columns) == list(BACKTEST_COLUMNS)
    assert list(t["scope"].unique()) == ["all", "A", "B"]
    got = {(r.scope, r.k): r for r in t.itertuples()}
    overall2, overall5 = got[("all", 2)], got[("all", 5)]
    assert (overall2.candidates, overall2.converted, overall2.base_rate) == (8, 3, 3 / 8)
    assert (overall2.chainsight_hits, overall2.chainsight_precision) == (1, 0.5)    # b a
    assert (overall2.amount_hits, overall2.amount_precision) == (0, 0.0)            # g f
    assert (overall5.chainsight_hits, overall5.chainsight_precision) == (2, 0.4)    # b a c d e
    assert (overall5.amount_hits, overall5.amount_precision) == (1, 0.2)            # g f e d c
    core_a5 = got[("A", 5)]
    assert (core_a5.candidates, core_a5.converted, core_a5.base_rate) == (6, 2, 2 / 6)
    assert (core_a5.chainsight_hits, core_a5.chainsight_precision) == (2, 0.4)      # a b c d e
    assert (core_a5.amount_hits, core_a5.amount_precision) == (2, 0.4)              # f e d c b
    core_b2, core_b5 = got[("B", 2)], got[("B", 5)]
    assert (core_b2.chainsight_hits, core_b2.amount_hits) == (1, 1)                 # b g | g b
    assert core_b5.chainsight_precision == pytest.approx(2 / 3)                     # three ranked: b g h


def test_nothing_ranked_is_none_not_zero() -> None:
    only_credit = PROSPECTS[PROSPECTS["kind"] == "credit_team"]
    t = backtest(only_credit, {"later": {"x"}}, ks=(10,), per_core=False)
    row = t.iloc[0]
    assert row["candidates"] == 0 and row["chainsight_precision"] is None and row["base_rate"] is None


FIRMS = pd.DataFrame({"enterprise_id": ["a", "d", "h", "u"], "deposits": [100.0, 0.0, float("nan"), 50.0],
                      "products": ["企业网银", "", "企业网银", "企业网银;法人理财"]})


def _later(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["enterprise_id", "name_id", "deposits", "products"])


def test_later_conversions_by_hand() -> None:
    later = _later([
        ("9132X", "b", 1.0, ""),                  # b (known by name) is our customer now, under its code
        ("e", "N-e", 0.0, ""),                     # e keyed by the same id as in the payments
        ("a", "N-a", 120.0, "企业网银"),            # exactly +20 %: not more than the threshold
        ("d", "N-d", 0.01, ""),                    # from nothing to something: grew
        ("h", "N-h", 900.0, "企业网银;现金管理"),     # deposits unknown before: a new product still counts
        ("u", "N-u", 1e6, "企业网银;法人理财"),       # no prospect: ignored
    ])
    got = later_conversions(PROSPECTS, FIRMS, later)
    assert got.to_dict("records") == [
        {"enterprise_id": "b", "kind": "acquire", "how": "account_opened"},
        {"enterprise_id": "d", "kind": "deepen", "how": "deposits_grew"},
        {"enterprise_id": "e", "kind": "acquire", "how": "account_opened"},
        {"enterprise_id": "h", "kind": "deepen", "how": "product_added"},
    ]
    assert later_conversions(PROSPECTS, FIRMS, later, growth=0.19)["enterprise_id"].tolist() == ["a", "b", "d",
                                                                                                 "e", "h"]


def test_a_deepen_prospect_both_grown_and_a_product_and_one_that_shrank() -> None:
    later = _later([("a", "N-a", 300.0, "企业网银;现金管理"), ("d", "N-d", 0.0, "")])
    got = later_conversions(PROSPECTS, FIRMS, later)
    assert got.to_dict("records") == [{"enterprise_id": "a", "kind": "deepen", "how": "deposits_grew+product_added"}]


def test_a_credit_team_firm_is_never_a_conversion() -> None:
    later = _later([("x", "N-x", 1.0, "")])
    assert later_conversions(PROSPECTS, FIRMS, later).empty


def test_recorded_successes_are_accounts_opened_and_products_sold() -> None:
    outcomes = pd.DataFrame({"firm_id": ["a", "a", "b", "c", "d"],
                             "kind": ["contacted", "visited", "declined", "account_opened", "product_sold"]})
    assert recorded_successes(outcomes) == {"c", "d"}
    assert recorded_successes(pd.DataFrame(columns=["firm_id", "kind"])) == set()
    t = backtest(PROSPECTS, {"recorded": recorded_successes(outcomes)}, ks=(4,), per_core=False)
    # overall by score: b a c d -> c, d: 2 of 4; by amount: g f e d -> d: 1 of 4
    assert t.iloc[0]["chainsight_precision"] == 0.5 and t.iloc[0]["amount_precision"] == 0.25
    assert math.isclose(t.iloc[0]["base_rate"], 2 / 8)
