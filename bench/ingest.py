"""Ingest benchmark: ChainSight's full ingest against bare DuckDB and plain pandas on the same file.

Generates a payments-layout CSV (default 10M rows, UTF-8, the columns a payment-system extract has),
then, each in its own subprocess so peak memory is measured per contestant, times:

(a) ``chainsight.ingest`` — read, clean/validate, resolve entities, classify, de-duplicate, aggregate;
(b) DuckDB's bare ``read_csv`` + ``GROUP BY payer, payee`` aggregation of the same file;
(c) pandas ``read_csv`` + ``groupby``;
(d) a floor for (a): DuckDB reading the file as text into a table of a DuckDB file, nothing else —
    what persisting the staged rows alone costs, before any parsing or derivation.

Prints rows/s, peak RSS and the ratios measured in this run (absolute times on a shared machine lie;
ratios within one run do not). Goals: (a) ≤ 2× (b), (a) ≥ 4× faster than (c), peak ≤ 8 GiB.

    python bench/ingest.py                 # 10M rows
    python bench/ingest.py --rows 1000000  # a quick look
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from chainsight.demo._payments_out import PARQUET_COLUMNS as HEADER  # the demo bank's extract

MANIFEST = """name = "bench"
[[sources]]
path = "payments.csv"
profile = "payments"
[profiles.payments]
layout = "payments"
encoding = "utf-8"
[profiles.payments.columns]
payer_account = "付款人账号"
payer_name = "付款人名称"
payer_bank = "付款人开户行"
payee_account = "收款人账号"
payee_name = "收款人名称"
payee_bank = "收款人开户行"
amount = "金额"
date = "交易日期"
memo = "附言"
serial = "交易流水号"
"""


def generate(path: Path, rows: int, firms: int, seed: int = 11) -> None:
    """A payments file shaped like a bank's: firms trade along a fixed set of relationships (about
    one per 20 payments, heavy-tailed: a few firms pay and receive a lot), each used repeatedly."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    regions = np.array(["苏州", "无锡", "宁波", "佛山", "东莞", "青岛", "合肥", "长沙"])
    trades = np.array(["机械", "电子", "化工", "物流", "纺织", "食品", "建材", "汽配"])
    idx = np.arange(firms)
    names = pa.array([f"{regions[i % 8]}{trades[(i // 8) % 8]}{i:06d}有限公司" for i in idx])
    accounts = pa.array([f"{3100_0000_0000 + i * 7:016d}" for i in idx])
    banks = pa.array(np.where(idx % 3 == 0, "示范银行苏州分行", "中国工商银行苏州分行").tolist())
    weights = 1.0 / np.arange(1, firms + 1) ** 0.8
    weights /= weights.sum()
    n_rel = max(rows // 20, 1)
    rel_payer = rng.choice(firms, n_rel, p=weights)
    rel_payee = rng.choice(firms, n_rel, p=weights[::-1].copy())
    rel_weight = rng.pareto(1.5, n_rel) + 1
    rel_weight /= rel_weight.sum()
    memos = pa.array(["货款", "采购款", "材料款", "设备款", "运费", "代发工资", "缴税", "手续费"])
    with pacsv.CSVWriter(str(path), pa.schema([(h, pa.string()) for h in HEADER])) as writer:
        for start in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - start)
            rel = rng.choice(n_rel, n, p=rel_weight)
            payer, payee = pa.array(rel_payer[rel]), pa.array(rel_payee[rel])
            amount = np.round(rng.lognormal(9, 1.5, n), 2)
            day = np.datetime64("2024-01-01") + rng.integers(0, 366, n)
            memo = pa.array(np.minimum(rng.geometric(0.5, n) - 1, 7))
            batch = pa.record_batch([
                accounts.take(payer), names.take(payer), banks.take(payer),
                accounts.take(payee), names.take(payee), banks.take(payee),
                pa.array(amount.astype(str)), pa.array(day.astype(str)), memos.take(memo),
                pa.array(np.char.add("T", np.arange(start, start + n).astype(str))),
            ], names=list(HEADER))
            writer.write_batch(batch)


def _chainsight(folder: Path) -> dict[str, float]:
    from chainsight.ingest.pipeline import ingest

    report = ingest(folder / "chainsight.toml", folder / "bench.duckdb", memory_limit="6GB")
    return {"rows": float(report.totals.rows_read), "loaded": float(report.totals.loaded)}


def _duckdb(folder: Path) -> dict[str, float]:
    import duckdb

    con = duckdb.connect()
    n = con.execute(
        "SELECT count(*), sum(n) FROM (SELECT 付款人账号, 收款人账号, sum(金额) AS amount, count(*) AS n "
        "FROM read_csv(?, header = true) GROUP BY ALL)", [str(folder / "payments.csv")]).fetchone()
    assert n is not None
    return {"rows": float(n[1]), "edges": float(n[0])}


def _pandas(folder: Path) -> dict[str, float]:
    import pandas as pd

    frame = pd.read_csv(folder / "payments.csv")
    edges = frame.groupby(["付款人账号", "收款人账号"])["金额"].agg(["sum", "count"])
    return {"rows": float(len(frame)), "edges": float(len(edges))}


def _persist_floor(folder: Path) -> dict[str, float]:
    import duckdb

    con = duckdb.connect(str(folder / "floor.duckdb"))
    con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
                [str(folder / "payments.csv")])
    n = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
    con.close()
    return {"rows": float(n)}


CONTESTANTS = {"chainsight": _chainsight, "duckdb": _duckdb, "pandas": _pandas, "floor": _persist_floor}


def _run_one(name: str, folder: Path) -> None:
    """Child process: run one contestant, print its figures as JSON."""
    start = time.perf_counter()
    figures = CONTESTANTS[name](folder)
    figures["seconds"] = time.perf_counter() - start
    figures["peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(json.dumps(figures))


def _measure(name: str, folder: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", name, "--folder", str(folder)],
                         check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--firms", type=int, default=200_000)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--child", choices=sorted(CONTESTANTS))
    args = parser.parse_args()
    if args.child:
        _run_one(args.child, args.folder)
        return
    with tempfile.TemporaryDirectory(prefix="chainsight-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        generate(folder / "payments.csv", args.rows, args.firms)
        (folder / "chainsight.toml").write_text(MANIFEST, encoding="utf-8")
        size = (folder / "payments.csv").stat().st_size / 2**30
        print(f"generated {args.rows:,} payment rows ({size:.2f} GiB, {args.firms:,} firms) "
              f"in {time.perf_counter() - t0:.0f} s")
        results = {name: _measure(name, folder) for name in CONTESTANTS}
    base = results["chainsight"]["seconds"]
    print(f"\n| contestant | seconds | rows/s | peak RSS (GiB) | time ÷ chainsight |")
    print("|---|---:|---:|---:|---:|")
    labels = {"chainsight": "(a) chainsight ingest (full pipeline)",
              "duckdb": "(b) DuckDB read_csv + GROUP BY", "pandas": "(c) pandas read_csv + groupby",
              "floor": "(d) floor: DuckDB read_csv into a DuckDB file, as text"}
    for name, r in results.items():
        print(f"| {labels[name]} | {r['seconds']:.1f} | {args.rows / r['seconds']:,.0f} | "
              f"{r['peak_gib']:.2f} | {r['seconds'] / base:.2f} |")
    a, b, c = (results[k]["seconds"] for k in ("chainsight", "duckdb", "pandas"))
    print(f"\n(a)/(b) = {a / b:.2f}  (goal ≤ 2)   (c)/(a) = {c / a:.1f}  (goal ≥ 4)   "
          f"peak (a) = {results['chainsight']['peak_gib']:.2f} GiB (goal ≤ 8)")
    print(f"(a)/(d) = {a / results['floor']['seconds']:.2f}: the full pipeline against only "
          "persisting the rows it reads")
    print(f"rows accounted by chainsight: {results['chainsight']['rows']:,.0f} of {args.rows:,}")


if __name__ == "__main__":
    main()
