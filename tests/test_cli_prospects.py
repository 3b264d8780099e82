"""``chainsight prospects`` and ``cs.prospects``: every store filter, checked against the unfiltered list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import pandas as pd
import pytest
from typer.testing import CliRunner

import chainsight
from chainsight.cli import app
from chainsight.cli._options import Direction, Kind, Segment, Sort, Stage
from chainsight.graph._prospect_rules import SEGMENTS, STAGES
from chainsight.graph.stores.protocol import SORTS, ProspectKind

runner = CliRunner()
EVERY_KIND = [arg for k in Kind for arg in ("--kind", k.value)]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli_prospects")
    assert runner.invoke(app, ["synth", "--out", str(folder / "data"), "--scale", "tiny", "--seed", "3"]).exit_code == 0
    path = folder / "bank.duckdb"
    assert runner.invoke(app, ["ingest", str(folder / "data" / "chainsight.toml"), "--db", str(path)]).exit_code == 0
    assert runner.invoke(app, ["analyze", "--db", str(path)]).exit_code == 0
    return path


def _rows(db: Path, *args: str) -> pd.DataFrame:
    result = runner.invoke(app, ["prospects", "--db", str(db), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return pd.DataFrame(json.loads(result.stdout))


@pytest.fixture(scope="module")
def everything(db: Path) -> pd.DataFrame:
    """Every prospect of every core and kind, in the store's order."""
    frame = _rows(db, "--all-cores", *EVERY_KIND, "--limit", "100000")
    assert frame["core_id"].nunique() > 1 and frame["kind"].nunique() == 4
    return frame


def _keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(frame["core_id"], frame["enterprise_id"], strict=True))


@pytest.mark.parametrize(("args", "keep"), [
    (["--direction", "up"], lambda f: f["direction"] == "up"),
    (["--tier", "1"], lambda f: f["tier"] == 1),
    (["--segment", "closure_warning"], lambda f: f["segment"] == "closure_warning"),
    (["--stage", "growth"], lambda f: f["stage"] == "growth"),
    (["--eligible"], lambda f: f["eligible"]),
    (["--not-eligible"], lambda f: ~f["eligible"]),
    (["--branch", "0102"], lambda f: f["branch"] == "0102"),
    (["--manager", "王宁"], lambda f: f["manager"] == "王宁"),
    (["--min-score", "0.5"], lambda f: f["score"] >= 0.5),
    (["--kind", "credit_team", "--kind", "existing"], lambda f: f["kind"].isin(["credit_team", "existing"])),
    (["--direction", "down", "--tier", "2", "--eligible"],
     lambda f: (f["direction"] == "down") & (f["tier"] == 2) & f["eligible"]),
])
def test_each_filter_keeps_exactly_the_matching_prospects(args: list[str], keep: Any, db: Path,
                                                          everything: pd.DataFrame) -> None:
    base = ["--all-cores", "--limit", "100000"]
    kinds = [] if "--kind" in args else EVERY_KIND
    expected = everything[keep(everything).astype(bool)]
    assert 0 < len(expected) < len(everything)  # the filter bites
    assert _keys(_rows(db, *base, *kinds, *args)) == _keys(expected)


def test_name_keeps_names_containing_it(db: Path, everything: pd.DataFrame) -> None:
    part = str(everything["name"].iloc[0])[:3]
    expected = everything[everything["name"].str.contains(part, regex=False)]
    assert 0 < len(expected) < len(everything)
    assert _keys(_rows(db, "--all-cores", *EVERY_KIND, "--limit", "100000", "--name", part)) == _keys(expected)


def test_skip_and_limit_page_the_list(db: Path, everything: pd.DataFrame) -> None:
    page = _rows(db, "--all-cores", *EVERY_KIND, "--skip", "3", "--limit", "4")
    assert _keys(page) == _keys(everything.iloc[3:7])


def test_sort_by_score_is_best_first_over_the_same_rows(db: Path, everything: pd.DataFrame) -> None:
    by_score = _rows(db, "--all-cores", *EVERY_KIND, "--limit", "100000", "--sort", "score")
    assert by_score["score"].is_monotonic_decreasing
    assert sorted(_keys(by_score)) == sorted(_keys(everything))
    assert _keys(by_score) != _keys(everything)


def test_the_default_is_the_top_cores_deepen_and_acquire(db: Path, everything: pd.DataFrame) -> None:
    top = json.loads(runner.invoke(app, ["cores", "--db", str(db), "--top", "1", "--format", "json"]).stdout)
    rows = _rows(db, "--limit", "100000")
    expected = everything[(everything["core_id"] == top[0]["enterprise_id"])
                          & everything["kind"].isin(["deepen", "acquire"])]
    assert _keys(rows) == _keys(expected)


def test_core_and_all_cores_together_exit_2(db: Path) -> None:
    result = runner.invoke(app, ["prospects", "--db", str(db), "--core", "X", "--all-cores"])
    assert result.exit_code == 2
    assert "error: give --core or --all-cores, not both" in result.stderr


def test_the_session_takes_every_filter(db: Path, everything: pd.DataFrame) -> None:
    eligible = everything[everything["eligible"] & everything["manager"].notna()]
    # The manager and name prefix shared by the most eligible prospects: paging needs three rows.
    pairs = eligible.groupby([eligible["manager"], eligible["name"].astype(str).str[:2]]).size()
    manager, part = (str(x) for x in pairs.sort_index().idxmax())
    mine = everything[(everything["manager"] == manager) & everything["eligible"]]
    expected = mine[mine["name"].str.contains(part, regex=False)].iloc[1:3]
    assert len(expected) == 2
    with chainsight.open(db) as cs:
        got = cs.prospects(None, kind=None, eligible=True, manager=manager, name=part, skip=1, limit=2)
    assert _keys(got) == _keys(expected)


def test_the_cli_value_sets_are_the_analysis_sets() -> None:
    assert [k.value for k in Kind] == list(get_args(ProspectKind))
    assert set(get_args(Segment)) == set(SEGMENTS)
    assert set(get_args(Stage)) == set(STAGES)
    assert set(get_args(Sort)) == set(SORTS)
    assert get_args(Direction) == ("up", "down")
