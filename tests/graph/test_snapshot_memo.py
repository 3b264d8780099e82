"""A :class:`SnapshotStore` remembers its answers per snapshot: a repeated read asks DuckDB nothing,
a caller cannot change what the next caller gets, and a newly published snapshot is answered at once."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from chainsight.graph.stores.protocol import CORE_COLUMNS, ordered
from chainsight.graph.stores.snapshots import SnapshotStore, write_snapshot


def _publish(db: Path, analysed_at: str, cores: list[tuple[str, str]]) -> None:
    frame = pd.DataFrame({"enterprise_id": [c for c, _ in cores], "name": [n for _, n in cores],
                          "rank": list(range(1, len(cores) + 1)), "score": [0.5] * len(cores)})
    write_snapshot(db, {"cs_meta": pd.DataFrame({"meta": [json.dumps({"analysed_at": analysed_at})]}),
                        "cs_cores": ordered(frame, CORE_COLUMNS)})


def test_a_repeated_read_is_remembered_and_a_caller_cannot_change_it(tmp_path: Path) -> None:
    db = tmp_path / "bank.duckdb"
    _publish(db, "first", [("C1", "Alpha"), ("C2", "Beta")])
    store = SnapshotStore(db)
    queries: list[str] = []
    query = store._query
    store._query = lambda sql, params=None: queries.append(sql) or query(sql, params)  # type: ignore[method-assign]
    try:
        first = store.cores()
        asked = len(queries)
        assert asked > 0
        first.data.loc[0, "name"] = "changed by a caller"
        del first.data["score"]
        again = store.cores()
        assert len(queries) == asked  # nothing asked of DuckDB the second time
        assert again.data["name"].tolist() == ["Alpha", "Beta"]
        assert again.data["score"].tolist() == [0.5, 0.5]
        assert store.summary()["analysed_at"] == "first"
        summary = store.summary()
        summary["analysed_at"] = "changed"
        assert store.summary()["analysed_at"] == "first"
    finally:
        store.close()


def test_a_new_snapshot_is_answered_at_once(tmp_path: Path) -> None:
    db = tmp_path / "bank.duckdb"
    _publish(db, "first", [("C1", "Alpha")])
    store = SnapshotStore(db)
    try:
        assert store.cores().data["enterprise_id"].tolist() == ["C1"]
        assert store.summary()["analysed_at"] == "first"
        _publish(db, "second", [("C9", "Omega"), ("C8", "Psi")])
        assert store.cores().data["enterprise_id"].tolist() == ["C9", "C8"]
        assert store.cores(limit=1).count == 2
        assert store.summary()["analysed_at"] == "second"
    finally:
        store.close()


def test_no_analysis_is_not_remembered(tmp_path: Path) -> None:
    db = tmp_path / "bank.duckdb"
    store = SnapshotStore(db)
    try:
        assert store.summary() == {"analysed": False}
        _publish(db, "first", [("C1", "Alpha")])
        assert store.summary()["analysed_at"] == "first"
    finally:
        store.close()
