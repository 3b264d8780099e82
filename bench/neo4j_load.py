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
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from chainsight.config import Neo4jSettings
from chainsight.graph.stores import cypher
from chainsight.graph.stores.neo4j_store import Neo4jStore


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 5_000, 10_000, 20_000])
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    args = parser.parse_args()
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
