"""Back-test of the prospect ranking on a demo bank: precision@k against its planted later conversions,
beside a naive ranking by trade amount and a random order (the base rate).

    .venv/bin/python bench/backtest.py                     # medium bank, seed 7, in a temp folder
    .venv/bin/python bench/backtest.py --scale small --seed 3
    .venv/bin/python bench/backtest.py --folder /tmp/bank  # reuse a generated + ingested bank

The answer is the conversions ChainSight derives from the later period's master (``later/``, ingested
into a second staging database); the table also shows that they are the generator's planted ones
(``truth/later_conversions.csv``), which the generator draws from its own latent propensity, never from
a score. Recall@k is hits over every converted prospect. Rows: all deepen and acquire prospects, then
each kind alone; "per core" is the mean over the cores of each core's own precision@k.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from accuracy import bank, pipeline_id  # noqa: E402

from chainsight.graph.backtest import backtest, candidates, later_conversions  # noqa: E402
from chainsight.graph.result import Analysis  # noqa: E402


def later_snapshot(folder: Path) -> pd.DataFrame:
    """Ingest (unless present) the later period of the bank under ``folder``; its master per enterprise."""
    from chainsight.ingest.pipeline import ingest
    from chainsight.ingest.snapshot import read_snapshot

    db = folder / "later.duckdb"
    if not db.exists():
        ingest(folder / "data" / "later" / "chainsight.toml", db)
    return read_snapshot(db).customers


KS = (10, 50, 500)


def measure(analysis: Analysis, later: pd.DataFrame, ks: tuple[int, ...] = KS) -> list[dict[str, object]]:
    """One row per prospect set (all, acquire, deepen) and k: candidates, converted, precision and recall."""
    derived = later_conversions(analysis.prospects, analysis.firms, later)
    hits = set(derived["enterprise_id"])
    rows: list[dict[str, object]] = []
    for label, kinds in (("deepen + acquire", ("deepen", "acquire")), ("acquire", ("acquire",)),
                         ("deepen", ("deepen",))):
        part = analysis.prospects[analysis.prospects["kind"].isin(kinds)]
        table = backtest(part, {"later": hits}, ks=ks)
        overall = table[table["scope"] == "all"].set_index("k")
        cores = table[table["scope"] != "all"]
        for k in ks:
            converted = int(overall.at[k, "converted"])
            row: dict[str, object] = {"prospects": label, "k": k, "candidates": int(overall.at[k, "candidates"]),
                                      "converted": converted, "random": float(overall.at[k, "base_rate"])}
            for method in ("chainsight", "amount"):
                row[f"{method} P"] = float(overall.at[k, f"{method}_precision"])
                row[f"{method} R"] = int(overall.at[k, f"{method}_hits"]) / max(1, converted)
                row[f"{method} P per core"] = float(cores.loc[cores["k"] == k, f"{method}_precision"].mean())
            rows.append(row)
    return rows


def markdown(rows: list[dict[str, object]]) -> str:
    """The rows as a Markdown table (P precision@k, R recall@k; per core: the mean of the cores')."""
    head = ["prospects", "k", "candidates", "converted", "random P", "ChainSight P", "amount P",
            "ChainSight R", "amount R", "ChainSight P per core", "amount P per core"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [str(r["prospects"]), str(r["k"]), f"{r['candidates']:,}", f"{r['converted']:,}",
                 f"{r['random']:.2f}", f"{r['chainsight P']:.2f}", f"{r['amount P']:.2f}",
                 f"{r['chainsight R']:.3f}", f"{r['amount R']:.3f}", f"{r['chainsight P per core']:.2f}",
                 f"{r['amount P per core']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def agreement(analysis: Analysis, later: pd.DataFrame, truth: Path) -> str:
    """How the conversions derived from the later master compare with the planted ones."""
    derived = set(later_conversions(analysis.prospects, analysis.firms, later)["enterprise_id"])
    ranked = set(candidates(analysis.prospects)["enterprise_id"])
    planted = pd.read_csv(truth / "later_conversions.csv", dtype=str)["firm"].map(pipeline_id)
    expected = set(planted) & ranked
    return (f"derived from the later master: {len(derived):,}; planted among the ranked prospects: "
            f"{len(expected):,}; both: {len(derived & expected):,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--folder", type=Path, default=None, help="generated bank to reuse (or create)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        analysis = bank(folder, args.scale, args.seed)
        later = later_snapshot(folder)
        rows = measure(analysis, later)
        print(f"Back-test on the {args.scale} demo bank (seed {args.seed}), later period 2025-06-30:\n")
        print(markdown(rows))
        print("\n" + agreement(analysis, later, folder / "data" / "truth"))


if __name__ == "__main__":
    main()
