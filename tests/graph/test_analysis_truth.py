"""Acceptance on the medium demo bank: the analysis finds what was planted (truth is read only here)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from chainsight.graph.analysis import Analysis, analyze
from chainsight.ingest.pipeline import ingest
from chainsight.ingest.staging import connect
from chainsight.demo import generate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Analysis]:
    folder = tmp_path_factory.mktemp("medium-bank")
    generate(folder / "data", scale="medium", seed=7)
    ingest(folder / "data" / "chainsight.toml", folder / "staging.duckdb")
    con = connect(folder / "staging.duckdb", read_only=True)
    try:
        return folder / "data" / "truth", analyze(con)
    finally:
        con.close()


def _read_truth(truth: Path, name: str, pipeline_id: Callable[[str], str]) -> pd.DataFrame:
    """A truth file, its firm keys (``core``, ``firm``) as pipeline ids (``core_id``, ``enterprise_id``)."""
    frame = pd.read_csv(truth / name, dtype={"core": str, "firm": str, "eligible": str})
    for key, column in (("core", "core_id"), ("firm", "enterprise_id")):
        if key in frame:
            frame[column] = frame.pop(key).map(pipeline_id)
    return frame


def test_core_precision_at_10(medium: tuple[Path, Analysis], pipeline_id: Callable[[str], str]) -> None:
    truth, analysis = medium
    planted = set(_read_truth(truth, "cores.csv", pipeline_id)["core_id"])
    top10 = analysis.cores["enterprise_id"].head(10).tolist()
    assert len(planted) >= 10 and len(top10) == 10
    precision = len(set(top10) & planted) / 10
    assert precision >= 0.95, analysis.cores[["enterprise_id", "name", "score"]].head(12)


def test_tier1_direction(medium: tuple[Path, Analysis], pipeline_id: Callable[[str], str]) -> None:
    truth, analysis = medium
    chain = _read_truth(truth, "chain.csv", pipeline_id)
    found = chain[chain["tier"] == 1].merge(analysis.members, on=["core_id", "enterprise_id"],
                                            suffixes=("_true", ""))
    assert len(found) >= 0.9 * int((chain["tier"] == 1).sum())
    correct = (found["direction"] == found["direction_true"]).mean()
    assert correct >= 0.98


def test_tier2_recall(medium: tuple[Path, Analysis], pipeline_id: Callable[[str], str]) -> None:
    truth, analysis = medium
    chain = _read_truth(truth, "chain.csv", pipeline_id)
    tier2 = chain[(chain["tier"] == 2) & chain["core_id"].isin(analysis.cores["enterprise_id"])]
    found = tier2.merge(analysis.members, on=["core_id", "enterprise_id"])
    assert len(tier2) > 0
    assert len(found) / len(tier2) >= 0.9


def test_eligibility_agrees_with_truth_on_every_customer(medium: tuple[Path, Analysis],
                                                         pipeline_id: Callable[[str], str]) -> None:
    truth, analysis = medium
    expected = _read_truth(truth, "eligible.csv", pipeline_id)
    expected["eligible"] = expected["eligible"].str.lower() == "true"
    firms = analysis.firms.set_index("enterprise_id")
    got = firms.reindex(expected["enterprise_id"])["eligible"].to_numpy()
    assert (got == expected["eligible"].to_numpy()).all(), expected[got != expected["eligible"].to_numpy()]
