"""The 小额无贷户 rule: per firm, failing closed, as of the master's date.

Expected verdicts and amounts are worked out by hand from the rows below, never taken from the code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from chainsight.errors import ConfigError
from chainsight.graph.analysis import Analysis, AnalysisConfig, analyze
from chainsight.graph.cores import CoreScoring
from chainsight.graph.eligibility import RULES, no_loan_eligibility
from tests.conftest import STATEMENT_HEADER, STATEMENT_PROFILE
from chainsight.ingest.pipeline import ingest
from chainsight.ingest.staging import connect

MONEY = ("credit_on_balance", "credit_off_balance", "loan_balance", "dep_demand", "dep_time", "dep_notice",
         "dep_agreement", "dep_margin")


def record(cid: str, firm: str, kind: str = "corporate", **money: Any) -> dict[str, Any]:
    """A customer record: no credit, no loan, no deposits, unless told otherwise."""
    return {"customer_id": cid, "enterprise_id": firm, "customer_type": kind, **dict.fromkeys(MONEY, 0.0),
            **money}


def judge(*records: dict[str, Any], rejected: pd.DataFrame | None = None) -> dict[str, dict[str, Any]]:
    out = no_loan_eligibility(pd.DataFrame(list(records)), rejected=rejected)
    return {str(r["enterprise_id"]): r for r in out.to_dict("records")}


# -- the rule on its own -------------------------------------------------------------------------

def test_500000_00_in_and_500000_01_out() -> None:
    # 100,000.10 + 399,999.90 = 500,000.00 exactly; 300,000.00 + 200,000.01 = 500,000.01.
    got = judge(record("A", "a", dep_demand=100_000.10, dep_margin=399_999.90),
                record("B", "b", dep_time=300_000.00, dep_agreement=200_000.01))
    assert (got["a"]["eligibility_rule"], bool(got["a"]["eligible"]), got["a"]["deposits"]) == \
        ("eligible", True, 500_000.00)
    assert (got["b"]["eligibility_rule"], bool(got["b"]["eligible"]), got["b"]["deposits"]) == \
        ("deposits_over_cap", False, 500_000.01)


@pytest.mark.parametrize("column, value, rule", [
    ("loan_balance", np.nan, "unknown_loan"),        # a blank cell
    ("loan_balance", "n/a", "unknown_loan"),         # an unparsable one
    ("loan_balance", -5.0, "unknown_loan"),          # a negative one is not a balance
    ("credit_off_balance", np.nan, "unknown_credit"),
    ("dep_notice", np.nan, "unknown_deposits"),
])
def test_an_unknown_amount_is_never_zero(column: str, value: object, rule: str) -> None:
    got = judge(record("A", "a", dep_demand=1_000.0, **{column: value}))["a"]
    assert (got["eligibility_rule"], bool(got["eligible"])) == (rule, False)
    assert np.isnan(got[column])


@pytest.mark.parametrize("kind", ["institutional", "interbank", "housing_fund"])
def test_institutional_interbank_and_housing_fund_are_never_eligible(kind: str) -> None:
    got = judge(record("A", "a", kind, dep_demand=10.0))["a"]
    assert (got["eligibility_rule"], bool(got["eligible"])) == ("excluded_type", False)


def test_two_records_of_one_firm_one_with_a_loan() -> None:
    # 120,000 + 80,000 = 200,000 of deposits, under the cap; the loan of 300,000 on C7b excludes the firm.
    got = judge(record("C7a", "f", dep_demand=120_000.0), record("C7b", "f", dep_time=80_000.0, loan_balance=3e5))
    firm = got["f"]
    assert (firm["eligibility_rule"], bool(firm["eligible"])) == ("has_loan", False)
    assert (firm["deposits"], firm["loan_balance"], firm["customer_id"]) == (200_000.0, 300_000.0, "C7a")
    assert firm["records"] == [{"customer_id": "C7a", "rule": "eligible"}, {"customer_id": "C7b", "rule": "has_loan"}]


def test_deposits_of_a_firms_records_add_up_over_the_cap() -> None:
    # each record alone is under 500,000; together 300,000 + 250,000 = 550,000 is over.
    firm = judge(record("X1", "x", dep_demand=300_000.0), record("X2", "x", dep_demand=250_000.0))["x"]
    assert (firm["eligibility_rule"], firm["deposits"]) == ("deposits_over_cap", 550_000.0)


def test_an_unknown_on_any_record_makes_the_firm_unknown() -> None:
    firm = judge(record("Y1", "y", dep_demand=1.0), record("Y2", "y", credit_on_balance=np.nan))["y"]
    assert firm["eligibility_rule"] == "unknown_credit"
    assert [r["rule"] for r in firm["records"]] == ["eligible", "unknown_credit"]


def test_a_rejected_record_makes_the_firm_master_rejected_unless_certainly_excluded() -> None:
    rejected = pd.DataFrame({"enterprise_id": ["r", "s", "t"], "customer_id": ["R2", "S2", None],
                             "reason": ["negative_amount", "bad_number", "missing_customer_id"]})
    got = judge(record("R1", "r", dep_demand=1.0), record("S1", "s", loan_balance=10.0), rejected=rejected)
    assert (got["r"]["eligibility_rule"], bool(got["r"]["eligible"])) == ("master_rejected", False)
    assert np.isnan(got["r"]["deposits"])  # the rejected row's deposits are unknown
    assert got["r"]["records"] == [{"customer_id": "R1", "rule": "eligible"},
                                   {"customer_id": "R2", "rule": "master_rejected",
                                    "reject_reason": "negative_amount"}]
    assert got["s"]["eligibility_rule"] == "has_loan"  # a loan is a loan whatever the other row says
    assert (got["t"]["eligibility_rule"], got["t"]["customer_id"]) == ("master_rejected", None)


def test_every_rule_has_a_meaning_in_both_languages() -> None:
    assert list(RULES) == ["excluded_type", "has_credit", "has_loan", "deposits_over_cap", "master_rejected",
                           "unknown_credit", "unknown_loan", "unknown_deposits", "eligible"]
    assert all(en and zh for en, zh in RULES.values())


# -- end to end: ingest a hand-made master and K's statement, then analyse -------------------------

CUSTOMERS = """customer_id,customer_type,uscc,name,branch,manager,credit_on_balance,credit_off_balance,loan_balance,dep_demand,dep_time,dep_notice,dep_agreement,dep_margin,ebanking,products,opened
C_K,对公,,核心制造有限公司,B1,M1,0,0,1000000,100000,0,0,0,0,1,企业网银,2020-01-01
C_S1,对公,,上游甲有限公司,B1,M1,0,0,-5.00,1000,0,0,0,0,0,,2021-01-01
C_B1,机构,,下游机构事业单位,B1,M1,0,0,0,1000,0,0,0,0,0,,2021-01-01
C_B2,同业,,下游同业信托有限公司,B1,M1,0,0,0,1000,0,0,0,0,0,,2021-01-01
C_B3,住房资金,,下游住房资金管理中心,B1,M1,0,0,0,1000,0,0,0,0,0,,2021-01-01
C_B4,对公,,下游丁有限公司,B1,M1,0,0,0,100000.10,399999.90,0,0,0,0,,2021-01-01
C_B5,对公,,下游戊有限公司,B1,M1,0,0,0,500000.01,0,0,0,0,0,,2021-01-01
C_B6,对公,,下游己有限公司,B1,M1,0,0,,1000,0,0,0,0,0,,2021-01-01
C_B7a,对公,,下游庚有限公司,B1,M1,0,0,0,120000,0,0,0,0,0,,2021-01-01
C_B7b,对公,,下游庚有限公司,B2,M2,0,0,300000,0,80000,0,0,0,0,,2022-01-01
"""
ACCOUNTS = """account_no,customer_id,branch,opened,closed
1000,C_K,B1,2020-01-01,
2001,C_S1,B1,2021-01-01,
3001,C_B1,B1,2021-01-01,
3002,C_B2,B1,2021-01-01,
3003,C_B3,B1,2021-01-01,
3004,C_B4,B1,2021-01-01,2025-03-01
3005,C_B5,B1,2021-01-01,2024-06-30
3006,C_B6,B1,2021-01-01,
3007,C_B7a,B1,2021-01-01,
3008,C_B7b,B2,2022-01-01,
"""
BUYERS = {"3001": "下游机构事业单位", "3002": "下游同业信托有限公司", "3003": "下游住房资金管理中心",
          "3004": "下游丁有限公司", "3005": "下游戊有限公司", "3006": "下游己有限公司", "3007": "下游庚有限公司"}
CORE = "核心制造有限公司"


def statement_rows() -> list[str]:
    """K's statement: Oct-Dec 2024 it pays 上游甲 (ours) 100,000 and 上游乙 (他行) 50,000 a month and is paid
    10,000 a month by each buyer; in January 2025, after as_of, it pays 上游丙 and 上游乙 large sums."""
    rows = []
    for month in ("2024-10", "2024-11", "2024-12"):
        rows.append(f"1000,{CORE},{month}-10,100000.00,,2001,上游甲有限公司,示范银行,货款,")
        rows.append(f"1000,{CORE},{month}-11,50000.00,,9002,上游乙有限公司,他行银行,货款,")
        rows += [f"1000,{CORE},{month}-20,,10000.00,{acct},{name},示范银行,货款," for acct, name in BUYERS.items()]
    rows.append(f"1000,{CORE},2025-01-15,999999.00,,9003,上游丙有限公司,他行银行,货款,")
    rows.append(f"1000,{CORE},2025-01-20,777777.00,,9002,上游乙有限公司,他行银行,货款,")
    return rows


def write_bank(folder: Path, manifest_as_of: str | None = "2024-12-31", master_as_of: str | None = None) -> Path:
    (folder / "statements").mkdir(parents=True)
    (folder / "master").mkdir()
    (folder / "statements" / "k.csv").write_text("\n".join([STATEMENT_HEADER, *statement_rows()]) + "\n", encoding="utf-8")
    (folder / "master" / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (folder / "master" / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    top = f"as_of = {manifest_as_of}\n" if manifest_as_of else ""
    stated = f"as_of = {master_as_of}\n" if master_as_of else ""
    (folder / "chainsight.toml").write_text(
        f'name = "rule"\n{top}bank_names = ["示范银行"]\n[[sources]]\npath = "statements/*.csv"\nprofile = "stmt"\n'
        + STATEMENT_PROFILE + f'\n[master]\ncustomers = "master/customers.csv"\naccounts = "master/accounts.csv"\n{stated}',
        encoding="utf-8")
    return folder / "chainsight.toml"


CONFIG = AnalysisConfig(cores=CoreScoring(min_suppliers=1, min_customers=1, min_active_months=1))


def run(folder: Path, config: AnalysisConfig = CONFIG, **dates: str | None) -> Analysis:
    ingest(write_bank(folder / "data", **dates), folder / "s.duckdb")
    con = connect(folder / "s.duckdb", read_only=True)
    try:
        return analyze(con, config)
    finally:
        con.close()


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    return run(tmp_path_factory.mktemp("rule-bank"))


def firm(analysis: Analysis, name: str) -> dict[str, Any]:
    rows = analysis.firms[analysis.firms["name"] == name].to_dict("records")
    assert len(rows) == 1, name
    return {str(k): v for k, v in rows[0].items()}


def prospect(analysis: Analysis, name: str) -> dict[str, Any]:
    rows = analysis.prospects[analysis.prospects["name"] == name].to_dict("records")
    assert len(rows) == 1, name
    return {str(k): v for k, v in rows[0].items()}


def test_the_core_is_found(bank: Analysis) -> None:
    assert bank.cores["name"].tolist() == [CORE]


@pytest.mark.parametrize("name, rule, kind", [
    ("下游机构事业单位", "excluded_type", "existing"),
    ("下游同业信托有限公司", "excluded_type", "existing"),
    ("下游住房资金管理中心", "excluded_type", "existing"),
    ("下游丁有限公司", "eligible", "deepen"),
    ("下游戊有限公司", "deposits_over_cap", "existing"),
    ("下游己有限公司", "unknown_loan", "existing"),
    ("下游庚有限公司", "has_loan", "credit_team"),
    ("上游甲有限公司", "master_rejected", "existing"),
    ("上游乙有限公司", "not_customer", "acquire"),
])
def test_each_firm_gets_its_rule_and_the_evidence_says_it(bank: Analysis, name: str, rule: str, kind: str) -> None:
    p = prospect(bank, name)
    assert (firm(bank, name)["eligibility_rule"], p["kind"], p["evidence"]["eligibility_rule"]) == (rule, kind, rule)
    assert bool(p["eligible"]) is (rule == "eligible")


def test_the_firm_with_two_records_sums_deposits_and_lists_its_records(bank: Analysis) -> None:
    f = firm(bank, "下游庚有限公司")
    assert (f["deposits"], f["loan_balance"], f["customer_id"]) == (200_000.0, 300_000.0, "C_B7a")
    assert prospect(bank, "下游庚有限公司")["evidence"]["records"] == [
        {"customer_id": "C_B7a", "rule": "eligible"}, {"customer_id": "C_B7b", "rule": "has_loan"}]


def test_the_eligible_firm_holds_exactly_500000(bank: Analysis) -> None:
    assert firm(bank, "下游丁有限公司")["deposits"] == 500_000.00
    assert firm(bank, "下游戊有限公司")["deposits"] == 500_000.01


def test_a_rejected_master_row_is_ours_with_no_leakage(bank: Analysis) -> None:
    s1 = firm(bank, "上游甲有限公司")
    assert bool(s1["is_customer"]) and s1["customer_id"] == "C_S1"
    assert "cannot be judged" in prospect(bank, "上游甲有限公司")["reasons_en"]
    # K paid 3 x 100,000 to 上游甲 (our accounts) and 3 x 50,000 to 上游乙 (another bank) up to as_of.
    leak = bank.leakage.iloc[0]
    assert (leak["paid_total"], leak["paid_offus"]) == (450_000.0, 150_000.0)
    assert bank.leakage_top["name"].tolist() == ["上游乙有限公司"]


def test_flows_after_as_of_feed_nothing(bank: Analysis) -> None:
    names = bank.firms.set_index("enterprise_id")["name"]
    edges = bank.flows.assign(payee=bank.flows["payee_id"].map(names))
    assert edges.loc[edges["payee"] == "上游乙有限公司", "amount"].tolist() == [150_000.0]  # not + 777,777
    assert "上游丙有限公司" not in set(edges["payee"])  # paid only in January 2025
    assert "上游丙有限公司" not in set(bank.prospects["name"]) | set(bank.alerts["name"])
    assert str(bank.flows["last_date"].max())[:10] == "2024-12-20"


def test_accounts_are_judged_open_or_closed_at_as_of(bank: Analysis) -> None:
    assert not firm(bank, "下游丁有限公司")["account_closed"]  # closed 2025-03-01: open on 2024-12-31
    assert firm(bank, "下游戊有限公司")["account_closed"]  # closed 2024-06-30


def test_a_year_end_master_gives_no_warning(bank: Analysis) -> None:
    assert (bank.meta["as_of"], bank.meta["warnings"]) == ("2024-12-31", [])


def test_a_master_without_a_snapshot_date_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="states no snapshot date"):
        run(tmp_path, manifest_as_of=None)


def test_a_master_of_another_date_than_the_analysis_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="describes 2024-11-30 but the analysis is as of 2024-12-31"):
        run(tmp_path, master_as_of="2024-11-30")


def test_a_master_dated_other_than_31_december_is_warned_about(tmp_path: Path) -> None:
    analysis = run(tmp_path, manifest_as_of="2024-11-30")
    assert analysis.meta["warnings"] == ["The customer master describes 2024-11-30, not 31 December: the "
                                         "小额无贷户 rule is defined on year-end balances."]
    assert str(analysis.flows["last_date"].max())[:10] == "2024-11-20"  # December's flows are after as_of


def test_an_as_of_inside_a_month_says_flows_count_by_month(tmp_path: Path) -> None:
    analysis = run(tmp_path, manifest_as_of="2024-12-15")
    assert analysis.meta["warnings"][1] == ("2024-12-15 is not a month end: flows are kept by month, so payments "
                                            "up to 2024-12-31 still count.")
