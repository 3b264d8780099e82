"""The bulk import files give the same graph as a Bolt publish, on real servers; a publish then MERGEs onto it.

One server is the test server (``NEO4J_*``), published to over Bolt. A second one is started from
``tools/neo4j`` on the next port, in a home that ``tools/neo4j/import`` filled from the files of
:func:`write_import` — the offline importer a bank would run. Both graphs are read back whole (every
label, relationship type and property, the publish ids aside) and compared.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chainsight.config import Neo4jSettings
from chainsight.graph.result import Analysis
from chainsight.graph.stores.graph_rows import graph_rows
from chainsight.graph.stores.neo4j_import import write_import
from chainsight.graph.stores.neo4j_store import Neo4jStore
from tests.conftest import neo4j_settings_or_skip

pytestmark = pytest.mark.integration
TOOLS = Path(__file__).resolve().parents[2] / "tools" / "neo4j"
_RUN_KEYS = {"run", "core_run", "excluded_run", "links_run"}

NODES = "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"
RELS = ("MATCH (a)-[r]->(b) RETURN type(r) AS type, properties(r) AS props, "
        "coalesce(a.enterprise_id, a.name, a.key, a.core_id + '/' + a.enterprise_id + '/' + a.kind) AS a, "
        "coalesce(b.enterprise_id, b.name, b.key) AS b")


def _graph(store: Neo4jStore) -> tuple[Counter[str], Counter[str]]:
    """Every node and relationship as canonical JSON (without the publish ids), counted."""
    def canon(value: dict[str, Any]) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)

    nodes = store._read(NODES)
    rels = store._read(RELS)
    node_set = Counter(canon({"labels": sorted(labels), **{k: v for k, v in props.items() if k not in _RUN_KEYS}})
                       for labels, props in zip(nodes["labels"], nodes["props"], strict=True))
    rel_set = Counter(canon({"type": t, "a": a, "b": b, **{k: v for k, v in p.items() if k not in _RUN_KEYS}})
                      for t, p, a, b in zip(rels["type"], rels["props"], rels["a"], rels["b"], strict=True))
    return node_set, rel_set


@pytest.fixture
def imported(tmp_path: Path, small_analysis: Analysis) -> Iterator[Neo4jStore]:
    """A second server whose database the offline importer built from the analysis' files."""
    base = neo4j_settings_or_skip()
    port = int(base.uri.rsplit(":", 1)[1]) + 1
    files = write_import(graph_rows(small_analysis), tmp_path / "import", run="imported")
    (tmp_path / "import" / "arguments.txt").write_text("\n".join(files.arguments()) + "\n", encoding="utf-8")
    env = {**os.environ, "NEO4J_HOME_DIR": str(tmp_path / "home"), "NEO4J_PORT": str(port),
           "NEO4J_PIDFILE": str(tmp_path / "neo4j.pid"), "NEO4J_LOG": str(tmp_path / "neo4j.log"),
           "NEO4J_HEAP": "768m", "NEO4J_PAGECACHE": "256m", "NEO4J_PLUGINS": "0"}
    done = subprocess.run([TOOLS / "import", tmp_path / "import"], env=env, capture_output=True, text=True,
                          check=False, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    assert "IMPORT DONE" in done.stdout
    subprocess.run([TOOLS / "start"], env=env, check=True, capture_output=True, timeout=600)
    store = Neo4jStore(Neo4jSettings(uri=f"neo4j://127.0.0.1:{port}", username=base.username,
                                     password=base.password))
    try:
        yield store
    finally:
        store.close()
        subprocess.run([TOOLS / "stop"], env=env, check=False, capture_output=True, timeout=120)


def test_bulk_import_and_bolt_publish_give_the_same_graph(imported: Neo4jStore,
                                                          small_analysis: Analysis) -> None:
    bolt = Neo4jStore(neo4j_settings_or_skip())
    try:
        bolt.clear()
        bolt.publish(small_analysis)
        expected = _graph(bolt)
        counts = bolt.counts()
    finally:
        bolt.close()
    nodes, rels = _graph(imported)
    assert imported.counts() == counts
    assert sum(expected[1].values()) == counts[1] > len(small_analysis.flows)
    assert nodes == expected[0]
    assert rels == expected[1]
    # A later publish over Bolt MERGEs onto the imported graph and removes nothing it should keep.
    imported.publish(small_analysis)
    assert _graph(imported) == expected
    assert imported.counts() == counts
    assert imported.cores().count == len(small_analysis.cores)
