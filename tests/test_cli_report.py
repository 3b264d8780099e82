"""The ingest report: master files apart, the manifest file named, rejects as written, the reject-rate exit."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from chainsight.cli import app
from chainsight.ingest.pipeline import ingest
from tests.conftest import DatasetWriter

runner = CliRunner()
CORE = "1001,核心制造有限公司"
GOOD = f"{CORE},2024-01-05,100.00,,2001,上游甲有限公司,中国工商银行,货款,9000.00"
BAD = f'{CORE},2024-13-05,"1,000.00",,2001,"上游甲有限公司",中国工商银行,货款,9000.00'


def test_master_rows_are_counted_apart_and_the_manifest_file_is_named(
        write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": [GOOD, GOOD.replace("05", "06")]})
    report = ingest(manifest, tmp_path / "s.duckdb").to_json()
    assert report["manifest"] == str(manifest.resolve())
    assert report["totals"]["rows_read"] == 2  # the statement's rows only
    assert report["master_totals"]["rows_read"] == 4  # two customers, two accounts (conftest)
    assert report["master_totals"]["loaded"] == 4


def test_a_reject_keeps_its_line_byte_for_byte(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    ingest(write_dataset({"a.csv": [GOOD, BAD]}), tmp_path / "s.duckdb")
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    rows = con.execute("SELECT line, reason, raw_row FROM rejects").fetchall()
    con.close()
    assert rows == [(3, "bad_date", BAD)]  # quotes and all, decoded from the GBK file


def test_ingest_exits_3_above_the_reject_rate(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    manifest = write_dataset({"a.csv": [GOOD, BAD, BAD]})
    db = str(tmp_path / "s.duckdb")
    result = runner.invoke(app, ["ingest", str(manifest), "--db", db, "--report", str(tmp_path / "r.json")])
    assert result.exit_code == 3, result.output  # 2 of 3 rejected > the default 50 %
    assert "66.7% of the payment rows were rejected" in " ".join(result.output.split())
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["totals"]["rows_read"] == 3
    result = runner.invoke(app, ["ingest", str(manifest), "--db", db, "--max-reject-rate", "0.7"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["ingest", str(manifest), "--db", db, "--max-reject-rate", "0.6"])
    assert result.exit_code == 3


def test_cores_explains_why_there_is_none(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    # One firm paying one supplier 8 times: far below the default 5 suppliers and 5 customers.
    rows = [f"{CORE},2024-01-{d:02d},{100 + d}.00,,2001,上游甲有限公司,中国工商银行,货款,9000.00" for d in range(1, 9)]
    db = str(tmp_path / "s.duckdb")
    manifest = write_dataset({"a.csv": rows}, extra_manifest="as_of = 2024-12-31\n")
    assert runner.invoke(app, ["ingest", str(manifest), "--db", db]).exit_code == 0
    analysed = runner.invoke(app, ["analyze", "--db", db])
    assert analysed.exit_code == 0, analysed.output
    result = runner.invoke(app, ["cores", "--db", db])
    assert result.exit_code == 0, result.output
    assert " ".join(result.output.split()).startswith(
        "no core met the rules: at least 5 suppliers, at least 5 customers, a relation active in at least "
        "3 months; the closest candidates were 上游甲有限公司 (0 suppliers, 1 customers); "
        "核心制造有限公司 (1 suppliers, 0 customers)")


def test_the_analysis_toml_is_documented_by_the_cli() -> None:
    helped = " ".join(runner.invoke(app, ["analyze", "--help"]).output.replace("│", " ").split())
    assert "(, , , )" not in helped and "cores, chains, prospects and alerts" in helped
    schema = json.loads(runner.invoke(app, ["config", "--schema"]).output)
    assert {"cores", "chains", "prospects", "alerts"} <= set(schema["properties"])
    defaults = json.loads(runner.invoke(app, ["config"]).output)
    assert defaults["cores"]["min_suppliers"] == 5 and defaults["no_loan_cap"] == 500000.0  # the README's rule
