"""``chainsight backtest``: against the later period's staging database and against recorded outcomes,
in every format, with clear errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from chainsight.api.appdb import AppDB
from chainsight.api.principal import Principal
from chainsight.cli import app
from chainsight.config import default_app_db
from chainsight.ingest.entities import enterprise_id, valid_uscc

runner = CliRunner()
WANG = Principal(kind="user", id=1, name="wang", role="manager", branches=frozenset({"0101"}))


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A tiny demo bank, analysed, and its later period ingested: (data folder, db, later db)."""
    folder = tmp_path_factory.mktemp("cli_backtest")
    data, db, later = folder / "data", folder / "bank.duckdb", folder / "later.duckdb"
    assert runner.invoke(app, ["synth", "--out", str(data), "--scale", "tiny", "--seed", "3"]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(data / "chainsight.toml"), "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["analyze", "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(data / "later" / "chainsight.toml"), "--db", str(later)]).exit_code == 0
    return data, db, later


def _json(*args: str) -> pd.DataFrame:
    result = runner.invoke(app, ["backtest", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return pd.DataFrame(json.loads(result.stdout))


def _ranked(db: Path) -> list[str]:
    """Deepen and acquire prospects of every core, each firm once at its best score (the CLI's own list)."""
    result = runner.invoke(app, ["prospects", "--db", str(db), "--all-cores", "--limit", "100000", "--format", "json"])
    assert result.exit_code == 0, result.output
    p = pd.DataFrame(json.loads(result.stdout))
    best = p.groupby("enterprise_id")["score"].max().reset_index()
    return best.sort_values(["score", "enterprise_id"], ascending=[False, True])["enterprise_id"].tolist()


def test_against_the_later_period(bank: tuple[Path, Path, Path]) -> None:
    data, db, later = bank
    table = _json("--db", str(db), "--later", str(later), "--k", "10", "--overall")
    table = table[table["answer"] == "later"]  # (recorded outcomes too, once a test has recorded some)
    assert list(table["scope"]) == ["all"]
    truth = pd.read_csv(data / "truth" / "later_conversions.csv", dtype=str)
    planted = {enterprise_id(f if valid_uscc(f) else None, f) for f in truth["firm"]}
    ranked = _ranked(db)
    row = table.iloc[0]
    assert row["candidates"] == len(ranked)
    assert row["converted"] == sum(e in planted for e in ranked)
    assert row["chainsight_precision"] == sum(e in planted for e in ranked[:10]) / 10


def test_against_recorded_outcomes_in_the_app_database(bank: tuple[Path, Path, Path]) -> None:
    _, db, _ = bank
    ranked = _ranked(db)
    appdb = AppDB.open(default_app_db(db))
    try:
        appdb.record_outcome(ranked[0], "account_opened", on_date=date(2025, 3, 1), by=WANG)
        appdb.record_outcome(ranked[1], "visited", on_date=date(2025, 3, 1), by=WANG)
        appdb.record_outcome(ranked[2], "declined", on_date=date(2025, 3, 1), reason="rates", by=WANG)
        appdb.record_outcome(ranked[20], "product_sold", on_date=date(2025, 3, 2), product="现金管理", by=WANG)
    finally:
        appdb.close()
    table = _json("--db", str(db), "--overall").set_index("k")  # the SQLite file beside --db is found
    assert set(table["answer"]) == {"recorded"}
    assert table.at[10, "converted"] == 2
    assert table.at[10, "chainsight_hits"] == 1 and table.at[10, "chainsight_precision"] == 0.1
    assert table.at[50, "chainsight_hits"] == 2 and table.at[50, "chainsight_precision"] == 0.04


def test_table_xlsx_and_per_core(bank: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, db, later = bank
    result = runner.invoke(app, ["backtest", "--db", str(db), "--later", str(later)])
    assert result.exit_code == 0, result.output
    assert "Back-test" in result.stdout and "later, top 10: ChainSight" in result.stdout
    out = tmp_path / "backtest.xlsx"
    result = runner.invoke(app, ["backtest", "--db", str(db), "--later", str(later), "--format", "xlsx",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    sheet = pd.read_excel(out, engine="openpyxl")
    cores = _json("--db", str(db), "--later", str(later))
    assert len(sheet) == len(cores) and sheet["scope"].nunique() > 2  # all + each core
    assert set(sheet["k"]) == {10, 50}


@pytest.mark.parametrize(("args", "message"), [
    (["--later", "missing.duckdb"], "missing.duckdb: no such staging database"),
    (["--later", "SAME"], "not a period after the analysed one"),
    (["--format", "xlsx"], "needs --output"),
])
def test_clear_errors(bank: tuple[Path, Path, Path], args: list[str], message: str) -> None:
    _, db, later = bank
    args = [str(db) if a == "SAME" else a for a in args]
    if "--later" not in args:
        args += ["--later", str(later)]
    result = runner.invoke(app, ["backtest", "--db", str(db), *args])
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


def test_nothing_to_test_against(tmp_path: Path, bank: tuple[Path, Path, Path]) -> None:
    _, db, _ = bank
    copy = tmp_path / "copy.duckdb"  # no app database beside it, no --later
    copy.write_bytes(db.read_bytes())
    result = runner.invoke(app, ["backtest", "--db", str(copy)])
    assert result.exit_code == 2 and "nothing to back-test against" in result.output
    assert not (tmp_path / "copy.app.sqlite").exists()  # looking did not create one


def test_the_page_function_keeps_to_the_readers_scope(bank: tuple[Path, Path, Path]) -> None:
    """``backtest_report`` with a manager's scope ranks only the rows the access rule shows them."""
    import chainsight
    from chainsight.api._backtest import backtest_report
    from chainsight.graph.stores.protocol import Scope
    from chainsight.ingest.snapshot import read_snapshot

    _, db, later = bank
    snapshot = read_snapshot(later)
    with chainsight.open(db) as cs:
        firms = cs.firms().set_index("enterprise_id")
        rows = cs.prospects(None, kind=("deepen", "acquire"))
        branch = str(firms.loc[rows["core_id"].iloc[0], "branch"])
        scope = Scope(frozenset({branch}))
        table = backtest_report(cs.store, later=snapshot, appdb=None, scope=scope, ks=(10,))

    def visible(firm: str, core_served: bool) -> bool:
        f = firms.loc[firm]
        return scope.firm(firm, bool(f["is_customer"]), f["branch"], core_served=core_served)

    served = {c: visible(c, False) for c in rows["core_id"].unique()}
    seen = rows[[served[c] and visible(e, served[c]) for c, e in zip(rows["core_id"], rows["enterprise_id"])]]
    overall = table[table["scope"] == "all"].iloc[0]
    assert 0 < overall["candidates"] == seen["enterprise_id"].nunique() < rows["enterprise_id"].nunique()
    assert set(table["scope"]) - {"all"} == set(seen["core_id"])
