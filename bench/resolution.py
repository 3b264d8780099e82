"""Entity-resolution accuracy on the hand-written extract pair, beside the previous code and a naive rule.

The extract pair and its truth are written by hand in ``tests/ingest/resolution_case.py`` (a payment
extract with USCCs, two statements naming the same firms by name only). Each contestant assigns every
(account, name) mention an enterprise; the table shows pairwise precision and recall over the
mentions of firms, and how many firms end up split:

* **this code** — ``chainsight ingest`` as it is;
* **previous code** — the same ingest run from git revision ``--previous`` (default: the commit before
  cross-extract linking), in a child process;
* **naive** — a valid USCC on the row, else the name key: no master, no account, no links.

It then times ``resolve_parties`` on a generated demo bank (``--scale``, default small), this code
against the previous code on the same staged rows, as a ratio measured in the same run.

    python bench/resolution.py
    python bench/resolution.py --scale medium
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.ingest import resolution_case as case  # noqa: E402  (the hand-written truth)

Mentions = dict[tuple[str | None, str], str | None]
_CHILD = """
import json, sys, duckdb
from chainsight.ingest.pipeline import ingest
ingest(sys.argv[1], sys.argv[2])
con = duckdb.connect(sys.argv[2], read_only=True)
rows = con.execute("SELECT account, name, party_id, party_kind FROM parties").fetchall()
print(json.dumps([[a, n, p if k == "enterprise" else None] for a, n, p, k in rows], ensure_ascii=False))
"""


def current(manifest: Path, db: Path) -> Mentions:
    """Mentions as this checkout's ingest resolves them."""
    from chainsight.ingest.pipeline import ingest

    ingest(manifest, db)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT account, name, party_id, party_kind FROM parties").fetchall()
    con.close()
    return {(a, n): p if k == "enterprise" else None for a, n, p, k in rows}


def previous(manifest: Path, db: Path, revision: str, scratch: Path) -> Mentions:
    """Mentions as the ingest of git ``revision`` resolves them (its package extracted, run in a child)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "chainsight"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(scratch, filter="data")
    out = subprocess.run([sys.executable, "-c", _CHILD, str(manifest), str(db)], check=True, text=True,
                         capture_output=True, env={**os.environ, "PYTHONPATH": str(scratch)}, cwd=scratch)
    return {(a, n): p for a, n, p in json.loads(out.stdout.strip().splitlines()[-1])}


def naive(db: Path) -> Mentions:
    """A valid USCC on the row, else the name key (``N-…``), over the mentions staged in ``db``."""
    from chainsight.ingest.entities import enterprise_id, is_individual

    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("""
        SELECT account, name, any_value(uscc) FILTER (WHERE uscc IS NOT NULL) FROM (
            SELECT payer_account AS account, payer_name AS name, payer_uscc AS uscc FROM staged
            UNION ALL SELECT payee_account, payee_name, payee_uscc FROM staged) WHERE name IS NOT NULL
        GROUP BY ALL""").fetchall()
    con.close()
    return {(a, n): None if is_individual(n) and not u else enterprise_id(u, n) for a, n, u in rows}


_TIME_CHILD = """
import sys, time, duckdb
from chainsight.ingest.resolve import resolve_parties
con = duckdb.connect(sys.argv[1])
con.execute("SET enable_progress_bar = false")
start = time.perf_counter()
resolve_parties(con)
print(time.perf_counter() - start)
"""


def resolve_seconds(db: Path, code: Path, repeat: int = 3) -> float:
    """Best of ``repeat`` runs of ``resolve_parties`` over ``db`` with the package under ``code``, in a child."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _TIME_CHILD, str(db)], text=True, capture_output=True,
                             env={**os.environ, "PYTHONPATH": str(code)}, cwd=code)
        if out.returncode != 0:
            raise RuntimeError(f"resolve_parties under {code} failed:\n{out.stderr[-3000:]}")
        runs.append(float(out.stdout.strip().splitlines()[-1]))
    return min(runs)


def timing(scale: str, scratch: Path, old: Path) -> str:
    """``resolve_parties`` on a generated demo bank, this code against the previous code, same run."""
    from chainsight.demo import generate
    from chainsight.ingest.pipeline import ingest

    db = scratch / "bank.duckdb"
    if not db.exists():
        generate(scratch / "bank", scale=scale, seed=7)  # type: ignore[arg-type]
        ingest(scratch / "bank" / "chainsight.toml", db)
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute("SELECT count(*) FROM parties").fetchone()
    con.close()
    now, before = resolve_seconds(db, ROOT), resolve_seconds(db, old)
    return (f"resolve_parties on the {scale} demo bank ({int(row[0]) if row else 0:,} distinct parties, "
            f"load {os.getloadavg()[0]:.1f}, best of 3): this code {now:.2f} s, previous code "
            f"{before:.2f} s (ratio {before / now:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--previous", default="e5711e4", help="git revision of the previous code")
    parser.add_argument("--scale", default="small", help="demo bank to time resolve_parties on")
    parser.add_argument("--bank", type=Path, default=None, help="folder to keep (or reuse) the timed bank in")
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        manifest = case.write(folder / "pair")
        results = {"this code": current(manifest, folder / "now.duckdb"),
                   f"previous code ({args.previous})": previous(manifest, folder / "before.duckdb",
                                                               args.previous, folder / "old"),
                   "naive: USCC, else name key": naive(folder / "now.duckdb")}
        print(f"Entity resolution on the hand-written extract pair ({len(case.TRUTH)} mentions of "
              f"{len(set(case.TRUTH.values()))} firms, {case.TRUE_PAIRS} true pairs):\n")
        print("| resolver | pair precision | pair recall | firms split |\n|---|---|---|---|")
        for name, assigned in results.items():
            s = case.score(assigned)
            print(f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['firms_split']:.0f} of "
                  f"{s['firms']:.0f} |")
        if not args.no_timing:
            print("\n" + timing(args.scale, args.bank or folder, folder / "old"))


if __name__ == "__main__":
    main()
