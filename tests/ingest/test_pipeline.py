"""The pipeline on small hand-made exports: accounting, de-duplication, idempotency, unusable files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from chainsight.errors import ConfigError
from chainsight.ingest.pipeline import ingest
from tests.conftest import DatasetWriter

CORE = "1001,核心制造有限公司"
BUYER = "1002,下游乙有限公司"

JANUARY = [
    f'{CORE},2024-01-05,"1,000.00",,2001,上游甲有限公司,中国工商银行,货款,9000.00',     # 2 loaded
    f"{CORE},20240106,,5000,1002,下游乙有限责任公司,示范银行,货款,14000.00",           # 3 mirror of 12
    f"{CORE},2024/1/7,300,,6222000011,张三,中国银行,代发工资,13700",                   # 4 payroll
    f"{CORE},2024-13-07,300,,6222000011,张三,中国银行,代发工资,13700",                 # 5 bad_date
    f"{CORE},2024-01-08,abc,,2001,上游甲有限公司,中国工商银行,货款,13700",             # 6 bad_amount
    f"{CORE},2024-01-09,100,,,,,货款,13600",                                           # 7 missing cp
    f"{CORE},2024-01-10,１２３,,2001,上游甲（有限）公司,中国工商银行,货款,13477",       # 8 loaded
    f"{CORE},2024-01-10,１２３,,2001,上游甲（有限）公司,中国工商银行,货款,13477",       # 9 duplicate
    f"{CORE},2024-01-11,50,,2001",                                                     # 10 malformed
    f"{CORE},2024-01-12,50,60,2001,上游甲有限公司,中国工商银行,货款,13477",             # 11 ambiguous
    f"{BUYER},2024-01-06,5000,,1001,核心制造有限公司,示范银行,货款,100",               # 12 reversed
    f"{BUYER},2024-01-07,-5000,,1001,核心制造有限公司,示范银行,冲正,5100",             # 13 reversal
    f"{BUYER},2024-01-20,700,,1001,核心制造有限公司,示范银行,货款,4400",               # 14 loaded
    f"{BUYER},2024-01-20,700,,1001,核心制造有限公司,示范银行,货款,3700",               # 15 loaded (repeat)
    f"{CORE},2024-01-20,,700,1002,下游乙有限公司,示范银行,货款,14177",                 # 16 mirror of 14
    f"{CORE},2024-01-21,80,,1001-2,核心制造有限公司,示范银行,资金归集,14097",           # 17 intra
]


def _fates(db: Path) -> dict[int, str]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT line, coalesce(reason, status) FROM transactions "
                       "UNION ALL SELECT line, reason FROM rejects").fetchall()
    con.close()
    return dict(rows)


def test_every_row_lands_in_exactly_one_bucket_with_the_right_reason(
        write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"2024-01.csv": JANUARY})
    report = ingest(manifest, tmp_path / "s.duckdb")
    assert report.ok
    fates = _fates(tmp_path / "s.duckdb")
    assert fates == {
        2: "loaded", 3: "mirror_duplicate", 4: "payroll", 5: "bad_date", 6: "bad_amount",
        7: "missing_counterparty", 8: "loaded", 9: "duplicate_row", 10: "malformed_line",
        11: "ambiguous_amount", 12: "reversed", 13: "reversal", 14: "loaded", 15: "loaded",
        16: "mirror_duplicate", 17: "intra_transfer",
    }
    stmt = next(f for f in report.files if f.file == "statements/2024-01.csv")
    assert stmt.tally is not None
    assert stmt.tally.rows_read == len(JANUARY) == stmt.tally.accounted()
    assert report.totals.rows_read == report.totals.accounted()


def test_flows_count_a_payment_seen_on_two_statements_once(write_dataset: DatasetWriter,
                                                           tmp_path: Path) -> None:
    ingest(write_dataset({"2024-01.csv": JANUARY}), tmp_path / "s.duckdb")
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    flows = con.execute("""SELECT pe.name, qe.name, f.amount, f.count FROM flows f
        JOIN enterprises pe ON pe.enterprise_id = f.payer_id
        JOIN enterprises qe ON qe.enterprise_id = f.payee_id ORDER BY 1, 2""").fetchall()
    assert flows == [("下游乙有限公司", "核心制造有限公司", 1400.0, 2),
                     ("核心制造有限公司", "上游甲（有限）公司", 1123.0, 2)]  # its most-seen spelling
    names = con.execute("SELECT n_names FROM enterprises WHERE name LIKE '上游甲%'").fetchone()
    assert names == (2,)  # 上游甲有限公司 and 上游甲（有限）公司 are one firm


def test_reingesting_the_same_manifest_changes_nothing(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"2024-01.csv": JANUARY})
    db = tmp_path / "s.duckdb"
    first = ingest(manifest, db)
    before = _fates(db)
    second = ingest(manifest, db)
    assert [f.status for f in second.files if f.layout != "master"] == ["unchanged"]
    assert _fates(db) == before
    assert second.totals.to_json() == first.totals.to_json()


def test_an_added_month_reads_only_the_new_file_and_matches_a_fresh_load(
        write_dataset: DatasetWriter, tmp_path: Path) -> None:
    february = [f"{CORE},2024-02-05,900,,2001,上游甲有限公司,中国工商银行,货款,8000.00"]
    manifest = write_dataset({"2024-01.csv": JANUARY})
    ingest(manifest, tmp_path / "inc.duckdb")
    manifest = write_dataset({"2024-01.csv": JANUARY, "2024-02.csv": february})
    report = ingest(manifest, tmp_path / "inc.duckdb")
    statuses = {f.file: f.status for f in report.files}
    assert statuses["statements/2024-01.csv"] == "unchanged"
    assert statuses["statements/2024-02.csv"] == "new"
    fresh = ingest(manifest, tmp_path / "fresh.duckdb")
    assert report.totals.to_json() == fresh.totals.to_json()
    tables = "SELECT * FROM flows ORDER BY ALL"
    inc = duckdb.connect(str(tmp_path / "inc.duckdb"), read_only=True).execute(tables).fetchall()
    new = duckdb.connect(str(tmp_path / "fresh.duckdb"), read_only=True).execute(tables).fetchall()
    assert inc == new


def test_a_file_that_left_the_manifest_leaves_the_database(write_dataset: DatasetWriter,
                                                           tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": JANUARY[:2], "b.csv": JANUARY[10:12]})
    ingest(manifest, tmp_path / "s.duckdb")
    (tmp_path / "statements" / "b.csv").unlink()
    report = ingest(manifest, tmp_path / "s.duckdb")
    assert {f.file: f.status for f in report.files}["statements/b.csv"] == "removed"
    assert report.totals.rows_read == 2  # a.csv; the master's files are counted apart
    assert report.master_totals.rows_read == 2 + 2


@pytest.mark.parametrize("payload, problem", [
    (b"\x00garbage\x81\x82\x83\xff", "undecodable"),
    (b"\xff\xfe" + "账号".encode("utf-16-le") + b"\x00", "inside a utf-16 character"),  # a UTF-16 BOM, cut
    ("账号,户名,日期\n1,2,3\n".encode("gbk"), "not in the header"),
])
def test_an_unusable_file_is_reported_and_leaves_the_others_alone(
        write_dataset: DatasetWriter, tmp_path: Path, payload: bytes, problem: str) -> None:
    manifest = write_dataset({"good.csv": JANUARY[:2]})
    (tmp_path / "statements" / "bad.csv").write_bytes(payload)
    report = ingest(manifest, tmp_path / "s.duckdb")
    assert not report.ok
    assert len(report.errors) == 1
    assert report.errors[0].startswith("statements/bad.csv: ") and problem in report.errors[0]
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    paths = [r[0] for r in con.execute("SELECT path FROM files WHERE layout <> 'master'").fetchall()]
    assert paths == ["statements/good.csv"]
    assert con.execute("SELECT count(*) FROM staged").fetchone() == (2,)


def test_an_unknown_file_type_is_unusable(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"good.csv": JANUARY[:2]})
    (tmp_path / "statements" / "notes.docx").write_bytes(b"PK\x03\x04")
    report = ingest(manifest, tmp_path / "s.duckdb")
    assert report.errors == ["statements/notes.docx: unknown file type '.docx'; expected .csv, .txt, "
                             ".tsv, .xlsx, .xlsm or .parquet (or set `format` in the profile)"]


def test_consecutive_malformed_lines_keep_every_line_number(write_dataset: DatasetWriter,
                                                            tmp_path: Path) -> None:
    good = f"{CORE},2024-01-05,100,,2001,上游甲有限公司,中国工商银行,货款,9000.00"
    rows = [good, good + "1", f"{CORE},x", f"{CORE},y,z", good + "2", f"{CORE},w", good + "3"]
    ingest(write_dataset({"m.csv": rows}), tmp_path / "s.duckdb")
    fates = _fates(tmp_path / "s.duckdb")
    assert sorted(fates) == list(range(2, len(rows) + 2))
    assert [line for line, why in sorted(fates.items()) if why == "malformed_line"] == [4, 5, 7]


def test_utf8_and_gbk_exports_give_the_same_result(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    gbk = ingest(write_dataset({"m.csv": JANUARY}, encoding="gbk"), tmp_path / "g.duckdb")
    utf = ingest(write_dataset({"m.csv": JANUARY}, encoding="utf-8-sig"), tmp_path / "u.duckdb")
    assert gbk.totals.to_json() == utf.totals.to_json()


def test_a_broken_manifest_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "chainsight.toml"
    bad.write_text('[[sources]]\npath = "x.csv"\nprofile = "nope"\n[profiles]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="undefined profile"):
        ingest(bad, tmp_path / "s.duckdb")


def test_a_reversal_undoes_the_payment_before_it_not_the_same_amount_paid_again_later(
        write_dataset: DatasetWriter, tmp_path: Path) -> None:
    # The same 5,000 is paid every month; the 6 February payment is reversed on 7 February. The March
    # payment of the same amount is a later, genuine payment and must stay loaded.
    rows = [
        f"{BUYER},2024-01-06,5000,,1001,核心制造有限公司,示范银行,货款,100",     # 2 loaded
        f"{BUYER},2024-02-06,5000,,1001,核心制造有限公司,示范银行,货款,100",     # 3 reversed
        f"{BUYER},2024-02-07,-5000,,1001,核心制造有限公司,示范银行,冲正,5100",   # 4 reversal
        f"{BUYER},2024-03-06,5000,,1001,核心制造有限公司,示范银行,货款,100",     # 5 loaded
        f"{BUYER},2024-03-09,-7000,,1001,核心制造有限公司,示范银行,冲正,7100",   # 6 reversal of nothing
    ]
    ingest(write_dataset({"2024-01.csv": rows}), tmp_path / "s.duckdb")
    assert _fates(tmp_path / "s.duckdb") == {2: "loaded", 3: "reversed", 4: "reversal", 5: "loaded",
                                             6: "reversal"}


def test_a_changed_profile_or_rule_reads_an_unchanged_file_again(write_dataset: DatasetWriter,
                                                                 tmp_path: Path) -> None:
    manifest = write_dataset({"2024-01.csv": JANUARY})
    db = tmp_path / "s.duckdb"
    ingest(manifest, db)
    assert _fates(db)[7] == "missing_counterparty"  # 货款 without a counterparty
    assert _fates(db)[5] == "bad_date"  # 2024-13-07
    # The user corrects the manifest, not the file: a rule that lets 货款 go without a counterparty.
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text + '\n[[rules]]\nflow_class = "cash"\nmemo = ["货款"]\nneeds_counterparty = false\n'
                        '[[rules]]\nflow_class = "payroll"\nmemo = ["工资"]\n', encoding="utf-8")
    again = ingest(manifest, db)
    assert [f.status for f in again.files if f.layout != "master"] == ["changed"]
    assert _fates(db)[7] == "cash" and _fates(db)[2] == "cash"
    # A date format that reads 2024-13-07 as year-day-month: line 5 is a date now.
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'encoding = "auto"', 'encoding = "auto"\ndate_formats = ["%Y-%d-%m", "%Y%m%d", "%Y/%m/%d"]'),
        encoding="utf-8")
    ingest(manifest, db)
    assert _fates(db)[5] == "payroll"
    assert ingest(manifest, db).files[0].status == "unchanged"
