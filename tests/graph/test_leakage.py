"""Leakage shares and relationship alerts on small hand-made flows with known answers."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chainsight.graph.leakage import ALERT_COLUMNS, AlertRules, alerts, leakage

NAMES = pd.Series({"K": "核心", "T": "丙公司", "C": "丁公司"})


def flows(rows: list[tuple[str, str, float, float, float]]) -> pd.DataFrame:
    """(payer, payee, amount, amount_payer_ours, amount_payee_ours) rows as a flows table."""
    frame = pd.DataFrame(rows, columns=["payer_id", "payee_id", "amount", "amount_payer_ours", "amount_payee_ours"])
    return frame.assign(count=1, active_months=1)


@pytest.fixture
def core_flows() -> pd.DataFrame:
    nan = float("nan")
    return flows([
        ("K", "S", 100.0, 100.0, 100.0),  # supplier banks with us: not leakage
        ("K", "T", 300.0, 300.0, 0.0),    # supplier entirely at another bank
        ("K", "U", 100.0, 100.0, 40.0),   # supplier 40 with us, 60 elsewhere
        ("B", "K", 50.0, 10.0, 50.0),     # buyer 10 with us, 40 elsewhere
        ("C", "K", 150.0, nan, 150.0),    # buyer's side unknown: NaN counts as not ours
        ("K", "K", 999.0, 0.0, 0.0),      # transfer between the core's own accounts: ignored
        ("X", "Y", 777.0, 0.0, 0.0),      # not the core's flow
    ])


def test_leakage_shares_by_hand(core_flows: pd.DataFrame) -> None:
    summary, _ = leakage(core_flows, ["K", "Z"], NAMES)
    rows = {r["core_id"]: r for r in summary.to_dict("records")}
    k, z = rows["K"], rows["Z"]  # Z: a core without flows
    assert (k["paid_total"], k["paid_offus"], k["received_total"], k["received_offus"]) == (500.0, 360.0, 200.0,
                                                                                         190.0)
    assert k["paid_offus_share"] == pytest.approx(0.72) and k["received_offus_share"] == pytest.approx(0.95)
    assert k["n_external_counterparties"] == 4  # T, U, B, C
    assert (z["paid_total"], z["n_external_counterparties"]) == (0.0, 0) and math.isnan(z["paid_offus_share"])
    assert summary.columns.tolist() == ["core_id", "paid_total", "paid_offus", "paid_offus_share",
                                        "received_total", "received_offus", "received_offus_share",
                                        "n_external_counterparties"]


def test_top_external_counterparties(core_flows: pd.DataFrame) -> None:
    _, top = leakage(core_flows, ["K"], NAMES)
    assert top[["enterprise_id", "name", "direction", "amount_offus", "rank"]].values.tolist() == [
        ["C", "丁公司", "down", 150.0, 1], ["B", "B", "down", 40.0, 2],
        ["T", "丙公司", "up", 300.0, 1], ["U", "U", "up", 60.0, 2]]
    assert top["share_of_core"].tolist() == pytest.approx([0.75, 0.2, 0.6, 0.12])
    _, first = leakage(core_flows, ["K"], NAMES, top=1)
    assert first["enterprise_id"].tolist() == ["C", "T"]


def test_ours_above_amount_is_clipped() -> None:
    summary, top = leakage(flows([("K", "S", 100.0, 0.0, 250.0)]), ["K"], NAMES)
    assert summary.loc[0, "paid_offus"] == 0.0 and top.empty


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("KABC"), st.sampled_from("KABC"), st.floats(0, 1e6),
                          st.floats(0, 2e6), st.floats(0, 2e6)), max_size=15))
def test_leakage_shares_are_fractions(rows: list[tuple[str, str, float, float, float]]) -> None:
    summary, top = leakage(flows(rows), ["K", "A"], NAMES, top=2)
    for side in ("paid", "received"):
        share = summary[f"{side}_offus_share"].dropna()
        assert share.between(0, 1 + 1e-12).all()
        assert (summary[f"{side}_offus"] <= summary[f"{side}_total"] + 1e-6).all()
    assert top["rank"].between(1, 2).all() and top["share_of_core"].between(0, 1 + 1e-12).all()


MONTHS = pd.date_range("2024-01-01", periods=6, freq="MS")  # previous = Jan-Mar, recent = Apr-Jun


def monthly(payer: str, payee: str, amounts: list[float], ours: list[float] | None = None) -> list[dict[str, object]]:
    """Six months of a payer -> payee relationship; ``ours`` is the counterparty side through us."""
    ours = amounts if ours is None else ours
    core_pays = payer.startswith("K")
    return [dict(payer_id=payer, payee_id=payee, month=m, amount=a, count=1,
                 amount_payer_ours=a if core_pays else o, amount_payee_ours=o if core_pays else a)
            for m, a, o in zip(MONTHS, amounts, ours) if a > 0]


def run(*relationships: list[dict[str, object]], rules: AlertRules | None = None) -> pd.DataFrame:
    """Alerts for every core (ids starting with K) in the given relationships."""
    frame = pd.DataFrame([row for rel in relationships for row in rel])
    cores = sorted({i for i in set(frame["payer_id"]) | set(frame["payee_id"]) if i.startswith("K")})
    return alerts(frame, cores, NAMES, rules or AlertRules())


STEADY_UP = monthly("K", "S", [1e5] * 6)
STEADY_DOWN = monthly("B", "K", [2e5] * 6)


def kinds(out: pd.DataFrame) -> list[tuple[str, str, str]]:
    return list(zip(out["enterprise_id"], out["kind"], out["severity"]))


def test_steady_relationships_raise_nothing() -> None:
    out = run(STEADY_UP, STEADY_DOWN)
    assert out.empty and out.columns.tolist() == ALERT_COLUMNS


def test_new_counterparty() -> None:
    out = run(STEADY_UP, monthly("K", "N", [0, 0, 0, 0, 1e4, 1e4]))
    assert kinds(out) == [("N", "new_counterparty", "medium")]  # 20k of 320k = 6.25 %
    row = out.iloc[0]
    assert (row["direction"], row["previous_amount"], row["recent_amount"]) == ("up", 0.0, 2e4)
    assert row["recent_share"] == pytest.approx(2 / 32) and row["previous_share"] == 0.0
    assert "New supplier" in row["detail_en"] and "新增供应商" in row["detail_zh"] and "6.2%" in row["detail_en"]


def test_new_means_never_before_the_recent_window() -> None:
    came_back = monthly("K", "R", [5e4, 0, 0, 0, 0, 5e4])  # traded in January, before the previous window
    out = run(STEADY_UP, came_back, rules=AlertRules(previous_months=2))
    assert "new_counterparty" not in set(out["kind"])
    fresh = monthly("K", "R", [0, 0, 0, 0, 0, 5e4])
    out = run(STEADY_UP, fresh, rules=AlertRules(previous_months=2))
    assert ("R", "new_counterparty") in [k[:2] for k in kinds(out)]


def test_stopped() -> None:
    out = run(STEADY_UP, monthly("K", "P", [5e4, 5e4, 5e4, 0, 0, 0]))
    assert kinds(out) == [("P", "stopped", "high")]  # 150k of 450k
    row = out.iloc[0]
    assert (row["previous_amount"], row["recent_amount"], row["recent_share"]) == (1.5e5, 0.0, 0.0)
    assert row["previous_share"] == pytest.approx(1 / 3)
    assert "stopped" in row["detail_en"] and "交易中断" in row["detail_zh"]
    short = run(STEADY_UP, monthly("K", "P", [5e4, 5e4, 5e4, 0, 0, 0]), rules=AlertRules(previous_months=2))
    assert short["previous_amount"].tolist() == [1e5]  # Feb-Mar: January is outside the previous window
    long_gone = run(STEADY_UP, monthly("K", "P", [5e4, 0, 0, 0, 0, 0]), rules=AlertRules(previous_months=2))
    assert long_gone.empty  # it had stopped before the previous window began


def test_share_drop() -> None:
    out = run(monthly("K", "A", [1e5] * 6), monthly("K", "Q", [1e5, 1e5, 1e5, 2e4, 2e4, 2e4]))
    assert kinds(out) == [("Q", "share_drop", "high")]
    row = out.iloc[0]
    assert row["previous_share"] == pytest.approx(0.5) and row["recent_share"] == pytest.approx(6 / 36)
    assert "from 50.0% to 16.7% (33.3 points)" in row["detail_en"] and "下降33.3个百分点" in row["detail_zh"]
    assert run(monthly("K", "A", [1e5] * 6), monthly("K", "Q", [1e5, 1e5, 1e5, 2e4, 2e4, 2e4]),
               rules=AlertRules(share_drop=0.4)).empty


def test_moved_bank() -> None:
    moved = monthly("M", "K", [1e5] * 6, ours=[1e5, 1e5, 1e5, 2e4, 2e4, 2e4])
    out = run(moved)
    assert kinds(out) == [("M", "moved_bank", "high")]
    row = out.iloc[0]
    assert row["direction"] == "down" and row["previous_share"] == row["recent_share"] == 1.0
    assert "100% of its side ran through our accounts" in row["detail_en"] and "80% through other" in row["detail_en"]
    half = monthly("M", "K", [1e5] * 6, ours=[1e5, 1e5, 1e5, 5e4, 5e4, 5e4])  # only 50 % elsewhere: not "mainly"
    assert run(half).empty
    core_moved = monthly("K", "S", [1e5] * 6)
    for moved_row in core_moved[3:]:
        moved_row["amount_payer_ours"] = 0.0  # the core's own side moved banks; the supplier's did not
    assert run(core_moved).empty


def test_min_amount_ignores_tiny_relationships() -> None:
    tiny = monthly("K", "T", [1e3, 1e3, 1e3, 0, 0, 0])
    assert kinds(run(STEADY_UP, tiny)) == []
    assert kinds(run(STEADY_UP, tiny, rules=AlertRules(min_amount=0))) == [("T", "stopped", "low")]


def test_severity_caps_and_sort_order() -> None:
    big_new = monthly("K", "N", [0, 0, 0, 0, 0, 5e6])
    small_move = monthly("M", "K", [1e5] * 6, ours=[1e5, 1e5, 1e5, 0, 0, 0])
    out = run(STEADY_UP, big_new, monthly("K2", "P", [5e4, 5e4, 5e4, 0, 0, 0]), monthly("K2", "S", [1e5] * 6),
              small_move, monthly("A", "K", [1e7] * 6))
    assert [(c, e, k, s) for c, e, k, s in zip(out["core_id"], out["enterprise_id"], out["kind"], out["severity"])
            ] == [("K", "S", "share_drop", "high"),           # 1.0 -> 0.057 of the spend
                  ("K", "M", "moved_bank", "medium"),         # 1 % of receipts, but moving banks is at least medium
                  ("K", "N", "new_counterparty", "medium"),   # 94 % of spend, but a new one is at most medium
                  ("K2", "P", "stopped", "high")]


def test_alert_rules_are_validated() -> None:
    with pytest.raises(ValidationError):
        AlertRules(medium_share=0.2, high_share=0.1)
    with pytest.raises(ValidationError):
        AlertRules(recent_months=0)


def test_alerts_are_deterministic() -> None:
    frame = pd.DataFrame(STEADY_UP + monthly("K", "N", [0, 0, 0, 0, 1e4, 1e4])
                         + monthly("K", "P", [5e4, 5e4, 5e4, 0, 0, 0]) + monthly("K9", "Q", [1e5, 1e5, 1e5, 0, 0, 0]))
    a = alerts(frame, ["K", "K9"], NAMES, AlertRules())
    b = alerts(frame.sample(frac=1, random_state=7), ["K9", "K"], NAMES, AlertRules())
    pd.testing.assert_frame_equal(a, b)
    assert a["core_id"].tolist() == ["K", "K", "K9"] and len(a) == 3


def test_no_data_no_alerts() -> None:
    empty = pd.DataFrame(columns=["payer_id", "payee_id", "month", "amount", "count", "amount_payer_ours",
                                  "amount_payee_ours"])
    assert alerts(empty, ["K"], NAMES, AlertRules()).columns.tolist() == ALERT_COLUMNS
    summary, top = leakage(empty.drop(columns="month"), ["K"], NAMES)
    assert summary["paid_offus_share"].isna().all() and top.empty
