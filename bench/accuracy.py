"""Accuracy of the analysis against a demo bank's planted truth, beside two naive baselines.

    .venv/bin/python bench/accuracy.py                     # medium bank, seed 7, in a temp folder
    .venv/bin/python bench/accuracy.py --scale small --seed 3
    .venv/bin/python bench/accuracy.py --folder /tmp/bank  # reuse a generated + ingested bank

The truth is the generator's own (``truth/*.csv``, written from its specification, never from the
analysis). The baselines see the same trade flows the analysis sees (``Analysis.flows``):

* **min(in, out) degree** — cores are the firms with the most distinct counterparties on their weaker
  side (ties by total amount); their chain is every firm that paid or was paid by them once
  (tier 1, on the side of the larger amount) and every firm one more payment away (tier 2); prospects
  are those members by number of payments with the core (or the via firm);
* **total amount** — cores by money paid plus received; the same any-payment chain; prospects by amount.

The column "any payment" keeps ChainSight's cores but builds their chains the naive way, so the value of
the membership rules shows apart from the value of the core score. Every figure is measured on the
planted cores the method found (membership, direction, prospects) or on all of them (core recall).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from chainsight.graph.result import Analysis  # noqa: E402

Metrics = dict[str, dict[str, float | None]]
METHODS = ("chainsight", "any_payment", "degree", "amount")
HEADERS = {"chainsight": "ChainSight", "any_payment": "ChainSight cores, any-payment chain",
           "degree": "min(in, out) degree", "amount": "total amount"}


def read_truth(truth: Path, pipeline_id: Callable[[str], str]) -> dict[str, pd.DataFrame]:
    """The truth files with their firm keys mapped to pipeline ids (``core_id``, ``enterprise_id``)."""
    out = {}
    for name in ("cores", "chain", "decoys", "eligible"):
        frame = pd.read_csv(truth / f"{name}.csv", dtype=str)
        for key, column in (("core", "core_id"), ("firm", "enterprise_id")):
            if key in frame:
                frame[column] = frame.pop(key).map(pipeline_id)
        out[name] = frame
    out["chain"]["tier"] = out["chain"]["tier"].astype(int)
    noise = truth / "noise.csv"  # the noise around cores, not chain ties by design (newer banks)
    frame = pd.read_csv(noise, dtype=str) if noise.exists() else pd.DataFrame(columns=["payer", "payee", "kind"])
    out["noise"] = frame.assign(payer=frame["payer"].map(pipeline_id), payee=frame["payee"].map(pipeline_id))
    return out


def baseline_cores(flows: pd.DataFrame, by: str) -> list[str]:
    """Every firm ranked by ``by`` ("degree": min(in, out) distinct counterparties; "amount")."""
    paid = flows.groupby("payer_id").agg(out_amount=("amount", "sum"), out_degree=("payee_id", "nunique"))
    got = flows.groupby("payee_id").agg(in_amount=("amount", "sum"), in_degree=("payer_id", "nunique"))
    firms = paid.join(got, how="outer").fillna(0.0)
    firms["total"] = firms["out_amount"] + firms["in_amount"]
    firms["degree"] = np.minimum(firms["out_degree"], firms["in_degree"])
    keys = ["degree", "total"] if by == "degree" else ["total", "degree"]
    firms = firms.rename_axis("enterprise_id").reset_index()
    return firms.sort_values([*keys, "enterprise_id"], ascending=[False, False, True])["enterprise_id"].tolist()


def any_payment_chain(flows: pd.DataFrame, core_ids: list[str], rank_by: str) -> pd.DataFrame:
    """The naive chain: tier 1 is every counterparty, on the side of the larger amount; tier 2 every
    counterparty of a tier-1 firm on its side; ``score`` is the tie's amount or payment count."""
    col = "amount" if rank_by == "amount" else "count"
    up = flows.rename(columns={"payer_id": "via_id", "payee_id": "enterprise_id"}).assign(direction="up")
    down = flows.rename(columns={"payee_id": "via_id", "payer_id": "enterprise_id"}).assign(direction="down")
    ties = pd.concat([up, down], ignore_index=True)[["via_id", "enterprise_id", "direction", "amount", col]]
    ties = ties.loc[:, ~ties.columns.duplicated()]
    ties["score"] = ties[col]
    cores = pd.DataFrame({"core_id": core_ids})
    t1 = cores.merge(ties, left_on="core_id", right_on="via_id")
    t1 = t1.sort_values("amount", ascending=False).drop_duplicates(["core_id", "enterprise_id"])
    t1 = t1[t1["enterprise_id"] != t1["core_id"]].assign(tier=1)
    t2 = t1[["core_id", "enterprise_id", "direction"]].rename(columns={"enterprise_id": "via_id"}).merge(
        ties, on=["via_id", "direction"])
    known = pd.concat([t1[["core_id", "enterprise_id"]],
                       pd.DataFrame({"core_id": core_ids, "enterprise_id": core_ids})])
    t2 = t2.merge(known.assign(_k=1), on=["core_id", "enterprise_id"], how="left")
    t2 = t2[t2["_k"].isna()].sort_values("amount", ascending=False).drop_duplicates(
        ["core_id", "enterprise_id"]).assign(tier=2)
    cols = ["core_id", "enterprise_id", "direction", "tier", "score"]
    return pd.concat([t1[cols], t2[cols]], ignore_index=True)


def _pr(found: set[tuple[str, str]], planted: set[tuple[str, str]]) -> tuple[float | None, float | None]:
    hit = len(found & planted)
    return (hit / len(found) if found else None, hit / len(planted) if planted else None)


def _membership(members: pd.DataFrame, chain: pd.DataFrame, cores: set[str]) -> dict[str, float | None]:
    """Tier-1/tier-2 precision and recall and direction accuracy over the planted cores found."""
    out: dict[str, float | None] = {}
    m = members[members["core_id"].isin(cores)]
    c = chain[chain["core_id"].isin(cores)]
    for tier in (1, 2):
        found = set(map(tuple, m.loc[m["tier"] == tier, ["core_id", "enterprise_id"]].to_numpy()))
        planted = set(map(tuple, c.loc[c["tier"] == tier, ["core_id", "enterprise_id"]].to_numpy()))
        out[f"tier-{tier} precision"], out[f"tier-{tier} recall"] = _pr(found, planted)
    both = m.merge(c, on=["core_id", "enterprise_id"], suffixes=("", "_true"))
    out["direction accuracy"] = float((both["direction"] == both["direction_true"]).mean()) if len(both) else None
    return out


def _prospects(ranked: pd.DataFrame, chain: pd.DataFrame, cores: set[str], k: int) -> float | None:
    """Mean over the planted cores found of the share of the top-k prospects with a planted tie."""
    planted = set(map(tuple, chain[["core_id", "enterprise_id"]].to_numpy()))
    shares = []
    for core in sorted(cores):
        top = ranked.loc[ranked["core_id"] == core, "enterprise_id"].head(k)
        if len(top):
            shares.append(sum((core, e) in planted for e in top) / len(top))
    return float(np.mean(shares)) if shares else None


def _candidates(analysis: Analysis, planted: set[str], decoys: set[str]) -> dict[str, float | None]:
    """The decoys the core score itself finds eligible (before hubs are set aside), and how far the
    lowest-scored planted core is above the best of them (negative: a decoy outscores a core)."""
    firms = analysis.firms
    eligible = firms[firms["is_core"].fillna(False).astype(bool)]
    found = eligible[eligible["enterprise_id"].isin(decoys)]
    cores = firms[firms["enterprise_id"].isin(planted)]
    margin = float(cores["core_score"].min() - found["core_score"].max()) if len(found) and len(cores) else None
    return {"decoys eligible as cores (hub rule aside)": float(len(found)),
            "score margin: last planted core - best eligible decoy": margin}


def measure(analysis: Analysis, truth: dict[str, pd.DataFrame]) -> Metrics:
    """Every accuracy figure, per method (``METHODS``); None where a figure does not apply."""
    planted = set(truth["cores"]["core_id"])
    decoys = set(truth["decoys"]["enterprise_id"])
    k = len(planted)
    n_listed = max(len(analysis.cores), k)
    flows = analysis.flows
    ours = analysis.cores["enterprise_id"].tolist()
    ranked = {"chainsight": ours, "any_payment": ours,
              "degree": baseline_cores(flows, "degree")[:n_listed],
              "amount": baseline_cores(flows, "amount")[:n_listed]}
    metrics: Metrics = {}
    prospect_pool = set(analysis.prospects["enterprise_id"])
    for method in METHODS:
        cores = ranked[method]
        found = planted & set(cores)
        row: dict[str, float | None] = {
            f"core precision@{k}": len(set(cores[:k]) & planted) / k,
            "core recall (all listed cores)": len(found) / k,
            f"decoys in top {k}": float(len(set(cores[:k]) & decoys)),
            "decoys among the listed cores": float(len(set(cores) & decoys)),
        }
        row.update(_candidates(analysis, planted, decoys) if method == "chainsight" else
                   dict.fromkeys(("decoys eligible as cores (hub rule aside)",
                                  "score margin: last planted core - best eligible decoy")))
        if method == "chainsight":
            members = analysis.members
            prospects = analysis.prospects.sort_values(["core_id", "rank"])
        else:
            rank_by = "amount" if method in ("amount", "any_payment") else "count"
            members = any_payment_chain(flows, sorted(found), rank_by)
            prospects = members[members["enterprise_id"].isin(prospect_pool)].sort_values(
                ["core_id", "score", "enterprise_id"], ascending=[True, False, True])
        row.update(_membership(members, truth["chain"], found))
        noise = truth["noise"]
        pairs = set(zip(noise["payer"], noise["payee"])) | set(zip(noise["payee"], noise["payer"]))
        t1 = members[(members["tier"] == 1) & members["core_id"].isin(found)]
        planted_t1 = set(zip(truth["chain"]["core_id"], truth["chain"]["enterprise_id"]))
        row["noise ties taken as tier-1 members"] = float(sum(
            (c, e) in pairs and (c, e) not in planted_t1 for c, e in zip(t1["core_id"], t1["enterprise_id"])))
        row["prospect precision@20"] = _prospects(prospects, truth["chain"], found, 20)
        row["prospect precision@100"] = _prospects(prospects, truth["chain"], found, 100)
        metrics[method] = row
    expected = truth["eligible"].assign(eligible=truth["eligible"]["eligible"].str.lower() == "true")
    got = analysis.firms.set_index("enterprise_id").reindex(expected["enterprise_id"])["eligible"]
    agree = float((got.to_numpy() == expected["eligible"].to_numpy()).mean())
    for method in METHODS:  # eligibility is the master's question, not the flows': one answer
        metrics[method]["eligibility agreement (per customer)"] = agree if method == "chainsight" else None
    return metrics


def classification(db: Path, truth: Path) -> pd.DataFrame:
    """Per flow class of the truth (``flow_class.csv``): its rows that ingest kept (not rejected), and
    the precision and recall of the class ingest gave them, one row per class (``trade``: trade vs the rest)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        got = con.execute("SELECT f.path AS file, t.line, t.flow_class FROM transactions t "
                          "JOIN files f USING (file_id)").df()
    finally:
        con.close()
    rows = pd.read_csv(truth / "rows.csv", dtype={"file": str, "line": int, "txn_id": str})
    rows = rows.merge(pd.read_csv(truth / "flow_class.csv", dtype=str), on="txn_id")
    both = rows.merge(got, on=["file", "line"], suffixes=("_true", ""))
    both = both[both["flow_class"] != "zero_amount"]
    out = []
    for name in sorted(set(both["flow_class_true"]) | set(both["flow_class"])):
        planted, said = both["flow_class_true"] == name, both["flow_class"] == name
        hit = int((planted & said).sum())
        out.append({"class": name, "rows": int(planted.sum()),
                    "precision": hit / int(said.sum()) if said.any() else None,
                    "recall": hit / int(planted.sum()) if planted.any() else None})
    return pd.DataFrame(out)


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise(mentions: pd.DataFrame, said: str) -> dict[str, float | None]:
    """Pairwise precision and recall of the grouping ``said`` against ``firm``: two mentions are a pair
    when they are grouped together; a mention without an id is a group of its own."""
    ids = mentions[said].fillna(pd.Series("\x00" + mentions.index.astype(str), index=mentions.index))
    found = _pairs(ids.value_counts())
    planted = _pairs(mentions["firm"].value_counts())
    hit = _pairs(mentions.assign(_id=ids).groupby(["_id", "firm"]).size())
    return {"precision": hit / found if found else None, "recall": hit / planted if planted else None}


def entities(db: Path, truth: Path, pipeline_id: Callable[[str], str]) -> pd.DataFrame:
    """Entity resolution of the counterparties ingest saw, beside two naive baselines.

    A mention is one (account, name) of the ``parties`` table whose name the truth gives one firm
    (its canonical name or a planted variant; names two firms share are left out: only the account
    could tell). ChainSight's grouping is its ``party_id``; the baselines group by the name as
    written and by ``name_key`` (brackets, legal form, full width folded).
    """
    import duckdb

    from chainsight.ingest.entities import name_key

    con = duckdb.connect(str(db), read_only=True)
    try:
        parties = con.execute("SELECT account, name, party_id FROM parties WHERE name IS NOT NULL").df()
    finally:
        con.close()
    variants = pd.read_csv(truth / "name_variants.csv", dtype=str)
    names = pd.concat([variants[["firm", "canonical"]].rename(columns={"canonical": "name"}),
                       variants[["firm", "variant"]].rename(columns={"variant": "name"})]).drop_duplicates()
    unique = names.groupby("name")["firm"].transform("nunique") == 1
    names = names[unique].assign(firm=lambda f: f["firm"].map(pipeline_id))
    mentions = parties.merge(names, on="name").reset_index(drop=True)
    mentions["key"] = mentions["name"].map(name_key)
    rows = [{"grouping": label, "mentions": len(mentions), **pairwise(mentions, column)}
            for label, column in (("ChainSight (party_id)", "party_id"), ("name as written", "name"),
                                  ("name_key", "key"))]
    return pd.DataFrame(rows)


def pr_markdown(table: pd.DataFrame, label: str, first: str, count: str, names: tuple[str, str]) -> str:
    """A precision/recall table as markdown: one row per ``table`` row, headed ``first`` and ``count``."""
    lines = [f"| {first} | {count} | {names[0]} | {names[1]} |", "|---|---:|---:|---:|"]
    for r in table.to_dict("records"):
        cells = ["–" if v is None or v != v else f"{v:.3f}" for v in (r["precision"], r["recall"])]
        lines.append(f"| {r[label]} | {r[count]:,} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def entity_markdown(table: pd.DataFrame) -> str:
    """The entity-resolution figures as a markdown table."""
    return pr_markdown(table, "grouping", "grouping", "mentions", ("pairwise precision", "pairwise recall"))


def class_markdown(classes: pd.DataFrame) -> str:
    """The per-class figures as a markdown table."""
    return pr_markdown(classes.rename(columns={"class": "flow class (truth)"}), "flow class (truth)",
                       "flow class (truth)", "rows", ("precision", "recall"))


def markdown(metrics: Metrics) -> str:
    """The figures as a markdown table, one row per figure, one column per method."""
    names = list(metrics["chainsight"])
    lines = ["| figure | " + " | ".join(HEADERS[m] for m in METHODS) + " |",
             "|---|" + "---:|" * len(METHODS)]
    for name in names:
        cells = []
        for m in METHODS:
            v = metrics[m][name]
            whole = name.startswith(("decoys", "noise"))
            cells.append("–" if v is None else f"{v:,.0f}" if whole else f"{v:.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bank(folder: Path, scale: str, seed: int) -> Analysis:
    """Generate (unless present), ingest and analyse a demo bank under ``folder``."""
    from chainsight.demo import generate
    from chainsight.graph.analysis import analyze
    from chainsight.ingest.pipeline import ingest
    from chainsight.ingest.staging import connect

    if not (folder / "data" / "truth" / "cores.csv").exists():
        generate(folder / "data", scale=scale, seed=seed)  # type: ignore[arg-type]
    if not (folder / "staging.duckdb").exists():
        ingest(folder / "data" / "chainsight.toml", folder / "staging.duckdb")
    con = connect(folder / "staging.duckdb", read_only=True)
    try:
        return analyze(con)
    finally:
        con.close()


def pipeline_id(key: str) -> str:
    """The pipeline's enterprise id of a truth key (a USCC whose check holds, else a name)."""
    from chainsight.ingest.entities import enterprise_id, valid_uscc

    return enterprise_id(key if valid_uscc(key) else None, key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--folder", type=Path, default=None, help="generated bank to reuse (or create)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        analysis = bank(folder, args.scale, args.seed)
        metrics = measure(analysis, read_truth(folder / "data" / "truth", pipeline_id))
        classes = classification(folder / "staging.duckdb", folder / "data" / "truth")
        firms = entities(folder / "staging.duckdb", folder / "data" / "truth", pipeline_id)
    print(f"Accuracy on the {args.scale} demo bank (seed {args.seed}):\n")
    print(markdown(metrics))
    print("\nTrade / non-trade classification of the rows ingest kept, per class of the truth:\n")
    print(class_markdown(classes))
    print("\nEntity resolution: mentions (account, name) of one firm grouped together, pairwise:\n")
    print(entity_markdown(firms))


if __name__ == "__main__":
    main()
