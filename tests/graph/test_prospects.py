"""Prospect ranking on one hand-made "1+N" chain whose members each carry one known property."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chainsight.graph.prospects import COMPONENTS, KINDS, ComponentWeights, ProspectScoring, rank_prospects

MONTHS = pd.date_range("2024-01-01", periods=12, freq="MS")
STEADY = [1e5] * 12


def member(eid: str, **kw: Any) -> dict[str, Any]:
    """A tier-1 supplier of core K trading CNY 100k a month, unless told otherwise."""
    row = dict(core_id="K", enterprise_id=eid, direction="up", tier=1, via_id="K", amount=1.2e6, count=12,
               active_months=12, months_in_period=12, first_date=MONTHS[0], last_date=MONTHS[-1],
               share_of_core=0.05, dependency=0.2, trend=0.0, monthly=STEADY, ppr=0.5, n_cores=1)
    row.update(kw)
    if "monthly" in kw and "amount" not in kw:
        row["amount"] = float(sum(kw["monthly"]))
    return row


def outsider(eid: str, **kw: Any) -> dict[str, Any]:
    """A firm that banks elsewhere."""
    row = dict(enterprise_id=eid, name=f"{eid}公司", is_customer=False, customer_id=None, customer_type=None,
               branch=None, manager=None, eligible=False, eligibility_rule="not_customer", deposits=np.nan,
               credit_on_balance=np.nan, credit_off_balance=np.nan, loan_balance=np.nan, ebanking=False,
               products="", n_accounts=0, account_closed=False)
    row.update(kw)
    return row


def customer(eid: str, deposits: float, **kw: Any) -> dict[str, Any]:
    """Our eligible small no-loan corporate customer, unless told otherwise."""
    row = dict(is_customer=True, customer_id=f"C{eid}", customer_type="corporate", branch="B1", manager="M1",
               eligible=True, eligibility_rule="eligible", deposits=deposits, credit_on_balance=0.0,
               credit_off_balance=0.0, loan_balance=0.0, ebanking=True, products="企业网银", n_accounts=1)
    return outsider(eid, **{**row, **kw})


def flat(eid: str, balance: float) -> list[dict[str, Any]]:
    return [dict(enterprise_id=eid, month=m, balance=balance) for m in MONTHS]


def series(eid: str, values: list[float]) -> list[dict[str, Any]]:
    return [dict(enterprise_id=eid, month=m, balance=v) for m, v in zip(MONTHS, values)]


@pytest.fixture
def chain() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Core K with one member per kind, segment and stage."""
    members = [
        member("DEEP", amount=3.2e6, count=30, active_months=11, share_of_core=0.085, dependency=0.64, ppr=1.0),
        member("ACQ", dependency=0.5),
        member("LOAN", direction="down"),
        member("OVER", direction="down"),
        member("CLOSED"),
        member("DRAIN"),
        member("VOL"),
        member("LOW"),
        member("T2", tier=2, via_id="ACQ", dependency=0.9),
        member("ENTRY", monthly=[0.0] * 10 + [5e4, 5e4]),
        member("GROW", monthly=[1e4] * 9 + [3e4] * 3),
        member("WARN", monthly=[3e4] * 9 + [1e4] * 3),
        member("LOST", monthly=[3e4] * 9 + [0.0] * 3),
    ]
    firms = [
        customer("DEEP", 420_000.0),
        outsider("ACQ"),
        customer("LOAN", 50_000.0, eligible=False, eligibility_rule="has_loan", loan_balance=1e6),
        customer("OVER", 2e6, eligible=False, eligibility_rule="deposits_over_cap"),
        customer("CLOSED", 450_000.0, account_closed=True),
        customer("DRAIN", 20_000.0),
        customer("VOL", 200_000.0),
        customer("LOW", 5_000.0),
        outsider("T2"), outsider("ENTRY"), outsider("GROW"), outsider("WARN"), outsider("LOST"),
    ]
    balances = (flat("DEEP", 420_000.0) + flat("CLOSED", 450_000.0) + flat("LOW", 5_000.0)
                + series("DRAIN", [300_000.0] * 9 + [20_000.0] * 3)
                + series("VOL", [50_000.0, 350_000.0] * 6) + flat("OVER", 2e6))
    return pd.DataFrame(members), pd.DataFrame(firms), pd.DataFrame(balances)


Chain = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def frame(chain: Chain, scoring: ProspectScoring | None = None) -> pd.DataFrame:
    members, firms, balances = chain
    return rank_prospects(members, firms, balances, scoring or ProspectScoring())


def ranked(chain: Chain, scoring: ProspectScoring | None = None) -> dict[str, dict[str, Any]]:
    """The output rows of core K by enterprise_id."""
    return {str(r["enterprise_id"]): {str(k): v for k, v in r.items()}
            for r in frame(chain, scoring).to_dict("records") if r["core_id"] == "K"}


def test_kinds(chain: Chain) -> None:
    out = ranked(chain)
    assert out["DEEP"]["kind"] == "deepen" and bool(out["DEEP"]["eligible"])
    assert out["ACQ"]["kind"] == "acquire" and not bool(out["ACQ"]["is_customer"])
    assert out["LOAN"]["kind"] == "credit_team"
    assert out["OVER"]["kind"] == "existing"
    assert {row["kind"] for row in out.values()} <= set(KINDS)


def test_credit_balance_or_rule_alone_makes_credit_team(chain: Chain) -> None:
    members, firms, balances = chain
    firms.loc[firms["enterprise_id"] == "OVER", "credit_off_balance"] = 1.0
    firms.loc[firms["enterprise_id"] == "LOAN", "loan_balance"] = 0.0  # rule has_loan still says so
    out = ranked((members, firms, balances))
    assert (out["OVER"]["kind"], out["LOAN"]["kind"]) == ("credit_team", "credit_team")


@pytest.mark.parametrize("eid, segment, segment_zh", [
    ("DEEP", "tier_threshold", "分段临界"),     # 420k >= 0.8 x 500k
    ("CLOSED", "closure_warning", "销户预警"),  # also near a tier: closure takes precedence
    ("DRAIN", "closure_warning", "销户预警"),   # balances fell 93 %
    ("VOL", "volatile_active", "波动有效"),     # CV 0.75, trades every month
    ("LOW", "low_yield", "低效潜在"),           # 5k deposits
    ("ACQ", "chain_potential", "上下游潜力"),
    ("OVER", "chain_potential", "上下游潜力"),  # 2m: 0.4 of the 5m tier, steady, not low
])
def test_segments(chain: Chain, eid: str, segment: str,
                  segment_zh: str) -> None:
    out = ranked(chain)
    assert (out[eid]["segment"], out[eid]["segment_zh"]) == (segment, segment_zh)


def test_low_yield_when_deposits_are_small_against_the_flow(chain: Chain) -> None:
    members, firms, balances = chain
    members.loc[members["enterprise_id"] == "OVER", "amount"] = 12 * 25e6  # 25m a month through a 2m balance
    assert ranked((members, firms, balances))["OVER"]["segment"] == "low_yield"


def test_closure_rule_can_be_switched_off(chain: Chain) -> None:
    out = ranked(chain, ProspectScoring(closure_on_closed_account=False))
    assert out["CLOSED"]["segment"] == "tier_threshold"


@pytest.mark.parametrize("eid, stage, stage_zh", [
    ("ENTRY", "entry", "进入"), ("GROW", "growth", "成长"), ("ACQ", "stable", "稳定"),
    ("WARN", "warning", "预警"), ("LOST", "lost", "流失"),
    ("DRAIN", "warning", "预警"),  # our customer: its balances fall although its trade is steady
])
def test_stages(chain: Chain, eid: str, stage: str,
                stage_zh: str) -> None:
    out = ranked(chain)
    assert (out[eid]["stage"], out[eid]["stage_zh"]) == (stage, stage_zh)


def test_emptied_balance_is_lost_and_closure_warning(chain: Chain
                                                     ) -> None:
    members, firms, balances = chain
    balances.loc[(balances["enterprise_id"] == "DRAIN") & (balances["month"] >= MONTHS[9]), "balance"] = 0.0
    out = ranked((members, firms, balances))
    assert (out["DRAIN"]["stage"], out["DRAIN"]["segment"]) == ("lost", "closure_warning")
    assert out["DRAIN"]["evidence"]["balance_drop"] == 1.0


def test_missing_month_end_balances_carry_forward(chain: Chain) -> None:
    members, firms, balances = chain
    gap = (balances["enterprise_id"] == "DEEP") & balances["month"].isin(MONTHS[9:11])
    out = ranked((members, firms, balances[~gap]))
    assert (out["DEEP"]["stage"], out["DEEP"]["segment"]) == ("stable", "tier_threshold")


def test_products_follow_rules_and_skip_held(chain: Chain) -> None:
    members, firms, balances = chain
    firms.loc[firms["enterprise_id"] == "DEEP", "products"] = "企业网银;账户信使"
    members.loc[members["enterprise_id"] == "ACQ", "n_cores"] = 3
    out = ranked((members, firms, balances))
    # DEEP: regular (11/12 months, 30 payments), idle 420k, tier 1 and 64 % dependent; holds 网银 and 信使
    assert out["DEEP"]["products"] == ["结算套餐", "法人理财", "交易银行", "贸易融资"]
    # ACQ: not ours (no 网银, no 信使, no 理财), 12 payments in 12 months, three chains, dependency 0.5
    assert out["ACQ"]["products"] == ["企业网银", "结算套餐", "现金管理", "交易银行", "贸易融资"]
    # T2 depends 90 % on its via firm but is tier 2: no trade finance against the core
    assert "交易银行" not in out["T2"]["products"]
    # LOW: 5k floor, steady, 20 % dependency: settlement, alerts; e-banking already signed
    assert out["LOW"]["products"] == ["结算套餐", "账户信使"]
    assert "法人理财" in out["VOL"]["products"]  # volatile balances


def test_product_thresholds(chain: Chain) -> None:
    members, firms, balances = chain
    members.loc[members["enterprise_id"] == "LOW", "count"] = 11  # active every month, but 11 payments
    firms.loc[firms["enterprise_id"] == "ACQ", "ebanking"] = True  # e-banking at another bank is not ours
    out = ranked((members, firms, balances))
    assert out["LOW"]["products"] == ["账户信使"]
    assert out["ACQ"]["products"][0] == "企业网银"
    strict = ranked(chain, ProspectScoring(settlement_min_count=13, trade_dependency=0.7))
    assert "结算套餐" not in strict["LOW"]["products"] and "交易银行" not in strict["DEEP"]["products"]


def test_products_never_suggest_what_is_held(chain: Chain) -> None:
    members, firms, balances = chain
    everything = "企业网银;结算套餐;现金管理;法人理财;交易银行;贸易融资;账户信使"
    firms["products"] = everything
    out = frame((members, firms, balances))
    assert len(out) == 13 and all(p == [] for p in out["products"])


def test_tier_gap_component(chain: Chain) -> None:
    out = ranked(chain)
    assert out["DEEP"]["c_tier_gap"] == pytest.approx(420 / 500)
    assert out["OVER"]["c_tier_gap"] == pytest.approx(2 / 5)
    assert out["ACQ"]["c_tier_gap"] == 0.0
    ev = out["DEEP"]["evidence"]
    assert (ev["next_tier"], ev["gap_to_tier"]) == (500_000.0, 80_000.0)


def test_tier_edges(chain: Chain) -> None:
    members, firms, balances = chain
    firms.loc[firms["enterprise_id"] == "DEEP", "deposits"] = 500_000.0  # on a threshold: next is 1m
    firms.loc[firms["enterprise_id"] == "OVER", "deposits"] = 6e6  # above the top tier: no next tier
    out = ranked((members, firms, balances))
    assert (out["DEEP"]["evidence"]["next_tier"], out["DEEP"]["c_tier_gap"]) == (1e6, 0.5)
    assert (out["OVER"]["evidence"]["next_tier"], out["OVER"]["c_tier_gap"]) == (None, 0.0)
    assert "CNY 500k short of the 1m tier" in out["DEEP"]["reasons_en"]


def test_score_is_the_documented_weighted_mean(chain: Chain) -> None:
    weights = ComponentWeights(strength=2, regularity=1, dependency=0, tier_decay=3, multi_core=0, growth=1,
                               tier_gap=1)
    table = frame(chain, ProspectScoring(weights=weights))
    w = np.array([getattr(weights, c) for c in COMPONENTS])
    expected = table[[f"c_{c}" for c in COMPONENTS]].to_numpy() @ w / w.sum()
    np.testing.assert_allclose(table["score"].to_numpy(), expected)
    out = ranked(chain, ProspectScoring(weights=weights))
    # strength: log scale against the core's largest member (DEEP, 3.2m)
    assert out["DEEP"]["c_strength"] == 1.0
    assert out["ACQ"]["c_strength"] == pytest.approx(np.log1p(120) / np.log1p(320))
    assert out["ENTRY"]["c_regularity"] == pytest.approx(1.0)  # the member's own active_months
    assert out["GROW"]["c_growth"] == 0.5  # trend 0.0
    assert out["DEEP"]["c_dependency"] == 0.64 and out["DEEP"]["c_tier_decay"] == 1.0


@pytest.mark.parametrize("n_cores, expected", [(1, 0.0), (2, 1 / 3), (4, 1.0), (9, 1.0)])
def test_multi_core_component(n_cores: int, expected: float) -> None:
    members = pd.DataFrame([member("X", n_cores=n_cores)])
    out = rank_prospects(members, pd.DataFrame([outsider("X")]),
                         pd.DataFrame(columns=["enterprise_id", "month", "balance"]), ProspectScoring())
    assert out.loc[0, "c_multi_core"] == pytest.approx(expected)


def test_ranking_responds_to_weights() -> None:
    members = pd.DataFrame([member("BIG", amount=5e6, dependency=0.1), member("TIED", amount=1e5, dependency=0.9)])
    firms = pd.DataFrame([outsider("BIG"), outsider("TIED")])
    balances = pd.DataFrame(columns=["enterprise_id", "month", "balance"])
    zero = {c: 0.0 for c in COMPONENTS}

    def first(**weight: float) -> str:
        scoring = ProspectScoring(weights=ComponentWeights(**{**zero, **weight}))
        return str(rank_prospects(members, firms, balances, scoring).iloc[0]["enterprise_id"])

    assert first(strength=1.0) == "BIG"
    assert first(dependency=1.0) == "TIED"
    assert first(strength=1.0, dependency=10.0) == "TIED"


def test_lead_kinds_rank_before_credit_team_and_existing(chain: Chain
                                                         ) -> None:
    members, firms, balances = chain
    members.loc[members["enterprise_id"] == "LOAN", ["amount", "dependency", "ppr"]] = [9e6, 1.0, 1.0]
    out = rank_prospects(members, firms, balances, ProspectScoring())
    lead = out["kind"].isin(["deepen", "acquire"])
    assert out["rank"].tolist() == list(range(1, len(out) + 1))
    assert lead.iloc[: lead.sum()].all() and not lead.iloc[lead.sum():].any()
    loan = out[out["enterprise_id"] == "LOAN"].iloc[0]
    assert loan["score"] == out["score"].max() and loan["rank"] == lead.sum() + 1
    everyone = ProspectScoring(lead_kinds=frozenset(KINDS))
    assert rank_prospects(members, firms, balances, everyone).iloc[0]["enterprise_id"] == "LOAN"


def test_deterministic_and_order_free(chain: Chain) -> None:
    members, firms, balances = chain
    members = pd.concat([members, members.assign(core_id="J")], ignore_index=True)
    twin = members[members["enterprise_id"] == "GROW"].assign(enterprise_id="A_GROW")
    members = pd.concat([members, twin], ignore_index=True)  # identical scores: tie broken by id
    firms = pd.concat([firms, pd.DataFrame([outsider("A_GROW")])], ignore_index=True)
    a = rank_prospects(members, firms, balances, ProspectScoring())
    b = rank_prospects(members.sample(frac=1, random_state=1), firms.sample(frac=1, random_state=2),
                       balances.sample(frac=1, random_state=3), ProspectScoring())
    pd.testing.assert_frame_equal(a, b)
    assert a["core_id"].tolist() == sorted(a["core_id"])
    k = {r["enterprise_id"]: r for r in a[a["core_id"] == "K"].to_dict("records")}
    assert k["GROW"]["score"] == k["A_GROW"]["score"] and k["A_GROW"]["rank"] + 1 == k["GROW"]["rank"]


def test_reasons_carry_the_numbers(chain: Chain) -> None:
    out = ranked(chain)
    en, zh = out["DEEP"]["reasons_en"], out["DEEP"]["reasons_zh"]
    assert en == ("Supplies the core CNY 3.2m over 11 of 12 months (8.5% of the core's spend); 64% of its "
                  "receipts come from the core; eligible small no-loan customer, deposits CNY 420k, CNY 80k "
                  "short of the 500k tier.")
    for piece in ("320万元", "12个月中11个月", "8.5%", "64%", "小额无贷户", "42万元", "50万元", "8万元"):
        assert piece in zh
    assert "ACQ公司" in out["T2"]["reasons_en"] and "一级供应商ACQ公司" in out["T2"]["reasons_zh"]
    assert "Buys from the core" in out["LOAN"]["reasons_en"] and "loans CNY 1m" in out["LOAN"]["reasons_en"]
    assert "deposits over the cap" in out["OVER"]["reasons_en"]
    assert "banks elsewhere" in out["ACQ"]["reasons_en"] and "他行" in out["ACQ"]["reasons_zh"]
    assert "an account was closed" in out["CLOSED"]["reasons_en"]
    assert "fell 93%" in out["DRAIN"]["reasons_en"] and "下降93%" in out["DRAIN"]["reasons_zh"]


def test_evidence_has_the_numbers(chain: Chain) -> None:
    out = ranked(chain)
    keys = {"amount", "count", "active_months", "share_of_core", "dependency", "trend", "n_cores", "deposits",
            "next_tier", "gap_to_tier", "ppr", "eligibility_rule"}
    assert all(keys <= set(row["evidence"]) for row in out.values())
    deep, acq = out["DEEP"]["evidence"], out["ACQ"]["evidence"]
    assert (deep["amount"], deep["active_months"], deep["deposits"], deep["eligibility_rule"]) == \
        (3.2e6, 11, 420_000.0, "eligible")
    assert (acq["deposits"], acq["next_tier"], acq["eligibility_rule"]) == (None, None, "not_customer")


def test_output_columns_and_manager_fields(chain: Chain) -> None:
    members, firms, balances = chain
    out = rank_prospects(members, firms, balances, ProspectScoring())
    assert out.columns[:5].tolist() == ["core_id", "enterprise_id", "name", "rank", "score"]
    for col in ("kind", "segment_zh", "stage_zh", "products", "reasons_zh", "evidence", "branch", "manager",
                "is_customer", "via_id", "direction", "tier"):
        assert col in out.columns
    row = ranked(chain)["DEEP"]
    assert (row["name"], row["branch"], row["manager"], row["via_id"]) == ("DEEP公司", "B1", "M1", "K")


def test_member_missing_from_firms_is_acquire_named_by_id(chain: Chain) -> None:
    members, firms, balances = chain
    out = ranked((members, firms[firms["enterprise_id"] != "ACQ"], balances))
    assert (out["ACQ"]["kind"], out["ACQ"]["name"]) == ("acquire", "ACQ")


def test_empty_members() -> None:
    members = pd.DataFrame([member("X")]).iloc[:0]
    out = rank_prospects(members, pd.DataFrame([outsider("X")]), pd.DataFrame(columns=["enterprise_id", "month",
                                                                                        "balance"]),
                         ProspectScoring())
    assert out.empty and "reasons_en" in out.columns


def test_bad_inputs_are_refused(chain: Chain) -> None:
    members, firms, balances = chain
    with pytest.raises(ValueError, match="ppr"):
        rank_prospects(members.drop(columns="ppr"), firms, balances, ProspectScoring())
    with pytest.raises(ValueError, match="one row per"):
        rank_prospects(pd.concat([members, members.head(1)]), firms, balances, ProspectScoring())
    with pytest.raises(ValidationError):
        ProspectScoring(tier_thresholds=(0, 500, 400))
    with pytest.raises(ValidationError):
        ProspectScoring(weights=ComponentWeights(**{c: 0.0 for c in COMPONENTS}))
    with pytest.raises(ValidationError):
        ProspectScoring(near_tier_ratio=1.5)
    with pytest.raises(ValidationError):  # frozen
        ProspectScoring().recent_months = 6


_unit = st.floats(0, 1)


@st.composite
def _chains(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(1, 12))
    rows, firms = [], []
    for i in range(n):
        eid = f"E{i}"
        monthly = draw(st.lists(st.floats(0, 1e7), min_size=12, max_size=12))
        rows.append(member(eid, core_id=draw(st.sampled_from(["K", "J", "L"])), monthly=monthly,
                           amount=float(sum(monthly)), count=draw(st.integers(0, 100)),
                           active_months=sum(v > 0 for v in monthly), share_of_core=draw(_unit),
                           dependency=draw(_unit), trend=draw(st.floats(-1, 1)), ppr=draw(_unit),
                           n_cores=draw(st.integers(1, 6)), tier=draw(st.sampled_from([1, 2]))))
        firms.append(draw(st.sampled_from([outsider(eid), customer(eid, draw(st.floats(0, 1e7))),
                                           customer(eid, 1e5, eligible=False, eligibility_rule="has_loan",
                                                    loan_balance=1.0)])))
    return pd.DataFrame(rows), pd.DataFrame(firms)


@settings(max_examples=60, deadline=None)
@given(_chains())
def test_scores_in_unit_interval_and_ranks_are_a_permutation(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    members, firms = data
    out = rank_prospects(members, firms, pd.DataFrame(columns=["enterprise_id", "month", "balance"]),
                         ProspectScoring())
    assert len(out) == len(members)
    assert out[["score", *(f"c_{c}" for c in COMPONENTS)]].apply(lambda c: c.between(0, 1).all()).all()
    for _, group in out.groupby("core_id"):
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
        lead = group["kind"].isin(["deepen", "acquire"]).to_numpy()
        assert not np.any(~lead[:-1] & lead[1:])  # no lead kind after a trailing one
        for _, part in group.groupby(lead):
            assert part["score"].is_monotonic_decreasing


def test_a_firm_over_the_cap_is_told_the_cap_in_the_datasets_currency(chain: Chain) -> None:
    members, firms, balances = chain
    out = rank_prospects(members, firms, balances, ProspectScoring(), "EUR", cap=65_000.0)
    over = out.set_index("enterprise_id").loc["OVER"]
    assert "our customer outside the small no-loan group (deposits over the EUR 65k cap), deposits EUR 2m" \
        in over["reasons_en"]
    assert "非小额无贷户（存款超过6.5万 EUR上限），存款200万 EUR" in over["reasons_zh"]
    # without the cap the reason cannot state it, and says so in general words
    plain = frame(chain).set_index("enterprise_id").loc["OVER"]
    assert "(deposits over the cap)" in plain["reasons_en"]
