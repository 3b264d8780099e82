"""Non-trade postings without a counterparty, zero amounts, and classes of the bank's own."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from chainsight.errors import ConfigError
from chainsight.ingest.manifest import load_manifest
from chainsight.ingest.pipeline import ingest
from tests.conftest import DatasetWriter

CORE = "1001,核心制造有限公司"

ROWS = [
    f"{CORE},2024-03-21,,12.34,,,,结息,9000.00",                                    # 2 interest, no cp
    f"{CORE},2024-03-22,5.00,,,,,汇划手续费,8995.00",                                # 3 fee, no cp
    f"{CORE},2024-03-23,80,,,,,资金归集,8915.00",                                    # 4 transfer, no cp
    f"{CORE},2024-03-24,100,,,,,货款,8815.00",                                       # 5 trade, no cp
    f"{CORE},2024-03-25,0.00,0.00,2001,上游甲有限公司,中国工商银行,货款,8815.00",     # 6 zero amount
    f"{CORE},2024-03-26,0.00,,2001,上游甲有限公司,中国工商银行,货款,8815.00",         # 7 zero amount
    f"{CORE},2024-03-27,,,2001,上游甲有限公司,中国工商银行,货款,8815.00",             # 8 no amount
    f"{CORE},2024-03-28,100,,2001,上游甲有限公司,中国工商银行,货款,8715.00",          # 9 loaded
]


def _fates(db: Path) -> dict[int, tuple[str, str | None]]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT line, status, reason FROM transactions "
                       "UNION ALL SELECT line, 'rejected', reason FROM rejects").fetchall()
    con.close()
    return {line: (status, reason) for line, status, reason in rows}


def test_interest_and_fees_without_counterparty_are_excluded_not_rejected(
        write_dataset: DatasetWriter, tmp_path: Path) -> None:
    report = ingest(write_dataset({"2024-03.csv": ROWS}), tmp_path / "s.duckdb")
    assert _fates(tmp_path / "s.duckdb") == {
        2: ("excluded", "interest"), 3: ("excluded", "fee"),
        4: ("rejected", "missing_counterparty"),  # a transfer always has a counterparty
        5: ("rejected", "missing_counterparty"),
        6: ("excluded", "zero_amount"), 7: ("excluded", "zero_amount"),
        8: ("rejected", "missing_amount"), 9: ("loaded", None),
    }
    stmt = next(f for f in report.files if f.file == "statements/2024-03.csv")
    assert stmt.tally is not None and stmt.tally.rows_read == len(ROWS) == stmt.tally.accounted()


def test_a_rule_can_say_its_class_needs_no_counterparty(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    rules = ('[[rules]]\nflow_class = "cash"\nmemo = ["现金"]\nneeds_counterparty = false\n'
             '[[rules]]\nflow_class = "interest"\nmemo = ["结息"]\n')
    rows = [f"{CORE},2024-03-21,,500,,,,现金存入,9000.00", f"{CORE},2024-03-21,,12.34,,,,结息,9012.34",
            f"{CORE},2024-03-22,5.00,,,,,汇划手续费,9007.34"]  # fee: no rule for it in this manifest
    ingest(write_dataset({"2024-03.csv": rows}, extra_manifest=rules), tmp_path / "s.duckdb")
    assert _fates(tmp_path / "s.duckdb") == {2: ("excluded", "cash"), 3: ("excluded", "interest"),
                                             4: ("rejected", "missing_counterparty")}


def test_a_trade_class_cannot_go_without_counterparty(write_dataset: DatasetWriter) -> None:
    rules = '[[rules]]\nflow_class = "goods"\nmemo = ["X"]\ntrade = true\nneeds_counterparty = false\n'
    with pytest.raises(ConfigError, match="trade class needs a counterparty"):
        load_manifest(write_dataset({"a.csv": ROWS[:1]}, extra_manifest=rules))


def _classes(db: Path) -> dict[int, tuple[str, str | None, str]]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT line, status, reason, flow_class FROM transactions").fetchall()
    con.close()
    return {line: (status, reason, cls) for line, status, reason, cls in rows}


def test_custom_classes_first_rule_in_file_order_wins(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    cp = "2001,上游甲有限公司,中国工商银行"
    rows = [f"{CORE},2024-03-0{d},{d}00,,{cp},{memo},9000.00" for d, memo in enumerate(
        ["PENSION INSURANCE", "insurance premium", "Household goods", "household goods", "PENALTY"], start=1)]
    rules = ('[[rules]]\nflow_class = "pension"\nmemo = ["PENSION"]\n'
             '[[rules]]\nflow_class = "insurance"\nmemo = ["INSURANCE"]\ncase_sensitive = false\n'
             '[[rules]]\nflow_class = "household"\nmemo = ["Household"]\ntrade = true\n'
             '[[rules]]\nflow_class = "penalty"\nmemo = ["PENALTY"]\n')
    ingest(write_dataset({"2024-03.csv": rows}, extra_manifest=rules), tmp_path / "s.duckdb")
    assert _classes(tmp_path / "s.duckdb") == {
        2: ("excluded", "pension", "pension"),        # both PENSION and INSURANCE match: pension is first
        3: ("excluded", "insurance", "insurance"),    # case-insensitive rule
        4: ("loaded", None, "household"),             # a class declared trade feeds the graph
        5: ("loaded", None, "trade"),                 # "Household" is case-sensitive
        6: ("excluded", "penalty", "penalty"),
    }


def test_swapping_two_rules_swaps_the_class(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    rows = [f"{CORE},2024-03-01,100,,2001,上游甲有限公司,中国工商银行,PENSION INSURANCE,9000.00"]
    first = '[[rules]]\nflow_class = "pension"\nmemo = ["PENSION"]\n'
    second = '[[rules]]\nflow_class = "insurance"\nmemo = ["INSURANCE"]\n'
    ingest(write_dataset({"a.csv": rows}, extra_manifest=second + first), tmp_path / "s.duckdb")
    assert _classes(tmp_path / "s.duckdb")[2][2] == "insurance"


@pytest.mark.parametrize("rule, message", [
    ('flow_class = "Pension"\nmemo = ["P"]', "lower-case"),
    ('flow_class = "zero_amount"\nmemo = ["P"]', "not"),
    ('flow_class = "interest"\nmemo = ["P"]\ntrade = true', "built-in non-trade"),
    ('flow_class = "x"\nmemo = [""]', "empty keyword"),
])
def test_bad_rules_are_refused(write_dataset: DatasetWriter, rule: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_manifest(write_dataset({"a.csv": ROWS[:1]}, extra_manifest="[[rules]]\n" + rule + "\n"))


def test_a_service_fee_is_the_banks_only_when_a_bank_is_paid_or_no_one_is(
        write_dataset: DatasetWriter, tmp_path: Path) -> None:
    # The default fee rule's memo words apply only with a party named like a bank, or an unknown
    # counterparty (a fee posted without one); 服务费 paid to a firm is a service bought: trade.
    rows = [f"{CORE},2024-03-01,30.00,,9001,示范银行手续费收入户,,服务费,9000.00",
            f"{CORE},2024-03-02,8000.00,,2001,上游甲有限公司,中国工商银行,技术服务费,1000.00",
            f"{CORE},2024-03-03,5.00,,,,,服务费,995.00",
            f"{CORE},2024-03-04,2.00,,9002,中国工商银行北京分行,中国工商银行,汇划手续费,993.00"]
    ingest(write_dataset({"2024-03.csv": rows}), tmp_path / "s.duckdb")
    assert _classes(tmp_path / "s.duckdb") == {
        2: ("excluded", "fee", "fee"), 3: ("loaded", None, "trade"), 4: ("excluded", "fee", "fee"),
        5: ("excluded", "fee", "fee")}


def test_only_with_needs_memo_keywords(write_dataset: DatasetWriter) -> None:
    rules = '[[rules]]\nflow_class = "fee"\ncounterparty = ["X"]\nonly_with = ["银行"]\n'
    with pytest.raises(ConfigError, match="only_with"):
        load_manifest(write_dataset({"a.csv": ROWS[:1]}, extra_manifest=rules))
