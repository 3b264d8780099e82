"""The command line on hostile values: markup in the data, unsafe XLSX cells, bad options and paths.

Every case asserts the sentence the user sees and the exit status; none may print a traceback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import chainsight
from chainsight.cli import app
from chainsight.errors import ConfigError
from chainsight.ingest.staging import connect

runner = CliRunner()
MARKUP = "[/] [red]x[/red]"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny demo bank, ingested and analysed: (folder, staging database)."""
    folder = tmp_path_factory.mktemp("cli_safety")
    assert runner.invoke(app, ["synth", "--out", str(folder / "data"), "--scale", "tiny", "--seed", "3"]).exit_code == 0
    db = folder / "bank.duckdb"
    assert runner.invoke(app, ["ingest", str(folder / "data" / "chainsight.toml"), "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["analyze", "--db", str(db)]).exit_code == 0
    return folder, db


@pytest.fixture
def hostile(tiny: tuple[Path, Path], tmp_path: Path) -> Path:
    """A copy of the tiny bank whose top core, prospects and rejects carry markup and formulas."""
    db = tmp_path / "hostile.duckdb"
    shutil.copy(tiny[1], db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE cs_cores SET name = ?, explanation = ? WHERE rank = 1", [MARKUP, f"because {MARKUP}"])
    top = con.execute("SELECT enterprise_id FROM cs_cores WHERE rank = 1").fetchone()
    assert top is not None
    names = [MARKUP, "=HYPERLINK(\"http://evil\")", "bad\x00\x07\x1fname", "@SUM(A1)", "+1", "-2"]
    ranks = [r[0] for r in con.execute(
        "SELECT rank FROM cs_prospects WHERE core_id = ? AND list_contains(['deepen', 'acquire'], kind) "
        "ORDER BY rank LIMIT ?", [top[0], len(names)]).fetchall()]
    assert len(ranks) == len(names)
    for rank, name in zip(ranks, names, strict=True):
        con.execute("UPDATE cs_prospects SET name = ?, reasons_en = ? WHERE core_id = ? AND rank = ?",
                    [name, f"reason {MARKUP}", top[0], rank])
    con.execute("UPDATE files SET path = ? WHERE file_id = (SELECT min(file_id) FROM rejects)",
                [f"statements/{MARKUP}.csv"])
    con.execute("UPDATE rejects SET raw_row = ?, reason = ? WHERE line = (SELECT min(line) FROM rejects)",
                [f"1,{MARKUP},[bold]", "bad_[/]date"])
    con.close()
    return db


def _no_traceback(output: str) -> None:
    assert "Traceback" not in output


def _said(message: str, output: str) -> bool:
    """True when ``message`` is in ``output``, however typer's error box wrapped or click capitalised it."""
    return "".join(message.lower().split()) in "".join(output.replace("│", "").lower().split())


# -- markup in the data is shown literally ---------------------------------------------------
def test_a_core_named_with_markup_prints_literally(hostile: Path) -> None:
    result = runner.invoke(app, ["cores", "--db", str(hostile), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert MARKUP in result.stdout
    assert f"because {MARKUP}" in result.stdout


def test_prospects_named_with_markup_print_literally(hostile: Path) -> None:
    result = runner.invoke(app, ["prospects", "--db", str(hostile), "--limit", "6"])
    assert result.exit_code == 0, result.output
    assert f"1. {MARKUP}" in result.stdout
    assert f"reason {MARKUP}" in result.stdout


def test_rejects_with_markup_print_literally(hostile: Path) -> None:
    result = runner.invoke(app, ["rejects", "--db", str(hostile), "--limit", "1000"])
    assert result.exit_code == 0, result.output
    flat = "".join(result.stdout.split())  # the table folds long cells over lines
    assert "".join(f"statements/{MARKUP}.csv".split()) in flat
    assert "1,[/][red]x[/red],[bold]" in flat and "bad_[/]date" in flat


def test_the_ingest_report_prints_file_names_reasons_and_errors_literally(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from chainsight.cli import _commands
    from chainsight.ingest.report import FileReport, IngestReport, Tally

    files = [FileReport(f"statements/{MARKUP}.csv", "new", tally=Tally(3, 1, {}, {f"bad_{MARKUP}": 2})),
             FileReport(f"excel/{MARKUP}.xlsx", "failed", error=f"excel/{MARKUP}.xlsx: sheet [/] missing")]
    report = IngestReport("m", "t0", "t1", files)
    monkeypatch.setattr(_commands, "run_ingest", lambda *args, **kwargs: report)
    manifest = tmp_path / "chainsight.toml"
    manifest.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(manifest), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 1
    assert f"statements/{MARKUP}.csv" in result.stdout and f"bad_{MARKUP}" in result.stdout
    assert f"unusable input: excel/{MARKUP}.xlsx: sheet [/] missing" in result.stderr
    _no_traceback(result.output)


# -- XLSX exports ----------------------------------------------------------------------------
def test_xlsx_cells_hold_no_control_characters_formulas_or_reprs(hostile: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "prospects.xlsx"
    result = runner.invoke(app, ["prospects", "--db", str(hostile), "--limit", "6", "--format", "xlsx",
                                 "--output", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir() if p.name != "hostile.duckdb"] == ["prospects.xlsx"]
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [r["name"] for r in rows] == [MARKUP, "'=HYPERLINK(\"http://evil\")", "badname", "'@SUM(A1)",
                                         "'+1", "'-2"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    products = [r["products"] for r in rows if r["products"]]
    assert products and all("[" not in p and "'" not in p for p in products)
    assert any("、" in p for p in products)
    assert all(isinstance(r["score"], float) for r in rows)


def test_csv_cells_start_no_formula(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "prospects.csv"
    result = runner.invoke(app, ["prospects", "--db", str(hostile), "--limit", "6", "--format", "csv",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(rows["name"]) == [MARKUP, "'=HYPERLINK(\"http://evil\")", "badname", "'@SUM(A1)",
                                  "'+1", "'-2"]
    assert b"\x00" not in out.read_bytes() and b"\x07" not in out.read_bytes()
    assert all(float(s) == float(s) for s in rows["score"])  # numbers are left as numbers


def test_a_failed_xlsx_export_leaves_the_previous_file_and_no_part(hostile: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(self: pd.DataFrame, path: Path, **kwargs: object) -> None:
        Path(path).write_bytes(b"PK half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_excel", full_disk)
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    previous = out_dir / "p.xlsx"
    previous.write_bytes(b"last month's export")
    result = runner.invoke(app, ["prospects", "--db", str(hostile), "--format", "xlsx", "--output", str(previous)])
    assert result.exit_code == 1
    assert "error: OSError: [Errno 28] No space left on device" in result.stderr
    _no_traceback(result.output)
    assert list(out_dir.iterdir()) == [previous]
    assert previous.read_bytes() == b"last month's export"


def test_xlsx_needs_an_output_file(tiny: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["cores", "--db", str(tiny[1]), "--format", "xlsx"])
    assert result.exit_code == 2
    assert "error: --format xlsx needs --output FILE.xlsx" in result.stderr


# -- output paths ----------------------------------------------------------------------------
@pytest.mark.parametrize("option", ["--output", "--report"])
def test_an_output_in_a_missing_folder_exits_2_and_creates_nothing(option: str, tiny: tuple[Path, Path],
                                                                   tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.json"
    if option == "--output":
        args = ["cores", "--db", str(tiny[1]), "--format", "json", "--output", str(target)]
    else:
        args = ["ingest", str(tiny[0] / "data" / "chainsight.toml"), "--db", str(tmp_path / "new.duckdb"),
                "--report", str(target)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert _said(f"Invalid value for '{option}': the folder {target.parent} does not exist", result.output)
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_is_a_folder_exits_2(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["cores", "--db", str(tiny[1]), "--format", "csv", "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert _said(f"Invalid value for '--output': {tmp_path} is a folder; give a file name", result.output)


def test_a_manifest_folder_without_chainsight_toml_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2
    assert _said(f"error: {tmp_path} is a directory without a chainsight.toml; give the manifest file",
                 result.output)
    assert not (tmp_path / "x.duckdb").exists()


def test_a_db_in_a_missing_folder_exits_2_and_creates_nothing(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    db = tmp_path / "missing" / "bank.duckdb"
    result = runner.invoke(app, ["ingest", str(tiny[0] / "data" / "chainsight.toml"), "--db", str(db)])
    assert result.exit_code == 2
    assert f"error: cannot create {db}: the folder {db.parent} does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_db_that_is_a_folder_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cores", "--db", str(tmp_path)])
    assert result.exit_code == 2
    assert _said(f"Invalid value for '--db': file '{tmp_path}' is a directory.", result.output)


# -- reading commands never create a database ------------------------------------------------
@pytest.mark.parametrize("command", ["rejects", "cores", "prospects", "analyze"])
def test_a_reading_command_on_a_missing_db_exits_2_and_creates_nothing(command: str, tmp_path: Path) -> None:
    db = tmp_path / "typo.duckdb"
    result = runner.invoke(app, [command, "--db", str(db)])
    assert result.exit_code == 2
    assert f"error: no staging database at {db}" in result.stderr
    assert "run `chainsight ingest` first" in result.stderr
    _no_traceback(result.output)
    assert list(tmp_path.iterdir()) == []


def test_open_on_a_missing_file_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no staging database"):
        chainsight.open(tmp_path / "typo.duckdb")
    with pytest.raises(ConfigError, match="no staging database"):
        connect(tmp_path / "typo.duckdb", read_only=True)
    assert list(tmp_path.iterdir()) == []


def test_rejects_on_a_new_staging_database_is_an_empty_table(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    connect(db).close()
    result = runner.invoke(app, ["rejects", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_rejects_on_a_foreign_duckdb_file_is_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "other.duckdb"
    duckdb.connect(str(db)).close()
    result = runner.invoke(app, ["rejects", "--db", str(db)])
    assert result.exit_code == 2
    assert f"error: {db} is not a staging database (no rejects table)" in result.stderr


# -- settings never become SQL ---------------------------------------------------------------
@pytest.mark.parametrize("limit", ["4GB'; DROP TABLE flows; --", "lots"])
def test_a_bad_memory_limit_exits_2_and_leaves_the_database_alone(limit: str, tiny: tuple[Path, Path],
                                                                 tmp_path: Path) -> None:
    db = tmp_path / "bank.duckdb"
    shutil.copy(tiny[1], db)
    result = runner.invoke(app, ["ingest", str(tiny[0] / "data" / "chainsight.toml"), "--db", str(db),
                                 "--memory-limit", limit])
    assert result.exit_code == 2
    assert f"error: invalid DuckDB setting (memory_limit={limit!r}" in result.stderr
    _no_traceback(result.output)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM flows").fetchone() == (
        duckdb.connect(str(tiny[1]), read_only=True).execute("SELECT count(*) FROM flows").fetchone())
    con.close()


def test_connect_passes_settings_as_configuration(tmp_path: Path) -> None:
    con = connect(tmp_path / "s.duckdb", memory_limit="512MB", threads=2)
    settings = con.execute("SELECT current_setting('memory_limit'), current_setting('threads'), "
                           "current_setting('preserve_insertion_order')").fetchone()
    con.close()
    assert settings == ("488.2 MiB", 2, False)


# -- bad options -----------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "message"), [
    (["cores", "--top", "-1"], "Invalid value for '--top'"),
    (["cores", "--top", "0"], "Invalid value for '--top'"),
    (["prospects", "--limit", "0"], "Invalid value for '--limit'"),
    (["prospects", "--limit", "-5"], "Invalid value for '--limit'"),
    (["prospects", "--skip", "-1"], "Invalid value for '--skip'"),
    (["rejects", "--limit", "0"], "Invalid value for '--limit'"),
    (["prospects", "--direction", "sideways"], "'sideways' is not one of 'up', 'down'"),
    (["prospects", "--kind", "friends"], "'friends' is not one of 'deepen', 'acquire'"),
    (["prospects", "--segment", "gold"], "'gold' is not one of"),
    (["prospects", "--stage", "dead"], "'dead' is not one of"),
    (["prospects", "--sort", "random"], "'random' is not one of 'rank', 'score', 'name'"),
    (["prospects", "--min-score", "2"], "Invalid value for '--min-score'"),
    (["cores", "--format", "pdf"], "'pdf' is not one of"),
    (["cores", "--store", "excel"], "'excel' is not one of 'local', 'neo4j'"),
    (["analyze", "--engine", "spark"], "'spark' is not one of 'native', 'gds'"),
    (["synth", "--out", "x", "--scale", "huge"], "'huge' is not one of"),
])
def test_a_bad_option_value_exits_2_with_typers_message(args: list[str], message: str,
                                                        tiny: tuple[Path, Path]) -> None:
    result = runner.invoke(app, [*args, *(["--db", str(tiny[1])] if args[0] != "synth" else [])])
    assert result.exit_code == 2
    assert _said(message, result.output)


def test_gds_without_neo4j_is_a_config_error(tiny: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["analyze", "--db", str(tiny[1]), "--engine", "gds"])
    assert result.exit_code == 2
    assert "error: --engine gds needs --store neo4j" in result.stderr


# -- foreign errors --------------------------------------------------------------------------
def test_a_foreign_error_is_one_escaped_line_and_exit_1(tiny: tuple[Path, Path],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: chainsight.ChainSight, top: int | None = None) -> pd.DataFrame:
        raise duckdb.IOException(f"disk {MARKUP} gone")

    monkeypatch.setattr(chainsight.ChainSight, "cores", broken)
    monkeypatch.delenv("CHAINSIGHT_DEBUG", raising=False)
    result = runner.invoke(app, ["cores", "--db", str(tiny[1])])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: IOException: disk {MARKUP} gone (set CHAINSIGHT_DEBUG=1 to see the traceback)"]
    _no_traceback(result.output)

    monkeypatch.setenv("CHAINSIGHT_DEBUG", "1")
    result = runner.invoke(app, ["cores", "--db", str(tiny[1])])
    assert isinstance(result.exception, duckdb.IOException)


def test_python_m_chainsight_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "chainsight", "prospects", "--help"], capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Usage: chainsight prospects" in done.stdout
    assert "--min-score" in done.stdout
