"""Hostile and broken inputs: nothing from the data runs as SQL, no row is lost, every failure is a sentence.

Each test is one probe of the hostile-input review (issue #8): what the user now sees, and whether the
database then holds exactly what a clean ingest of the good files holds.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from chainsight.errors import ConfigError
from chainsight.ingest.clean import row_digest_sql
from chainsight.ingest.pipeline import ingest
from chainsight.ingest.report import IngestReport
from tests.conftest import STATEMENT_HEADER, DatasetWriter

CORE = "1001,核心制造有限公司"
GOOD = [f"{CORE},2024-01-{d:02d},{100 + d}.00,,2001,上游甲有限公司,中国工商银行,货款,9000.00"
        for d in range(1, 29)]
DROP = 'x"; COMMIT; DROP TABLE flows; --'


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything ingest decided, keyed by file path and line (file ids differ between databases)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "fates": con.execute("SELECT f.path, t.line, t.status, t.reason FROM transactions t "
                                 "JOIN files f USING (file_id) ORDER BY ALL").fetchall(),
            "rejects": con.execute("SELECT f.path, r.line, r.reason, r.raw_row FROM rejects r "
                                   "JOIN files f USING (file_id) ORDER BY ALL").fetchall(),
            "flows": con.execute("SELECT * FROM flows ORDER BY ALL").fetchall(),
            "enterprises": con.execute("SELECT enterprise_id, name FROM enterprises ORDER BY ALL").fetchall(),
        }
    finally:
        con.close()


def _loaded(report: IngestReport) -> int:
    """Payment rows loaded (the master's rows are counted apart)."""
    return sum(f.tally.loaded for f in report.files if f.tally is not None and f.layout != "master")


def _tables(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()


# --- 1. identifiers never become SQL -------------------------------------------------------------

@pytest.mark.parametrize("evil", [
    DROP,
    "a\", (SELECT 1)) AS x; COPY (SELECT 42) TO '{pwned}' (FORMAT csv); --",
    '备注"内部"',
    "'; DROP TABLE staged; --",
])
def test_a_hostile_header_cell_is_only_text(write_dataset: DatasetWriter, tmp_path: Path, evil: str) -> None:
    pwned = tmp_path / "pwned.csv"
    header_cell = evil.format(pwned=pwned)
    quoted = '"' + header_cell.replace('"', '""') + '"'
    manifest = write_dataset({"a.csv": [row + ",x" for row in GOOD]}, header=STATEMENT_HEADER + "," + quoted)
    report = ingest(manifest, tmp_path / "s.duckdb")
    assert report.ok, report.errors
    assert _loaded(report) == len(GOOD)
    assert not pwned.exists()
    assert {"flows", "staged", "transactions", "enterprises"} <= _tables(tmp_path / "s.duckdb")


def test_a_mapped_header_with_quotes_reads_its_column(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    header = STATEMENT_HEADER.replace("摘要", '"备注""内部"""')
    manifest = write_dataset({"a.csv": GOOD[:3]}, header=header)
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('memo = "摘要"', "memo = '备注\"内部\"'"),
                        encoding="utf-8")
    report = ingest(manifest, tmp_path / "s.duckdb")
    assert report.ok, report.errors
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert con.execute("SELECT DISTINCT memo FROM staged").fetchall() == [("货款",)]
    con.close()


def _payments_manifest(folder: Path, source: str, columns: dict[str, str], extra: str = "") -> Path:
    mapping = "\n".join(f"{k} = {v!r}" for k, v in columns.items())
    manifest = folder / "chainsight.toml"
    manifest.write_text(textwrap.dedent(f"""
        name = "payments"
        [[sources]]
        path = "{source}"
        profile = "pay"
        [profiles.pay]
        layout = "payments"
        {extra}
        [profiles.pay.columns]
        """) + mapping + "\n", encoding="utf-8")
    return manifest


PAY_COLUMNS = {"payer_account": "付款账号", "payer_name": "付款户名", "payee_account": "收款账号",
               "payee_name": "收款户名", "amount": "金额", "date": "日期"}
PAY_ROWS = [("1001", "核心制造有限公司", "2001", "上游甲有限公司", "1000.00", "2024-01-05"),
            ("1001", "核心制造有限公司", "2002", "上游丙有限公司", "2000.00", "2024-01-06")]


def test_hostile_excel_and_parquet_headers_are_only_text(tmp_path: Path) -> None:
    header = [*PAY_COLUMNS.values(), DROP, DROP]  # a hostile cell, repeated
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in PAY_ROWS:
        sheet.append([*row, "x", "y"])
    book.save(tmp_path / "p.xlsx")
    frame = pd.DataFrame([[*row, "x"] for row in PAY_ROWS], columns=[*PAY_COLUMNS.values(), DROP])
    frame.to_parquet(tmp_path / "p.parquet")
    for source in ("p.xlsx", "p.parquet"):
        db = tmp_path / f"{source}.duckdb"
        report = ingest(_payments_manifest(tmp_path, source, PAY_COLUMNS), db)
        assert report.ok, report.errors
        assert _loaded(report) == 2
        assert "flows" in _tables(db)


def test_a_hostile_master_header_is_only_text(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": GOOD[:2]})
    customers = tmp_path / "master" / "customers.csv"
    lines = customers.read_text(encoding="utf-8-sig").splitlines()
    customers.write_text("\n".join([lines[0] + ',"' + DROP.replace('"', '""') + '"']
                                   + [line + ",x" for line in lines[1:]]) + "\n", encoding="utf-8")
    report = ingest(manifest, tmp_path / "s.duckdb")
    assert report.ok, report.errors
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM customers").fetchall() == [(2,)]
    con.close()


# --- 2. every row is where the report says ---------------------------------------------------------

def test_a_stray_quote_rejects_its_line_and_the_rest_of_the_file_loads(write_dataset: DatasetWriter,
                                                                      tmp_path: Path) -> None:
    rows = list(GOOD)
    rows[2] = rows[2].replace("货款", '"货款')  # a quote opens the memo and never closes
    rows[10] = rows[10].replace("9000.00", '"9,000.00"')  # a later, well-formed quoted field
    report = ingest(write_dataset({"a.csv": rows}), tmp_path / "s.duckdb")
    stmt = next(f for f in report.files if f.file == "statements/a.csv")
    assert stmt.tally is not None
    assert stmt.tally.rows_read == len(rows)
    assert stmt.tally.rejected == {"unterminated_quote": 1}
    assert stmt.tally.loaded == len(rows) - 1
    snap = _snapshot(tmp_path / "s.duckdb")
    assert [(r[1], r[2]) for r in snap["rejects"]] == [(4, "unterminated_quote")]
    assert snap["rejects"][0][3] == rows[2]
    assert sorted(r[1] for r in snap["fates"]) == [n for n in range(2, len(rows) + 2) if n != 4]


def test_lines_stay_physical_after_blank_lines_and_quoted_newlines(write_dataset: DatasetWriter,
                                                                  tmp_path: Path) -> None:
    rows = [GOOD[0], "", GOOD[1].replace("货款", '"货款\n第二行"'), "", "", GOOD[2], f"{CORE},bad",
            GOOD[3].replace("货款", '"a\n\nb"'), GOOD[4]]
    # physical lines: 2 GOOD0 · 3 blank · 4-5 GOOD1 · 6-7 blank · 8 GOOD2 · 9 bad · 10-12 GOOD3 · 13 GOOD4
    report = ingest(write_dataset({"a.csv": rows}), tmp_path / "s.duckdb")
    assert report.ok
    snap = _snapshot(tmp_path / "s.duckdb")
    assert [r[1] for r in snap["fates"]] == [2, 4, 8, 10, 13]
    assert [(r[1], r[2]) for r in snap["rejects"]] == [(9, "malformed_line")]


def test_mixed_line_endings_read_like_one_kind(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": GOOD[:6] + [f"{CORE},bad"]})
    path = tmp_path / "statements" / "a.csv"
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\r\n".join(lines[:3]) + b"\n" + b"\n".join(lines[3:]))
    report = ingest(manifest, tmp_path / "mixed.duckdb")
    assert report.ok, report.errors
    clean = write_dataset({"a.csv": GOOD[:6] + [f"{CORE},bad"]})
    ingest(clean, tmp_path / "clean.duckdb")
    assert _snapshot(tmp_path / "mixed.duckdb") == _snapshot(tmp_path / "clean.duckdb")


def test_a_quoted_header_holding_the_delimiter_reads_every_row(write_dataset: DatasetWriter,
                                                              tmp_path: Path) -> None:
    header = STATEMENT_HEADER + ',"备注,附言"'
    report = ingest(write_dataset({"a.csv": [r + ",x" for r in GOOD[:5]]}, header=header), tmp_path / "s.duckdb")
    assert report.ok
    assert _loaded(report) == 5


def test_two_sources_matching_one_file_are_refused(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"2024-01_a.csv": GOOD[:2]})
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        '[[sources]]\npath = "statements/*"\nprofile = "stmt"\n',
        '[[sources]]\npath = "statements/*"\nprofile = "stmt"\n'
        '[[sources]]\npath = "statements/2024-01_*.csv"\nprofile = "stmt"\n'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"statements/2024-01_a.csv is matched by two sources, "
                                          r"'statements/\*' and 'statements/2024-01_\*.csv'"):
        ingest(manifest, tmp_path / "s.duckdb")
    assert not (tmp_path / "s.duckdb").exists()


def test_a_file_that_turns_unusable_takes_its_old_rows_with_it(write_dataset: DatasetWriter,
                                                              tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": GOOD[:3], "b.csv": GOOD[3:6]})
    db = tmp_path / "s.duckdb"
    ingest(manifest, db)
    (tmp_path / "statements" / "b.csv").write_bytes(b"\xff\xfe\x00garbage\x81\x82\x83\xff")
    report = ingest(manifest, db)
    assert report.errors and "its earlier version was removed" in report.errors[0]
    (tmp_path / "statements" / "b.csv").unlink()
    ingest(manifest, tmp_path / "good-only.duckdb")
    assert _snapshot(db) == _snapshot(tmp_path / "good-only.duckdb")


def test_a_file_rewritten_while_it_is_read_is_refused_then_read_whole(
        write_dataset: DatasetWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import chainsight.ingest.pipeline as pipeline

    manifest = write_dataset({"a.csv": GOOD[:3]})
    path = tmp_path / "statements" / "a.csv"
    real_digest = pipeline.file_digest

    def digest_then_append(p: Path) -> str:
        digest = real_digest(p)
        if p == path:
            with p.open("ab") as fh:
                fh.write("\n".join(GOOD[3:6]).encode("gbk") + b"\n")
        return digest

    monkeypatch.setattr(pipeline, "file_digest", digest_then_append)
    first = ingest(manifest, tmp_path / "s.duckdb")
    assert first.errors == ["statements/a.csv: the file changed while it was being read; run ingest again"]
    monkeypatch.setattr(pipeline, "file_digest", real_digest)
    second = ingest(manifest, tmp_path / "s.duckdb")
    assert {f.file: f.status for f in second.files}["statements/a.csv"] == "new"
    assert _loaded(second) == 6


def test_parquet_accounts_stored_as_double_match_our_accounts(tmp_path: Path) -> None:
    frame = pd.DataFrame([(3201030074384800.0, "核心制造有限公司", 2001.0, "上游甲有限公司", 1000.0, "2024-01-05")],
                         columns=list(PAY_COLUMNS.values()))
    frame.to_parquet(tmp_path / "p.parquet")
    report = ingest(_payments_manifest(tmp_path, "p.parquet", PAY_COLUMNS), tmp_path / "s.duckdb")
    assert report.ok, report.errors
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert con.execute("SELECT payer_account, payee_account, amount FROM staged").fetchall() == [
        ("3201030074384800", "2001", 1000)]
    con.close()
    frame["付款账号"] = 320103007438480012.0  # above 2**53: the float has already lost digits
    frame.to_parquet(tmp_path / "p.parquet")
    report = ingest(_payments_manifest(tmp_path, "p.parquet", PAY_COLUMNS), tmp_path / "t.duckdb")
    assert report.errors == ["p.parquet: column(s) '付款账号' (payer_account) are stored as floating point "
                             "and hold numbers too large to be exact, so digits are lost; export them as text"]


def test_a_party_known_by_account_and_uscc_only_is_an_enterprise(tmp_path: Path) -> None:
    columns = {**PAY_COLUMNS, "payee_uscc": "收款方信用代码"}
    (tmp_path / "p.csv").write_text(
        ",".join(columns.values()) + "\n1001,核心制造有限公司,2001,,1000.00,2024-01-05,91350100M000100Y43\n",
        encoding="utf-8")
    report = ingest(_payments_manifest(tmp_path, "p.csv", columns), tmp_path / "s.duckdb")
    assert _loaded(report) == 1
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert con.execute("SELECT f.payee_id, e.uscc FROM flows f JOIN enterprises e "
                       "ON e.enterprise_id = f.payee_id").fetchall() == [
        ("91350100M000100Y43", "91350100M000100Y43")]
    con.close()


def test_a_repeated_excel_header_is_read_by_position(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["付款账号", "付款户名", "收款账号", "收款户名", "金额", "日期", "金额"])
    sheet.append(["1001", "核心制造有限公司", "2001", "上游甲有限公司", "1000.00", "2024-01-05", "7"])
    book.save(tmp_path / "p.xlsx")
    report = ingest(_payments_manifest(tmp_path, "p.xlsx", PAY_COLUMNS), tmp_path / "s.duckdb")
    assert report.errors == ["p.xlsx: the header repeats a mapped column: '金额' (amount) is columns 5, 7; "
                             "map it by position instead, e.g. \"#4\" for the 4th column"]
    report = ingest(_payments_manifest(tmp_path, "p.xlsx", {**PAY_COLUMNS, "amount": "#7"}),
                    tmp_path / "s.duckdb")
    assert report.ok
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert con.execute("SELECT amount, payee_name FROM staged").fetchall() == [(7, "上游甲有限公司")]
    con.close()


def test_the_row_digest_is_md5_of_length_prefixed_fields() -> None:
    encoded = "3:abc,-,3:货"  # 货 is 3 UTF-8 bytes: the length counts bytes; NULL is "-"
    # DuckDB's md5_number reads the 16 digest bytes little-endian; the digest keeps the upper half.
    expected = int.from_bytes(hashlib.md5(encoded.encode("utf-8")).digest()[8:], "little")
    got = duckdb.sql("SELECT " + row_digest_sql(["'abc'", "NULL", "'货'"])).fetchall()[0][0]
    assert got == expected


def test_a_database_staged_by_an_older_version_is_read_again(write_dataset: DatasetWriter,
                                                            tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": GOOD[:3]})
    db = tmp_path / "s.duckdb"
    ingest(manifest, db)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM meta WHERE key = 'staging_version'")
    con.close()
    report = ingest(manifest, db)
    assert {f.file: f.status for f in report.files}["statements/a.csv"] == "new"
    assert _loaded(report) == 3


def test_a_second_manifest_is_refused_unless_asked_to_replace(write_dataset: DatasetWriter,
                                                             tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    ingest(write_dataset({"a.csv": GOOD[:3]}), db)
    other = tmp_path / "other"
    other.mkdir()
    (other / "p.csv").write_text(",".join(PAY_COLUMNS.values()) + "\n" + ",".join(PAY_ROWS[0]) + "\n",
                                 encoding="utf-8")
    manifest = _payments_manifest(other, "p.csv", PAY_COLUMNS)
    with pytest.raises(ConfigError, match="this database holds the dataset of the manifest in"):
        ingest(manifest, db)
    assert _snapshot(db)["fates"] and all(r[0] == "statements/a.csv" for r in _snapshot(db)["fates"])
    report = ingest(manifest, db, replace=True)
    assert report.ok
    assert {r[0] for r in _snapshot(db)["fates"]} == {"p.csv"}


# --- 3. one sentence for every bad input -----------------------------------------------------------

def test_a_bad_file_does_not_block_the_new_files_after_it(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": GOOD[:2], "b.csv": GOOD[2:4], "c.csv": GOOD[4:6]})
    long_line = f"{CORE},2024-01-05,1.00,,2001,上游甲有限公司,中国工商银行," + "长" * 1_500_000 + ",1"
    (tmp_path / "statements" / "a.csv").write_bytes((STATEMENT_HEADER + "\n" + long_line + "\n").encode("gbk"))
    (tmp_path / "statements" / "b.csv").write_bytes(STATEMENT_HEADER.encode("gbk") + b"\n\x81\x20\xff\n")
    report = ingest(manifest, tmp_path / "s.duckdb")
    offset = len(STATEMENT_HEADER.encode("gbk")) + 1  # the first byte after the header's line break
    assert report.errors == [f"statements/b.csv: undecodable bytes at offset {offset}: neither UTF-8 nor "
                             "GBK/GB18030; set `encoding` in the profile"]
    files = {f.file: f for f in report.files}
    assert files["statements/a.csv"].tally is not None
    assert files["statements/a.csv"].tally.rejected == {"malformed_line": 1}  # longer than DuckDB's 2 MB
    assert files["statements/c.csv"].status == "new" and _loaded(report) == 2


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace('path = "statements/*"', 'path = "statements/missing.csv"'),
     "source 'statements/missing.csv': no such file under"),
    (lambda t: t.replace('path = "statements/*"', 'path = "statements"'),
     "source 'statements' is a directory; name its files with a glob such as statements/*.csv"),
    (lambda t: t.replace('layout = "statement"', 'layout = "statement"\ndelimiter = ""'),
     "delimiter must be one character other than a quote or a line break, not ''"),
    (lambda t: t.replace('layout = "statement"', 'layout = "statement"\ndate_formats = ["%Q"]'),
     "date format '%Q' is not valid"),
])
def test_a_bad_manifest_is_one_sentence(write_dataset: DatasetWriter, tmp_path: Path, edit: object,
                                        message: str) -> None:
    manifest = write_dataset({"a.csv": GOOD[:2]})
    manifest.write_text(edit(manifest.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("*", r"\*")):
        ingest(manifest, tmp_path / "s.duckdb")
    assert not (tmp_path / "s.duckdb").exists()


def test_an_absolute_glob_is_read(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": GOOD[:2]})
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'path = "statements/*"', f'path = "{tmp_path}/statements/*.csv"'), encoding="utf-8")
    report = ingest(manifest, tmp_path / "s.duckdb")
    assert report.ok and _loaded(report) == 2


def test_a_manifest_folder_means_its_chainsight_toml(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    write_dataset({"a.csv": GOOD[:2]})
    assert _loaded(ingest(tmp_path, tmp_path / "s.duckdb")) == 2
    with pytest.raises(ConfigError, match="is a directory without a chainsight.toml"):
        ingest(tmp_path / "statements", tmp_path / "t.duckdb")


def test_a_master_path_that_is_a_directory_is_named(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": GOOD[:2]})
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'customers = "master/customers.csv"', 'customers = "master"'), encoding="utf-8")
    report = ingest(manifest, tmp_path / "s.duckdb")
    assert report.errors == ["master: customer master path is a directory, not a file"]
    assert _loaded(report) == 2


def test_a_gbk_file_declared_utf8_is_named_with_a_hint(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": GOOD[:2]}, encoding="gbk")
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('encoding = "auto"', 'encoding = "utf-8"'),
                        encoding="utf-8")
    report = ingest(manifest, tmp_path / "s.duckdb")
    assert len(report.errors) == 1
    assert report.errors[0].startswith("statements/a.csv: undecodable bytes on line 1: not utf-8 "
                                       "(it looks like GBK: set encoding = \"gbk\" or \"auto\")")


def test_a_full_disk_is_one_sentence_and_a_rerun_converges(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": GOOD * 40})
    db = tmp_path / "s.duckdb"
    script = textwrap.dedent(f"""\
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))
        from chainsight.errors import ChainSightError
        from chainsight.ingest.pipeline import ingest
        try:
            ingest({str(manifest)!r}, {str(db)!r})
        except ChainSightError as exc:
            print(type(exc).__name__, exc)
            sys.exit(3)
        """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 3, run.stderr[-2000:]
    assert run.stdout.startswith(f"StoreError the staging database {db} failed:")
    assert "Traceback" not in run.stderr
    report = ingest(manifest, db)
    assert report.ok and _loaded(report) == len(GOOD * 40) - len(GOOD) * 39  # copies are duplicates
    ingest(manifest, tmp_path / "fresh.duckdb")
    assert _snapshot(db) == _snapshot(tmp_path / "fresh.duckdb")


def test_the_profile_format_reads_other_extensions(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"a.dat": GOOD[:2]})
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'layout = "statement"', 'layout = "statement"\nformat = "csv"'), encoding="utf-8")
    assert _loaded(ingest(manifest, tmp_path / "s.duckdb")) == 2

