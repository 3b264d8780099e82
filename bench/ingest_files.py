"""Per-file overhead of ingest: many small GBK statement files against one file holding the same rows.

Writes N statement files of R rows each (GBK, one account per file, the demo bank's statement
columns), and the same N×R rows as one file, then times in separate processes:

(a) ``chainsight.ingest`` of the N files;
(b) ``chainsight.ingest`` of the one file — so (a) − (b), divided by N, is what one more file costs;
(c) the bare read of the N files: each transcoded from GBK, then one DuckDB ``read_csv`` of them all
    and a ``GROUP BY`` of account pairs.

Prints seconds, the per-file cost and the ratios measured in this run. Goal: ≤ 10 ms per file.

    python bench/ingest_files.py                     # 2,000 files of 100 rows
    python bench/ingest_files.py --files 300
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_table, run_child  # noqa: E402

HEADER = "账号,户名,交易日期,借方发生额,贷方发生额,对方账号,对方户名,对方开户行,摘要,余额"
MANIFEST = """name = "bench"
[[sources]]
path = "{glob}"
profile = "statement"
[profiles.statement]
layout = "statement"
encoding = "gbk"
[profiles.statement.columns]
own_account = "账号"
own_name = "户名"
date = "交易日期"
debit = "借方发生额"
credit = "贷方发生额"
counterparty_account = "对方账号"
counterparty_name = "对方户名"
counterparty_bank = "对方开户行"
memo = "摘要"
balance = "余额"
"""


def generate(folder: Path, files: int, rows: int) -> None:
    """``many/*.csv`` (``files`` files of ``rows`` rows) and ``one/all.csv`` (the same rows)."""
    (folder / "many").mkdir(parents=True)
    (folder / "one").mkdir()
    everything = []
    for f in range(files):
        own = f"{3201_0000_0000_0000 + f:018d}"
        lines = [HEADER]
        for r in range(rows):
            other = (f * 7919 + r * 104729) % (files * 4)
            amount = f"{(f * 31 + r * 17) % 90000 + 100}.{r % 100:02d}"
            debit, credit = (amount, "") if r % 2 else ("", amount)
            lines.append(f"{own},苏州示范{f:05d}有限公司,2024-{r % 12 + 1:02d}-{r % 28 + 1:02d},{debit},{credit},"
                         f"{3202_0000_0000_0000 + other:018d},无锡对方{other:05d}贸易公司,示范银行苏州分行,货款,1000.00")
        everything += lines[1:]
        (folder / "many" / f"{f:05d}.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    (folder / "one" / "all.csv").write_bytes(("\r\n".join([HEADER, *everything]) + "\r\n").encode("gbk"))
    (folder / "many.toml").write_text(MANIFEST.format(glob="many/*.csv"), encoding="utf-8")
    (folder / "one.toml").write_text(MANIFEST.format(glob="one/all.csv"), encoding="utf-8")


def _ingest(folder: Path, which: str) -> dict[str, float]:
    from chainsight.ingest.pipeline import ingest

    start = time.perf_counter()
    report = ingest(folder / f"{which}.toml", folder / f"{which}.duckdb")
    return {"seconds": time.perf_counter() - start, "rows": float(report.totals.rows_read)}


def _bare(folder: Path) -> dict[str, float]:
    import duckdb

    start = time.perf_counter()
    out = folder / "utf8"
    out.mkdir(exist_ok=True)
    for path in sorted((folder / "many").glob("*.csv")):
        (out / path.name).write_text(path.read_bytes().decode("gb18030"), encoding="utf-8")
    con = duckdb.connect()
    n = con.execute("SELECT sum(n) FROM (SELECT 账号, 对方账号, count(*) AS n FROM read_csv(?, header = true, "
                    "all_varchar = true) GROUP BY ALL)", [str(out / "*.csv")]).fetchall()[0][0]
    return {"seconds": time.perf_counter() - start, "rows": float(n)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2_000)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--child", choices=["many", "one", "bare"])
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.child:
        import json

        figures = _bare(args.folder) if args.child == "bare" else _ingest(args.folder, args.child)
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory(prefix="chainsight-files-") as tmp:
        folder = Path(tmp)
        generate(folder, args.files, args.rows)
        me = [__file__, "--folder", str(folder), "--child"]
        results = {name: run_child([*me, name]) for name in ("many", "one", "bare")}
    many, one, bare = (results[k]["seconds"] for k in ("many", "one", "bare"))
    per_file_ms = (many - one) / args.files * 1000
    print(f"{args.files:,} GBK statement files of {args.rows} rows (load average {os.getloadavg()[0]:.1f})")
    print_table("per-file overhead", ["contestant", "seconds", "rows", "× bare read"], [
        [f"(a) chainsight ingest, {args.files:,} files", f"{many:.1f}", f"{results['many']['rows']:,.0f}",
         f"{many / bare:.1f}"],
        ["(b) chainsight ingest, the same rows as one file", f"{one:.1f}", f"{results['one']['rows']:,.0f}",
         f"{one / bare:.1f}"],
        [f"(c) bare: transcode + one DuckDB read_csv + GROUP BY of the {args.files:,} files", f"{bare:.1f}",
         f"{results['bare']['rows']:,.0f}", "1.0"],
    ])
    print(f"per-file cost ((a) − (b)) / files = {per_file_ms:.1f} ms (goal ≤ 10 ms)")


if __name__ == "__main__":
    main()
