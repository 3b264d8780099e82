"""A dataset's currency and unit: other currencies' signs rejected, other currencies' rows excluded, units applied.

Expected fates and amounts are written down by hand from the rows below.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from chainsight.errors import ConfigError
from chainsight.ingest.manifest import load_manifest
from chainsight.ingest.pipeline import ingest

MANIFEST = """
{top}
[[sources]]
path = "pay.csv"
profile = "p"
[profiles.p]
layout = "payments"
identify_by = ["uscc", "name", "account"]
{profile}
[profiles.p.columns]
payer_account = "from"
payee_account = "to"
amount = "amount"
date = "date"
{columns}
"""


def _ingest(tmp_path: Path, rows: list[str], *, top: str = "", profile: str = "", columns: str = "",
            header: str = "from,to,amount,date") -> dict[int, tuple[str, str | None]]:
    """Each line's (fate, amount as text) after ingesting ``rows``."""
    (tmp_path / "pay.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(MANIFEST.format(top=top, profile=profile, columns=columns),
                                              encoding="utf-8")
    report = ingest(tmp_path / "chainsight.toml", tmp_path / "s.duckdb")
    assert report.ok, report.errors
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    rows = con.execute("SELECT line, coalesce(reason, status), CAST(amount AS VARCHAR) FROM transactions "
                       "UNION ALL SELECT line, reason, NULL FROM rejects").fetchall()
    con.close()
    return {int(line): (fate, amount) for line, fate, amount in rows}


def test_a_cny_dataset_rejects_amounts_in_another_currency(tmp_path: Path) -> None:
    rows = ['A,B,"¥1,200.00",2024-01-05', 'A,B,"$1,200.00",2024-01-06', "A,B,USD 5,2024-01-07",
            "A,B,€3.10,2024-01-08", "A,B,RMB 7,2024-01-09", "A,B,12 元,2024-01-10", "A,B,HK$9,2024-01-11",
            "A,B,12abc,2024-01-12"]
    assert _ingest(tmp_path, rows) == {
        2: ("loaded", "1200.00"), 3: ("bad_currency", None), 4: ("bad_currency", None),
        5: ("bad_currency", None), 6: ("loaded", "7.00"), 7: ("loaded", "12.00"), 8: ("bad_currency", None),
        9: ("bad_amount", None)}


def test_a_euro_dataset_reads_euro_and_rejects_yuan(tmp_path: Path) -> None:
    rows = ["A,B,€1200.50,2024-01-05", "A,B,EUR 10,2024-01-06", "A,B,¥100,2024-01-07", "A,B,100 CNY,2024-01-08"]
    assert _ingest(tmp_path, rows, top='currency = "EUR"') == {
        2: ("loaded", "1200.50"), 3: ("loaded", "10.00"), 4: ("bad_currency", None), 5: ("bad_currency", None)}


def test_rows_of_another_currency_in_a_currency_column_are_excluded_never_summed(tmp_path: Path) -> None:
    rows = ["A,B,100.00,2024-01-05,CNY", "A,B,200.00,2024-01-06,USD", "A,B,300.00,2024-01-07,人民币",
            "A,B,400.00,2024-01-08,", "A,B,500.00,2024-01-09,rmb"]
    fates = _ingest(tmp_path, rows, header="from,to,amount,date,ccy", columns='currency = "ccy"')
    assert fates == {2: ("loaded", "100.00"), 3: ("other_currency", "200.00"), 4: ("loaded", "300.00"),
                     5: ("loaded", "400.00"), 6: ("loaded", "500.00")}
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert con.execute("SELECT sum(amount) FROM flows").fetchone() == (1300.0,)
    con.close()


@pytest.mark.parametrize("unit, written, read", [
    ('"fen"', "123456", "1234.56"), ('"万元"', "1.5", "15000.00"), ("1000", "2.25", "2250.00"), ('"yuan"', "7", "7.00"),
])
def test_amounts_are_read_in_the_stated_unit(tmp_path: Path, unit: str, written: str, read: str) -> None:
    assert _ingest(tmp_path, [f"A,B,{written},2024-01-05"], top=f"unit = {unit}")[2] == ("loaded", read)


def test_a_profile_unit_overrides_the_manifest_unit(tmp_path: Path) -> None:
    assert _ingest(tmp_path, ["A,B,250,2024-01-05"], top='unit = "万元"', profile='unit = "fen"')[2] == \
        ("loaded", "2.50")


def test_a_changed_unit_or_currency_reads_the_file_again(tmp_path: Path) -> None:
    assert _ingest(tmp_path, ["A,B,250,2024-01-05"])[2] == ("loaded", "250.00")
    assert _ingest(tmp_path, ["A,B,250,2024-01-05"], top='unit = "fen"')[2] == ("loaded", "2.50")
    assert _ingest(tmp_path, ['A,B,"$250",2024-01-05'], top='unit = "fen"')[2] == ("bad_currency", None)
    assert _ingest(tmp_path, ['A,B,"$250",2024-01-05'], top='unit = "fen"\ncurrency = "USD"')[2] == \
        ("loaded", "2.50")


@pytest.mark.parametrize("top, problem", [
    ('currency = "cny"', "currency"), ('currency = "YUAN"', "currency"), ('unit = "lots"', "unit"),
    ("unit = 0", "unit"), ("unit = -100", "unit"),
])
def test_a_bad_currency_or_unit_is_refused_with_the_manifest(tmp_path: Path, top: str, problem: str) -> None:
    (tmp_path / "pay.csv").write_text("from,to,amount,date\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(MANIFEST.format(top=top, profile="", columns=""), encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        load_manifest(tmp_path / "chainsight.toml")


def test_a_decimal_comma_profile_reads_points_spaces_and_apostrophes_as_grouping(tmp_path: Path) -> None:
    rows = ['A,B,"1.234,56",2024-01-05', 'A,B,"1 234 567,5",2024-01-06', "A,B,\"1'000,00\",2024-01-07",
            "A,B,12,2024-01-08", 'A,B,"1,234.56",2024-01-09', 'A,B,"\u00a0900,10\u00a0€",2024-01-10']
    assert _ingest(tmp_path, rows, top='currency = "EUR"', profile='decimal = ","') == {
        2: ("loaded", "1234.56"), 3: ("loaded", "1234567.50"), 4: ("loaded", "1000.00"), 5: ("loaded", "12.00"),
        6: ("bad_amount", None), 7: ("loaded", "900.10")}


def test_a_decimal_comma_amount_in_a_decimal_point_profile_is_rejected_never_misread(tmp_path: Path) -> None:
    # Without the option "1.234,56" once became 1.23 (the comma dropped as grouping): now a bad amount.
    rows = ['A,B,"1.234,56",2024-01-05', 'A,B,"1,234.56",2024-01-06', "A,B,1 234.5,2024-01-07"]
    assert _ingest(tmp_path, rows) == {2: ("bad_amount", None), 3: ("loaded", "1234.56"),
                                       4: ("loaded", "1234.50")}


def test_a_decimal_mark_other_than_point_or_comma_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="decimal"):
        _ingest(tmp_path, ["A,B,1,2024-01-05"], profile='decimal = ";"')
