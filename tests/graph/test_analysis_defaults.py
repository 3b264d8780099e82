"""The analysis' defaults a new user meets: the as-of date of data without a December, unknown keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainsight.errors import ConfigError
from chainsight.graph.analysis import AnalysisConfig, analyze
from chainsight.ingest.pipeline import ingest
from chainsight.ingest.staging import connect

SIM = """
[[sources]]
path = "sim.csv"
profile = "sim"
[profiles.sim]
layout = "payments"
identify_by = ["uscc", "name", "account"]
[profiles.sim.columns]
payer_account = "from"
payee_account = "to"
amount = "amount"
date = "date"
"""


def _sim(tmp_path: Path, months: range) -> Path:
    """Accounts only, no master, one payment a month from A to B in the given months of 2024."""
    rows = [f"A,B,100.00,2024-{m:02d}-15" for m in months]
    (tmp_path / "sim.csv").write_text("\n".join(["from,to,amount,date", *rows]) + "\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(SIM, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert ingest(tmp_path / "chainsight.toml", db).ok
    return db


def test_data_without_a_december_is_analysed_as_of_its_last_month_end_with_a_warning(tmp_path: Path) -> None:
    db = _sim(tmp_path, range(3, 9))  # March to August 2024
    con = connect(db, read_only=True)
    try:
        result = analyze(con)
    finally:
        con.close()
    # Not 2023-12-31, a date before every payment, which would leave the analysis empty.
    assert result.meta["as_of"] == "2024-08-31"
    assert result.meta["warnings"] == [
        "The data holds no December, so the analysis is as of its last month end, 2024-08-31; the 小额无贷户 "
        "rule is defined on year-end balances: set as_of to choose the date."]
    assert result.flows["amount"].tolist() == [600.0]


def test_data_with_a_december_is_analysed_as_of_its_year_end_without_a_warning(tmp_path: Path) -> None:
    db = _sim(tmp_path, range(1, 13))
    con = connect(db, read_only=True)
    try:
        result = analyze(con)
    finally:
        con.close()
    assert (result.meta["as_of"], result.meta["warnings"]) == ("2024-12-31", [])


@pytest.mark.parametrize("table", ["cores", "chains", "hubs", "prospects", "alerts"])
def test_a_mistyped_key_in_any_table_is_refused(table: str, tmp_path: Path) -> None:
    config = tmp_path / "analysis.toml"
    config.write_text(f"[{table}]\nmin_monthz = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="min_monthz"):
        AnalysisConfig.from_toml(config)
