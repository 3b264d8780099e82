"""The master's own profile options: delimiter, encoding and date formats; a bad date is a rejected row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from chainsight.errors import ConfigError
from chainsight.ingest import master
from chainsight.ingest.manifest import MasterFiles
from chainsight.ingest.staging import connect
from tests.ingest.test_master_rule import CLEAN, HEADER


def _write(path: Path, header: str, rows: list[str], sep: str, encoding: str = "utf-8") -> None:
    path.write_bytes(("\n".join([header.replace(",", sep), *(r.replace(",", sep) for r in rows)]) + "\n")
                     .encode(encoding))


def test_a_semicolon_gbk_master_with_yymmdd_dates_loads(tmp_path: Path) -> None:
    rows = [CLEAN.replace("2020-01-01", "200131"), CLEAN.replace("C1", "C2").replace("2020-01-01", "31/01/2020")]
    _write(tmp_path / "customers.csv", HEADER, rows, ";", "gbk")
    _write(tmp_path / "accounts.csv", "account_no,customer_id,branch,opened,closed",
           ["1001,C1,B1,190215,", "1002,C2,B1,15.02.2019,"], ";")
    spec = MasterFiles(customers="customers.csv", accounts="accounts.csv", delimiter=";", encoding="gbk",
                       date_formats=("%y%m%d",))
    con = connect(":memory:")
    master.load_customers(con, tmp_path / "customers.csv", 1, spec)
    master.load_accounts(con, tmp_path / "accounts.csv", 2, spec)
    assert con.execute("SELECT customer_id, name, opened FROM customers").fetchall() == [
        ("C1", "甲有限公司", dt.date(2020, 1, 31))]
    # A date in none of the formats (ISO is always read) is a rejected row with its line, never a NULL.
    assert con.execute("SELECT file_id, line, reason FROM rejects ORDER BY 1, 2").fetchall() == [
        (1, 3, "bad_date"), (2, 3, "bad_date")]
    assert con.execute("SELECT account_no, opened FROM our_accounts").fetchall() == [
        ("1001", dt.date(2019, 2, 15))]


def test_the_default_master_formats_still_read_iso_and_compact_dates(tmp_path: Path) -> None:
    rows = [CLEAN, CLEAN.replace("C1", "C2").replace("2020-01-01", "20200201")]
    _write(tmp_path / "customers.csv", HEADER, rows, ",")
    con = connect(":memory:")
    master.load_customers(con, tmp_path / "customers.csv", 1,
                          MasterFiles(customers="customers.csv", accounts="accounts.csv"))
    assert con.execute("SELECT opened FROM customers ORDER BY customer_id").fetchall() == [
        (dt.date(2020, 1, 1),), (dt.date(2020, 2, 1),)]


@pytest.mark.parametrize("options", [{"delimiter": ";;"}, {"date_formats": ()}, {"date_formats": ("%Q",)}])
def test_bad_master_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        MasterFiles(customers="c.csv", accounts="a.csv", **options)  # type: ignore[arg-type]


def test_a_master_option_error_names_the_manifest(tmp_path: Path) -> None:
    from chainsight.ingest.manifest import load_manifest

    (tmp_path / "chainsight.toml").write_text(
        '[[sources]]\npath = "a.csv"\nprofile = "p"\n[profiles.p]\nlayout = "payments"\n'
        '[profiles.p.columns]\npayer_account = "a"\npayee_account = "b"\namount = "c"\ndate = "d"\n'
        '[master]\ncustomers = "c.csv"\naccounts = "a.csv"\ndelimiter = "ab"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="master.delimiter"):
        load_manifest(tmp_path / "chainsight.toml")


def test_a_rejected_master_row_keeps_its_line_as_written(tmp_path: Path) -> None:
    bad = '"C2";"对公";"";"乙有限公司";"B1";"M1";"0";"0";"-5";"1";"0";"0";"0";"0";"1";"";"20200101"'
    text = HEADER.replace(",", ";") + "\n" + CLEAN.replace(",", ";") + "\n" + bad + "\n"
    (tmp_path / "customers.csv").write_bytes(text.encode("gbk"))
    con = connect(":memory:")
    master.load_customers(con, tmp_path / "customers.csv", 1,
                          MasterFiles(customers="customers.csv", accounts="a.csv", delimiter=";"))
    assert con.execute("SELECT line, reason, raw_row FROM rejects").fetchall() == [(3, "negative_amount", bad)]


def test_the_master_reads_its_money_in_its_unit_and_decimal_mark(tmp_path: Path) -> None:
    # 万元 with a decimal comma: 10,5 万元 of demand deposits is 105,000.00 yuan; the constant is scaled too.
    header = HEADER.replace(",credit_off_balance", "").replace(",", ";")
    row = "C1;对公;;甲有限公司;B1;M1;0;0,2;10,5;0;0;0;0;1;;2020-01-01"
    (tmp_path / "customers.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    spec = MasterFiles(customers="customers.csv", accounts="a.csv", delimiter=";", decimal=",", unit="万元",
                       constants={"credit_off_balance": "0.01"})
    con = connect(":memory:")
    master.load_customers(con, tmp_path / "customers.csv", 1, spec, unit=Decimal(10_000))
    assert con.execute("SELECT loan_balance, dep_demand, credit_off_balance FROM customers").fetchall() == [
        (Decimal("2000.00"), Decimal("105000.00"), Decimal("100.00"))]


def test_the_master_unit_defaults_to_the_manifest_unit(tmp_path: Path) -> None:
    from chainsight.ingest.manifest import load_manifest

    base = ('unit = "fen"\n[[sources]]\npath = "a.csv"\nprofile = "p"\n[profiles.p]\nlayout = "payments"\n'
            '[profiles.p.columns]\npayer_account = "a"\npayee_account = "b"\namount = "c"\ndate = "d"\n'
            '[master]\ncustomers = "c.csv"\naccounts = "a.csv"\n')
    (tmp_path / "chainsight.toml").write_text(base, encoding="utf-8")
    assert load_manifest(tmp_path / "chainsight.toml").master_unit() == Decimal("0.01")
    (tmp_path / "chainsight.toml").write_text(base + 'unit = "万元"\n', encoding="utf-8")
    assert load_manifest(tmp_path / "chainsight.toml").master_unit() == Decimal(10_000)
