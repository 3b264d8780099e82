"""Neo4jStore against a real server over Bolt: same answers as LocalStore, injection-safe, crash-safe."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from chainsight.config import Neo4jSettings
from chainsight.errors import StoreError, StoreUnavailable
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore
from chainsight.graph.stores.neo4j_store import Neo4jStore
from chainsight.graph.stores.protocol import ProspectFilter
from tests.conftest import neo4j_settings_or_skip

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
NASTY = ["O'Brien \"引号\" 有限公司", "`反引号`} {大括号} 贸易公司", "MATCH (n) DETACH DELETE n 公司",
         "$param \\ 反斜杠 // 注释 /* 公司 */", "RETURN 1; DROP CONSTRAINT x 有限公司"]


@pytest.fixture
def neo4j_store() -> Iterator[Neo4jStore]:
    store = Neo4jStore(neo4j_settings_or_skip())
    try:
        yield store
    finally:
        store.close()


def test_both_stores_give_identical_answers(neo4j_store: Neo4jStore, small_analysis: Analysis,
                                            tmp_path: Path) -> None:
    local = LocalStore(tmp_path / "local.duckdb")
    local.publish(small_analysis)
    neo4j_store.publish(small_analysis)
    try:
        pd.testing.assert_frame_equal(local.cores().data, neo4j_store.cores().data)
        pd.testing.assert_frame_equal(local.alerts().data, neo4j_store.alerts().data)
        for core_id in small_analysis.cores["enterprise_id"]:
            for sort in ("rank", "score", "name"):
                pd.testing.assert_frame_equal(local.prospects(core_id, sort=sort, limit=None).data,
                                              neo4j_store.prospects(core_id, sort=sort, limit=None).data)
            a, b = local.chain(core_id), neo4j_store.chain(core_id)
            assert a.core == b.core
            pd.testing.assert_frame_equal(a.members, b.members)
            pd.testing.assert_frame_equal(a.edges, b.edges)
            la, lb = local.leakage(core_id), neo4j_store.leakage(core_id)
            assert la.summary == lb.summary
            pd.testing.assert_frame_equal(la.top, lb.top)
        member = str(small_analysis.prospects["enterprise_id"].iloc[0])
        assert local.enterprise(member) == neo4j_store.enterprise(member)
    finally:
        local.close()


def _with_nasty_names(analysis: Analysis) -> tuple[Analysis, dict[str, str]]:
    """A copy of ``analysis`` in which a few prospects carry hostile names."""
    nasty = copy.copy(analysis)
    ids = analysis.prospects["enterprise_id"].drop_duplicates().head(len(NASTY)).tolist()
    names = dict(zip(ids, NASTY, strict=True))
    for attr in ("firms", "prospects"):
        frame = getattr(analysis, attr).copy()
        frame["name"] = [names.get(e, n) for e, n in zip(frame["enterprise_id"], frame["name"], strict=True)]
        setattr(nasty, attr, frame)
    return nasty, names


def test_hostile_names_load_and_read_back_verbatim(neo4j_store: Neo4jStore,
                                                   small_analysis: Analysis) -> None:
    nasty, names = _with_nasty_names(small_analysis)
    neo4j_store.publish(nasty)
    counts_before = neo4j_store.counts()
    enterprises = neo4j_store._read("MATCH (e:Enterprise) RETURN count(e) AS n")["n"].iloc[0]
    assert enterprises == len(nasty.firms)  # a name did not delete or create anything
    found = neo4j_store.prospects(None, filters=ProspectFilter(kinds=None), limit=None).data
    for enterprise_id, name in names.items():
        assert neo4j_store.enterprise(enterprise_id)["name"] == name
        assert set(found.loc[found["enterprise_id"] == enterprise_id, "name"]) == {name}
    # and filtering by a hostile substring is a parameter, not code
    hits = neo4j_store.prospects(None, filters=ProspectFilter(kinds=None, name_contains="DETACH DELETE"),
                                 limit=None).data
    assert set(hits["name"]) == {NASTY[2]}
    assert neo4j_store.counts() == counts_before  # nor did reading by a name


def test_pays_edges_merge_by_element_id_and_name_what_is_missing(neo4j_store: Neo4jStore) -> None:
    from chainsight.graph.stores import cypher

    neo4j_store.clear()
    for statement in cypher.SCHEMA:
        neo4j_store._write(statement)
    neo4j_store.load(cypher.MERGE_ENTERPRISES, [
        {"enterprise_id": e, "props": {"name": e}, "json": "{}"} for e in ("A", "B", "C")], "t")
    flow = {"payer_id": "A", "payee_id": "B", "amount": 12.5, "count": 3, "first_date": "2024-01-02",
            "last_date": "2024-03-04", "active_months": 3, "amount_payer_ours": 12.5,
            "amount_payee_ours": None}
    neo4j_store.load_pays([flow, {**flow, "payer_id": "C"}], "t", batch_size=1)
    neo4j_store.load_pays([{**flow, "first_date": None}], "t")  # a re-load: merges, None removes
    edges = neo4j_store._read("MATCH (a)-[r:PAYS]->(b) RETURN a.enterprise_id AS payer, "
                              "properties(r) AS props ORDER BY payer")
    assert edges["payer"].tolist() == ["A", "C"]
    assert edges["props"].iloc[0] == {"amount": 12.5, "count": 3, "last_date": "2024-03-04",
                                      "active_months": 3, "amount_payer_ours": 12.5, "run": "t"}
    assert edges["props"].iloc[1]["first_date"] == "2024-01-02"
    with pytest.raises(StoreError, match="names enterprise Z, which is not loaded"):
        neo4j_store.load_pays([{**flow, "payee_id": "Z"}], "t")
    assert neo4j_store.counts() == (3, 2)
    neo4j_store.clear()


def test_a_server_that_is_down_is_a_typed_error() -> None:
    store = Neo4jStore(Neo4jSettings(uri="neo4j://127.0.0.1:1", password="x"))
    try:
        with pytest.raises(StoreUnavailable, match="127.0.0.1:1"):
            store.cores()
        with pytest.raises(StoreUnavailable):
            store.verify()
    finally:
        store.close()


def test_a_wrong_password_is_a_typed_error() -> None:
    settings = neo4j_settings_or_skip()
    if not settings.password:
        pytest.skip("the test server runs without authentication")
    store = Neo4jStore(settings.model_copy(update={"password": settings.password + "-wrong"}))
    try:
        with pytest.raises(StoreUnavailable, match="Unauthorized|authentication"):
            store.verify()
    finally:
        store.close()


def _snapshot(store: Neo4jStore) -> tuple[tuple[int, int], pd.DataFrame, pd.DataFrame]:
    return store.counts(), store.cores().data, store.prospects(None, limit=None).data


def _launcher_pid() -> int:
    pid_file = REPO / "tools" / "neo4j" / "neo4j.pid"
    if not pid_file.exists():
        pytest.skip("the Neo4j server was not started by tools/neo4j/start")
    return int(pid_file.read_text().strip())


@pytest.mark.slow
def test_killing_the_server_mid_load_then_reloading_converges(neo4j_store: Neo4jStore,
                                                              small_analysis: Analysis) -> None:
    pid = _launcher_pid()
    neo4j_store.publish(small_analysis)
    clean = _snapshot(neo4j_store)
    neo4j_store.clear()
    assert neo4j_store.counts() == (0, 0)

    failure: list[BaseException] = []

    def load() -> None:
        victim = Neo4jStore(neo4j_store.settings.model_copy(update={"batch_size": 500}))
        try:
            victim.publish(small_analysis)
        except StoreError as exc:
            failure.append(exc)
        finally:
            victim.close()

    loader = threading.Thread(target=load)
    loader.start()
    deadline = time.monotonic() + 120
    while neo4j_store.counts()[1] < 2000 and time.monotonic() < deadline and loader.is_alive():
        time.sleep(0.2)
    assert loader.is_alive(), "the load finished before it could be interrupted"
    os.kill(pid, signal.SIGKILL)
    loader.join(timeout=180)
    assert failure and isinstance(failure[0], StoreError)

    subprocess.run([str(REPO / "tools" / "neo4j" / "start")], check=True, timeout=300,
                   stdout=subprocess.DEVNULL)
    restarted = Neo4jStore(neo4j_store.settings)
    try:
        partial = restarted.counts()
        assert partial[1] < clean[0][1]  # the interrupted load left a partial graph
        restarted.publish(small_analysis)
        again = _snapshot(restarted)
    finally:
        restarted.close()
    assert again[0] == clean[0]
    pd.testing.assert_frame_equal(again[1], clean[1])
    pd.testing.assert_frame_equal(again[2], clean[2])


def test_gds_in_the_database_gives_our_cores(neo4j_store: Neo4jStore, small_analysis: Analysis) -> None:
    from chainsight.graph.analysis import AnalysisConfig
    from chainsight.graph.crosscheck import compare_cores

    neo4j_store.publish(small_analysis)
    other = neo4j_store.gds_centrality()
    check = compare_cores(small_analysis.firms.dropna(subset=["core_rank"]), other,
                          AnalysisConfig().cores)
    assert check["values"]["n_suppliers"]["max_abs_diff"] == 0
    assert check["values"]["n_customers"]["max_abs_diff"] == 0
    assert check["values"]["pagerank"]["spearman"] > 0.999
    assert check["max_score_diff"] < 1e-3
    assert check["top_cores_identical"] is True
