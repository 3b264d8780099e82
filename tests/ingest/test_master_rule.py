"""The customer master fails closed: missing columns refuse, blanks stay unknown, bad rows stay known."""

from __future__ import annotations

import csv

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pydantic import ValidationError

from chainsight.errors import ConfigError
from chainsight.ingest import master
from chainsight.ingest.entities import enterprise_id
from chainsight.ingest.manifest import MasterFiles
from chainsight.ingest.staging import connect

HEADER = ("customer_id,customer_type,uscc,name,branch,manager,credit_on_balance,credit_off_balance,"
          "loan_balance,dep_demand,dep_time,dep_notice,dep_agreement,dep_margin,ebanking,products,opened")
#: A clean corporate customer: no credit, no loan, 100,000.00 demand deposits.
CLEAN = "C1,对公,,甲有限公司,B1,M1,0,0,0,100000.00,0,0,0,0,1,企业网银,2020-01-01"


def spec(**options: Any) -> MasterFiles:
    return MasterFiles(customers="customers.csv", accounts="accounts.csv", **options)


def load(tmp_path: Path, rows: list[str], header: str = HEADER, **options: Any) -> duckdb.DuckDBPyConnection:
    """Load ``rows`` as the customer file into a fresh staging database."""
    path = tmp_path / "customers.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    con = connect(":memory:")
    master.load_customers(con, path, 1, spec(**options))
    return con


def without(column: str, header: str = HEADER, row: str = CLEAN) -> tuple[str, str]:
    """The header and the clean row with ``column`` removed."""
    names, cells = header.split(","), row.split(",")
    at = names.index(column)
    return ",".join(names[:at] + names[at + 1:]), ",".join(cells[:at] + cells[at + 1:])


def test_a_master_without_credit_columns_is_a_config_error_naming_them(tmp_path: Path) -> None:
    header, row = without("credit_on_balance")
    header, row = without("loan_balance", header, row)
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, [row], header=header)
    assert "has no column for credit_on_balance, loan_balance; map each" in str(caught.value)


@pytest.mark.parametrize("column", ["dep_demand", "dep_time", "dep_notice", "dep_agreement", "dep_margin"])
def test_each_deposit_column_is_required(tmp_path: Path, column: str) -> None:
    header, row = without(column)
    with pytest.raises(ConfigError, match=column):
        load(tmp_path, [row], header=header)


def test_a_renamed_money_column_is_named_with_its_header(tmp_path: Path) -> None:
    header, row = without("loan_balance")
    with pytest.raises(ConfigError, match="loan_balance \\(header '贷款余额'\\)"):
        load(tmp_path, [row], header=header, columns={"loan_balance": "贷款余额"})


def test_a_stated_constant_stands_for_a_missing_column(tmp_path: Path) -> None:
    header, row = without("credit_off_balance")
    con = load(tmp_path, [row], header=header, constants={"credit_off_balance": 0})
    assert con.execute("SELECT credit_off_balance, deposits FROM customers").fetchall() == \
        [(Decimal("0.00"), Decimal("100000.00"))]


def test_a_blank_loan_cell_is_unknown_not_zero(tmp_path: Path) -> None:
    con = load(tmp_path, [CLEAN.replace(",0,0,0,100000.00,", ",0,0,,100000.00,")])
    assert con.execute("SELECT loan_balance, credit_on_balance FROM customers").fetchall() == \
        [(None, Decimal("0.00"))]


def test_one_blank_deposit_cell_leaves_the_deposit_sum_unknown(tmp_path: Path) -> None:
    con = load(tmp_path, [CLEAN.replace("100000.00,0,0,0,0", "100000.00,,0,0,0")])
    assert con.execute("SELECT dep_demand, dep_time, deposits FROM customers").fetchall() == \
        [(Decimal("100000.00"), None, None)]


def test_blank_is_zero_is_the_banks_own_statement(tmp_path: Path) -> None:
    row = CLEAN.replace(",0,0,0,100000.00,0,", ",0,0,,100000.00,,")  # blank loan and blank dep_time
    con = load(tmp_path, [row], blank_is_zero=["loan_balance", "dep_time"])
    assert con.execute("SELECT loan_balance, dep_time, deposits FROM customers").fetchall() == \
        [(Decimal("0.00"), Decimal("0.00"), Decimal("100000.00"))]


def test_a_negative_loan_is_a_rejected_row_whose_firm_stays_known(tmp_path: Path) -> None:
    con = load(tmp_path, [CLEAN, "C2,对公,,乙有限公司,B2,M2,0,0,-300.00,5000,0,0,0,0,0,,2021-01-01"])
    assert con.execute("SELECT line, reason FROM rejects").fetchall() == [(3, "negative_amount")]
    assert con.execute("SELECT customer_id FROM customers").fetchall() == [("C1",)]
    assert con.execute("SELECT customer_id, name, branch, enterprise_id, reason FROM customer_rejects").fetchall() \
        == [("C2", "乙有限公司", "B2", enterprise_id(None, "乙有限公司"), "negative_amount")]


def test_a_negative_credit_line_is_rejected_too(tmp_path: Path) -> None:
    con = load(tmp_path, [CLEAN.replace(",0,0,0,100000.00,", ",0,-1,0,100000.00,")])
    assert con.execute("SELECT reason FROM rejects").fetchall() == [("negative_amount",)]


def test_an_unparsable_amount_is_a_rejected_row_never_zero(tmp_path: Path) -> None:
    con = load(tmp_path, [CLEAN.replace(",0,0,0,100000.00,", ",0,0,n/a,100000.00,")])
    assert con.execute("SELECT reason FROM rejects").fetchall() == [("bad_number",)]
    assert con.execute("SELECT count(*) FROM customers").fetchone() == (0,)
    assert con.execute("SELECT customer_id, reason FROM customer_rejects").fetchall() == [("C1", "bad_number")]


@pytest.mark.parametrize("text, folded", [("对公", "corporate"), ("机构", "institutional"), ("同业", "interbank"),
                                          ("住房资金", "housing_fund"), ("住房资金类", "housing_fund")])
def test_chinese_customer_types(tmp_path: Path, text: str, folded: str) -> None:
    con = load(tmp_path, [CLEAN.replace("对公", text)])
    assert con.execute("SELECT customer_type FROM customers").fetchall() == [(folded,)]


def test_a_crafted_header_is_data_never_sql(tmp_path: Path) -> None:
    evil = 'x") FROM raw r; DROP TABLE rejects; --'
    header = HEADER + "," + '"' + evil.replace('"', '""') + '"'
    con = load(tmp_path, [CLEAN + ",boom", "C2,bad type,,丙有限公司,B1,M1,0,0,0,1,0,0,0,0,0,,,calm"],
               header=header)
    assert con.execute("SELECT line, reason, raw_row LIKE '%,calm' FROM rejects").fetchall() == \
        [(3, "bad_customer_type", True)]
    assert con.execute("SELECT count(*) FROM customers").fetchone() == (1,)


def test_accounts_of_a_rejected_customer_stay_ours(tmp_path: Path) -> None:
    con = load(tmp_path, [CLEAN, "C2,对公,,乙有限公司,B2,M2,0,0,-300.00,5000,0,0,0,0,0,,2021-01-01"])
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("account_no,customer_id,branch,opened,closed\n1001,C1,,,\n2002,C2,,,\n3003,C9,,,\n",
                        encoding="utf-8")
    master.load_accounts(con, accounts, 2, spec())
    assert con.execute("SELECT account_no, enterprise_id, branch FROM our_accounts ORDER BY 1").fetchall() == [
        ("1001", enterprise_id(None, "甲有限公司"), "B1"), ("2002", enterprise_id(None, "乙有限公司"), "B2")]
    assert con.execute("SELECT line, reason FROM rejects WHERE file_id = 2").fetchall() == \
        [(4, "unknown_customer")]


def test_the_master_keeps_its_stated_snapshot_date(tmp_path: Path) -> None:
    con = load(tmp_path, [CLEAN], as_of="2024-12-31")
    assert str(con.execute("SELECT as_of FROM master_snapshot").fetchone()[0]) == "2024-12-31"  # type: ignore[index]


@pytest.mark.parametrize("options", [{"blank_is_zero": ["name"]}, {"constants": {"opened": 0}},
                                     {"constants": {"loan_balance": -1}},
                                     {"constants": {"loan_balance": 0}, "columns": {"loan_balance": "贷款"}}])
def test_master_options_name_only_money_columns_once(options: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        spec(**options)


def test_the_demo_masters_blank_cells_stay_unknown(small_bank: tuple[Path, Path]) -> None:
    """The generator leaves a few money cells blank, as masters do: each is unknown (NULL), none rejected."""
    with open(small_bank[0] / "master" / "customers.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    money = [k for k in rows[0] if k.endswith("_balance") or k.startswith("dep_")]
    written_blank = {r["customer_id"] for r in rows if any(r[k] == "" for k in money)}
    con = connect(small_bank[1], read_only=True)
    try:
        blanks = " OR ".join(f"{m} IS NULL" for m in ("loan_balance", "credit_on_balance", "credit_off_balance",
                                                      "deposits"))
        unknown = {c for (c,) in con.execute(f"SELECT customer_id FROM customers WHERE {blanks}").fetchall()}
        assert written_blank and unknown == written_blank
        assert con.execute("SELECT count(*) FROM customer_rejects").fetchone() == (0,)
    finally:
        con.close()
