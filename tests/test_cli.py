"""The command line, end to end on a tiny demo bank: exit codes, reports and machine-readable output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from chainsight.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    result = runner.invoke(app, ["synth", "--out", str(folder / "data"), "--scale", "tiny", "--seed", "3"])
    assert result.exit_code == 0, result.output
    db = folder / "bank.duckdb"
    result = runner.invoke(app, ["ingest", str(folder / "data" / "chainsight.toml"), "--db", str(db),
                                 "--report", str(folder / "report.json")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["analyze", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return folder, db


def test_ingest_writes_a_report_whose_identity_holds(tiny: tuple[Path, Path]) -> None:
    report = json.loads((tiny[0] / "report.json").read_text(encoding="utf-8"))
    assert report["ok"] is True
    for entry in [*report["files"], report["totals"]]:
        accounted = entry["loaded"] + sum(entry["excluded"].values()) + sum(entry["rejected"].values())
        assert entry["rows_read"] == accounted
    assert report["totals"]["rows_read"] > 1000


def test_cores_as_json_have_the_documented_fields(tiny: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["cores", "--db", str(tiny[1]), "--top", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    cores = json.loads(result.stdout)
    assert 1 <= len(cores) <= 3
    assert {"enterprise_id", "name", "rank", "score"} <= set(cores[0])
    assert [c["rank"] for c in cores] == list(range(1, len(cores) + 1))


def test_prospects_as_json_have_the_documented_fields(tiny: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["prospects", "--db", str(tiny[1]), "--format", "json", "--limit", "5"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 5
    assert {"enterprise_id", "name", "rank", "score", "kind", "eligible", "direction", "tier", "segment",
            "stage"} <= set(rows[0])
    assert {r["kind"] for r in rows} <= {"deepen", "acquire"}
    assert {r["direction"] for r in rows} <= {"up", "down"}


def test_exports_to_csv_and_xlsx(tiny: tuple[Path, Path]) -> None:
    import pandas as pd

    xlsx = tiny[0] / "prospects.xlsx"
    result = runner.invoke(app, ["prospects", "--db", str(tiny[1]), "--format", "xlsx", "--output", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_excel(xlsx, engine="openpyxl")) == 20
    result = runner.invoke(app, ["cores", "--db", str(tiny[1]), "--format", "csv"])
    assert result.stdout.splitlines()[0].startswith("enterprise_id,name,rank,score")


def test_rejects_lists_file_line_and_reason(tiny: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["rejects", "--db", str(tiny[1]), "--format", "json", "--limit", "1000"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    report = json.loads((tiny[0] / "report.json").read_text(encoding="utf-8"))
    assert len(rows) == sum(report["totals"]["rejected"].values()) + sum(report["master_totals"]["rejected"].values())
    assert all(r["file"] and r["line"] >= 1 and r["reason"] for r in rows)


def test_an_unusable_file_fails_the_run_with_one_clear_message(tmp_path: Path,
                                                               tiny: tuple[Path, Path]) -> None:
    data = tiny[0] / "data"
    manifest = tmp_path / "chainsight.toml"
    text = (data / "chainsight.toml").read_text(encoding="utf-8")
    manifest.write_text(text, encoding="utf-8")
    for sub in ("statements", "excel", "payments", "master"):
        (tmp_path / sub).symlink_to(data / sub)
    (tmp_path / "statements_broken").mkdir()
    broken = manifest.read_text(encoding="utf-8") + (
        '\n[[sources]]\npath = "statements_broken/bad.csv"\nprofile = "'
        + text.split('profile = "')[1].split('"')[0] + '"\n')
    manifest.write_text(broken, encoding="utf-8")
    (tmp_path / "statements_broken" / "bad.csv").write_bytes(b"\xfa garbage \x81\x82")  # not UTF-8, not GB18030
    result = runner.invoke(app, ["ingest", str(manifest), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 1
    assert "statements_broken/bad.csv" in result.output and "undecodable" in result.output


def test_a_broken_manifest_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "chainsight.toml"
    bad.write_text("this is = = not toml", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(bad), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2
    assert "not valid TOML" in result.output


def test_starting_the_cli_does_not_import_the_demo_generator() -> None:
    code = ("import sys; from typer.testing import CliRunner; from chainsight.cli import app; "
            "CliRunner().invoke(app, ['--help']); "
            "print(any(m.startswith('chainsight.demo') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_ingest_and_analyze_use_the_duckdb_threads_setting(tiny: tuple[Path, Path], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import chainsight._session
    import chainsight.ingest.pipeline
    import chainsight.ingest.staging

    seen: list[int] = []

    def counting(*args: object, threads: int = 0, **kwargs: object) -> object:
        seen.append(threads)
        return chainsight.ingest.staging.connect(*args, threads=threads, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setenv("CHAINSIGHT_DUCKDB_THREADS", "2")
    monkeypatch.setattr(chainsight.ingest.pipeline, "connect", counting)
    monkeypatch.setattr(chainsight._session, "connect", counting)
    db = tmp_path / "bank.duckdb"
    result = runner.invoke(app, ["ingest", str(tiny[0] / "data" / "chainsight.toml"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["analyze", "--db", str(db)]).exit_code == 0
    assert seen == [2, 2]


def test_export_neo4j_import_writes_typed_files_and_prints_the_command(tiny: tuple[Path, Path]) -> None:
    out = tiny[0] / "neo4j-import"
    result = runner.invoke(app, ["export", "neo4j-import", str(out), "--db", str(tiny[1])])
    assert result.exit_code == 0, result.output
    assert "neo4j-admin database import full --nodes=Enterprise=" in result.output
    arguments = (out / "arguments.txt").read_text(encoding="utf-8").splitlines()
    assert arguments[-2:] == ["--", "neo4j"]
    assert f"--relationships=PAYS={(out / 'pays.csv').resolve()}" in arguments
    header = (out / "pays.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:3] == ['":START_ID(Enterprise)"', '":END_ID(Enterprise)"', '"amount:double"']
    firms = (out / "enterprise.csv").read_text(encoding="utf-8").splitlines()
    assert firms[0].startswith('"enterprise_id:ID(Enterprise)","name:string"')
    assert firms[0].endswith('":LABEL"')
    assert any(line.endswith('"Enterprise;Core"') for line in firms[1:])


def test_firms_lists_every_firm_with_its_values(tiny: tuple[Path, Path]) -> None:
    _, db = tiny
    result = runner.invoke(app, ["firms", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    con = duckdb.connect(str(db), read_only=True)
    n = con.execute("SELECT count(*) FROM enterprises").fetchone()
    con.close()
    assert n is not None and len(rows) == n[0]  # every staged enterprise is analysed
    assert {"enterprise_id", "deposits", "eligible", "core_rank", "n_suppliers"} <= set(rows[0])
    assert [r["enterprise_id"] for r in rows] == sorted(r["enterprise_id"] for r in rows)


def test_demo_users_one_per_role_created_once_and_shown_again(tiny: tuple[Path, Path]) -> None:
    import csv
    import io
    import stat

    from chainsight.api.appdb import AppDB, default_url
    from chainsight.cli._demo_users import ensure_demo_users

    folder, db = tiny
    listing = ensure_demo_users(db, folder)
    assert ensure_demo_users(db, folder) == listing  # a re-run shows the same, creates nothing
    assert stat.S_IMODE((folder / "demo-users.txt").stat().st_mode) == 0o600
    rows = {line.split()[0]: line.split() for line in listing.splitlines()[1:]}
    assert sorted(rows) == ["admin", "analyst", "manager"]

    result = runner.invoke(app, ["cores", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    top = next(r for r in csv.DictReader(io.StringIO(result.output.lstrip("\ufeff"))) if r["branch"])
    appdb = AppDB.open(default_url(db))
    try:
        assert len(appdb.list_users()) == 3
        for role, (_, name, _, password, _, key, *_) in rows.items():
            principal = appdb.authenticate_key(key)
            assert principal is not None and principal.role == role
            assert principal.branches == (frozenset({top["branch"]}) if role == "manager" else frozenset())
        _, name, _, password, *_ = rows["manager"]
        assert appdb.sign_in(name, password, "127.0.0.1") is not None
    finally:
        appdb.close()
