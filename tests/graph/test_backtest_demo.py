"""The back-test on the small demo bank: the conversions ChainSight derives from the later master are the
ones the generator planted (``truth/later_conversions.csv``, read here on its own), and the precision
figures follow from that answer and the published ranking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from chainsight.graph.backtest import backtest, candidates, later_conversions
from chainsight.graph.result import Analysis
from chainsight.ingest.snapshot import customer_snapshot, snapshot_date
from chainsight.ingest.staging import connect


@pytest.fixture(scope="module")
def later(small_later_db: Path) -> pd.DataFrame:
    """The small bank's later period's customer master, read from its own staging database."""
    con = connect(small_later_db, read_only=True)
    try:
        assert snapshot_date(con) == "2025-06-30"
        return customer_snapshot(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def planted(small_bank: tuple[Path, Path], pipeline_id: Callable[[str], str]) -> pd.DataFrame:
    truth = pd.read_csv(small_bank[0] / "truth" / "later_conversions.csv", dtype=str)
    return truth.assign(enterprise_id=truth["firm"].map(pipeline_id))


def test_derived_conversions_are_the_planted_ones(small_analysis: Analysis, later: pd.DataFrame,
                                                  planted: pd.DataFrame) -> None:
    ranked = set(candidates(small_analysis.prospects)["enterprise_id"])
    derived = later_conversions(small_analysis.prospects, small_analysis.firms, later)
    expected = planted[planted["enterprise_id"].isin(ranked)]
    assert len(expected) >= 100 and set(expected["kind"]) == {"acquire", "deepen"}
    got = dict(zip(derived["enterprise_id"], derived["how"]))
    assert got == dict(zip(expected["enterprise_id"], expected["how"]))


def test_precision_follows_from_the_planted_answer(small_analysis: Analysis, later: pd.DataFrame,
                                                   planted: pd.DataFrame) -> None:
    derived = set(later_conversions(small_analysis.prospects, small_analysis.firms, later)["enterprise_id"])
    table = backtest(small_analysis.prospects, {"later": derived}, ks=(10, 50))
    # The overall ranking worked out here: deepen and acquire prospects, each firm at its best score.
    p = small_analysis.prospects
    p = p[p["kind"].isin(["deepen", "acquire"])]
    best = p.groupby("enterprise_id")["score"].max().reset_index()
    order = best.sort_values(["score", "enterprise_id"], ascending=[False, True])["enterprise_id"].tolist()
    amounts = pd.Series([e["amount"] for e in p["evidence"]], index=p.index)
    by_amount = (p.assign(amount=amounts).groupby("enterprise_id")["amount"].max().reset_index()
                 .sort_values(["amount", "enterprise_id"], ascending=[False, True])["enterprise_id"].tolist())
    truth = set(planted["enterprise_id"])
    overall = table[table["scope"] == "all"].set_index("k")
    for k in (10, 50):
        assert overall.at[k, "chainsight_precision"] == sum(e in truth for e in order[:k]) / k
        assert overall.at[k, "amount_precision"] == sum(e in truth for e in by_amount[:k]) / k
    assert overall.at[10, "candidates"] == len(order)
    per_core = table[(table["scope"] != "all") & (table["k"] == 10)]
    assert set(per_core["scope"]) == set(small_analysis.cores["enterprise_id"])
