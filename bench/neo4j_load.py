"""Neo4j load benchmark: batched ``UNWIND … MERGE`` at several batch sizes against per-row MERGE.

Needs a running server (``tools/neo4j/start``; the ``NEO4J_*`` variables say where). Generates a
flow graph (default 200k enterprises, 1M payer→payee edges with the seven properties a publish
writes), loads the enterprises, then loads the edges with ``Neo4jStore.load_pays`` — what
``Neo4jStore.publish`` uses: columnar ``UNWIND``, endpoints by element id — at each batch size, and
a sample with one auto-committed ``MERGE`` per edge, addressed by ``enterprise_id``, as the
baseline, all in the same run. Prints edges/s and the ratio to the baseline.
Goal: ≥ 50k edges/s and ≥ 50× the baseline.

    tools/neo4j/start && python bench/neo4j_load.py            # 1M edges
    python bench/neo4j_load.py --edges 200000 --sizes 1000 10000
WARNING: it clears the database it is pointed at.

``--first-load`` instead compares the two ways into an EMPTY database: the Bolt publish path
(enterprises, then ``load_pays``) against the bulk path — ``write_import`` files, the offline
importer (``tools/neo4j/import``, into a second server's own home on the next port) and that
server's start. The importer's own time (its "IMPORT DONE in" line) is shown apart from its JVM
start-up and from the restart, as relationships/s. Goal: ≥ 200k relationships/s.

    python bench/neo4j_load.py --first-load --nodes 100000 --edges 500000
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from chainsight.config import Neo4jSettings
from chainsight.graph.stores import cypher
from chainsight.graph.stores.graph_rows import GraphRows
from chainsight.graph.stores.neo4j_import import write_import
from chainsight.graph.stores.neo4j_store import Neo4jStore

TOOLS = Path(__file__).resolve().parents[1] / "tools" / "neo4j"


def _edges(n_nodes: int, n_edges: int, seed: int = 5) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    payer = rng.integers(0, n_nodes, n_edges * 2)
    payee = rng.integers(0, n_nodes, n_edges * 2)
    pairs = np.unique(np.stack([payer, payee], axis=1)[payer != payee], axis=0)
    pairs = pairs[np.sort(rng.choice(len(pairs), min(n_edges, len(pairs)), replace=False))]
    # sorted by payer, then payee: the order ``Neo4jStore.publish`` gets its flows in
    n = len(pairs)
    amount = np.round(rng.lognormal(11, 1.5, n), 2)
    first = np.datetime64("2024-01-01") + rng.integers(0, 180, n)
    last = first + rng.integers(0, 180, n)
    ours = rng.random(n) < 0.3
    columns = {"payer_id": [f"E{a:07d}" for a in pairs[:, 0]],
               "payee_id": [f"E{b:07d}" for b in pairs[:, 1]],
               "amount": amount.tolist(), "count": rng.integers(1, 60, n).tolist(),
               "first_date": first.astype(str).tolist(), "last_date": last.astype(str).tolist(),
               "active_months": rng.integers(1, 13, n).tolist(),
               "amount_payer_ours": np.where(ours, amount, 0.0).tolist(),
               "amount_payee_ours": np.where(~ours, amount, 0.0).tolist()}
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _clear_pays(store: Neo4jStore) -> None:
    while int(store._write(cypher.DELETE_PAYS_BATCH, batch=50_000)["n"].iloc[0]) > 0:
        pass


def _imported(report: str) -> float:
    """Seconds from the importer's "IMPORT DONE in 1m 2s 345ms." line."""
    found = re.search(r"IMPORT DONE in ((?:\d+m )?(?:\d+s )?(?:\d+ms)?)", report)
    if found is None:
        raise RuntimeError(f"no IMPORT DONE line in the importer's output:\n{report[-2000:]}")
    units = {"m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+)(ms|m|s)", found.group(1)))


def first_load(n_nodes: int, n_edges: int) -> None:
    """Bolt first load against the bulk import of the same graph, each into an empty database."""
    settings = Neo4jSettings()
    store = Neo4jStore(settings)
    store.verify()
    store.clear()
    nodes = [{"enterprise_id": f"E{i:07d}", "props": {"name": f"企业{i:07d}有限公司"}, "json": "{}"}
             for i in range(n_nodes)]
    edges = _edges(n_nodes, n_edges)
    rows = GraphRows(enterprises=nodes, branches=[], pays=edges, cores=[], chains=[], leaks=[], alerts=[],
                     excluded=[], meta="{}")
    t0 = time.perf_counter()
    for statement in cypher.SCHEMA:
        store._write(statement)
    store.load(cypher.MERGE_ENTERPRISES, nodes, "bench", batch_size=10_000)
    store.load_pays(edges, "bench", batch_size=10_000)
    bolt = time.perf_counter() - t0
    assert store.counts() == (n_nodes, len(edges))
    print(f"Bolt first load: {bolt:.1f} s", flush=True)
    store.clear()
    store.close()

    port = int(settings.uri.rsplit(":", 1)[1]) + 1
    with tempfile.TemporaryDirectory(prefix="chainsight-bulk-") as tmp:
        env = {**os.environ, "NEO4J_HOME_DIR": f"{tmp}/home", "NEO4J_PORT": str(port),
               "NEO4J_PIDFILE": f"{tmp}/neo4j.pid", "NEO4J_LOG": f"{tmp}/neo4j.log"}
        t0 = time.perf_counter()
        files = write_import(rows, Path(tmp) / "files", run="bench")
        (Path(tmp) / "files" / "arguments.txt").write_text("\n".join(files.arguments()) + "\n")
        t_files = time.perf_counter() - t0
        t0 = time.perf_counter()
        done = subprocess.run([TOOLS / "import", Path(tmp) / "files"], env=env, capture_output=True,
                              text=True, check=True)
        t_import = time.perf_counter() - t0
        t_importer = _imported(done.stdout)
        t0 = time.perf_counter()
        subprocess.run([TOOLS / "start"], env=env, check=True, capture_output=True)
        t_start = time.perf_counter() - t0
        try:
            bulk_store = Neo4jStore(Neo4jSettings(uri=f"neo4j://127.0.0.1:{port}", username=settings.username,
                                                  password=settings.password))
            assert bulk_store.counts() == (n_nodes + 1, len(edges))  # + the Analysis node
            bulk_store.close()
        finally:
            subprocess.run([TOOLS / "stop"], env=env, check=False, capture_output=True)
    bulk = t_files + t_import + t_start
    load = os.getloadavg()[0]
    print(f"\nfirst load of {n_nodes:,} enterprises and {len(edges):,} PAYS into an empty database "
          f"(load average {load:.1f})")
    print("\n| path | seconds | relationships/s | × Bolt |")
    print("|---|---:|---:|---:|")
    print(f"| Bolt: UNWIND … MERGE, batches of 10,000 (baseline) | {bolt:.1f} | {len(edges) / bolt:,.0f} | 1.0 |")
    print(f"| bulk, whole: files + importer + server start | {bulk:.1f} | {len(edges) / bulk:,.0f} | "
          f"{bolt / bulk:.1f} |")
    print(f"| … writing the import files | {t_files:.1f} | | |")
    print(f"| … importer process (JVM start-up included) | {t_import:.1f} | | |")
    print(f"| … importer alone (its IMPORT DONE time) | {t_importer:.1f} | {len(edges) / t_importer:,.0f} | "
          f"{bolt / t_importer:.1f} |")
    print(f"| … server start on the imported database | {t_start:.1f} | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 5_000, 10_000, 20_000])
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    parser.add_argument("--first-load", action="store_true", help="Bolt against the bulk importer")
    args = parser.parse_args()
    if args.first_load:
        first_load(args.nodes, args.edges)
        return
    store = Neo4jStore(Neo4jSettings())
    store.verify()
    store.clear()
    for statement in cypher.SCHEMA:
        store._write(statement)
    nodes = [{"enterprise_id": f"E{i:07d}", "props": {"name": f"企业{i:07d}有限公司"}, "json": "{}"}
             for i in range(args.nodes)]
    t0 = time.perf_counter()
    store.load(cypher.MERGE_ENTERPRISES, nodes, "bench", batch_size=10_000)
    node_rate = len(nodes) / (time.perf_counter() - t0)
    edges = _edges(args.nodes, args.edges)
    print(f"{len(nodes):,} enterprises loaded at {node_rate:,.0f}/s; {len(edges):,} edges to load")

    # Warm the server's JIT and caches with the statements measured below, then start clean.
    for _ in range(2):
        store.load_pays(edges[:200_000], "warm-up", batch_size=5_000)
        _clear_pays(store)

    sample = edges[: args.baseline_sample]
    t0 = time.perf_counter()
    for row in sample:
        props = {key: row[key] for key in cypher.PAYS_PROPERTIES}
        store._write(cypher.MERGE_PAYS_ONE, payer_id=row["payer_id"], payee_id=row["payee_id"],
                     props=props, run="bench")
    baseline = len(sample) / (time.perf_counter() - t0)
    _clear_pays(store)

    results = []
    for size in args.sizes:
        t0 = time.perf_counter()
        store.load_pays(edges, "bench", batch_size=size)
        results.append((size, len(edges) / (time.perf_counter() - t0)))
        assert store.counts()[1] == len(edges)
        t0 = time.perf_counter()
        store.load_pays(edges, "bench", batch_size=size)  # a re-run: all MERGE hits
        results.append((-size, len(edges) / (time.perf_counter() - t0)))
        assert store.counts()[1] == len(edges)
        _clear_pays(store)
    store.clear()
    store.close()

    print(f"\n| load | batch size | edges | edges/s | × per-row baseline |")
    print("|---|---:|---:|---:|---:|")
    print(f"| per-row MERGE, one transaction each (baseline) | 1 | {len(sample):,} | {baseline:,.0f} | 1.0 |")
    for size, rate in results:
        what = "columnar UNWIND … MERGE, " + ("first load" if size > 0 else "re-run (idempotent)")
        print(f"| {what} | {abs(size):,} | {len(edges):,} | {rate:,.0f} | {rate / baseline:,.0f} |")
    best = max(rate for size, rate in results if size > 0)
    print(f"\nbest first load {best:,.0f} edges/s (goal ≥ 50,000), {best / baseline:,.0f}× baseline (goal ≥ 50)")


if __name__ == "__main__":
    main()
