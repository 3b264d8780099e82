"""Cross-check: the core ranking recomputed with centralities from another engine (Neo4j GDS).

GDS computes PageRank and degrees inside the database; :func:`compare_cores` swaps them into our
metrics, re-scores every enterprise with the same :class:`~chainsight.graph.cores.CoreScoring`, and
reports how far the scores and the ranking move. GDS does not hand the rank of dangling nodes (firms
that pay nobody) back to the graph as networkx and ChainSight do, so PageRank values differ slightly
after L1 normalisation while the order — and the core scores, which use log-scaled ranks — agree.

Examples
--------
>>> import pandas as pd
>>> ours = pd.DataFrame({"enterprise_id": ["a", "b"], "pagerank": [0.6, 0.4]})
>>> other = pd.DataFrame({"enterprise_id": ["a", "b"], "pagerank": [0.61, 0.39]})
>>> round(compare_values(ours, other, "pagerank")["max_abs_diff"], 3)
0.01
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from chainsight.graph.cores import METRIC_COLUMNS, CoreScoring, rank_cores

SWAPPED = ("pagerank", "pagerank_rev", "n_suppliers", "n_customers")


def compare_values(ours: pd.DataFrame, other: pd.DataFrame, column: str) -> dict[str, float]:
    """Largest absolute difference and Spearman correlation of one column between two engines."""
    joined = ours[["enterprise_id", column]].merge(other[["enterprise_id", column]], on="enterprise_id",
                                                   suffixes=("_ours", "_other"))
    a, b = joined[f"{column}_ours"].astype(float), joined[f"{column}_other"].astype(float)
    return {"n": float(len(joined)), "max_abs_diff": float((a - b).abs().max()),
            "spearman": float(a.corr(b, method="spearman"))}


def compare_cores(metrics: pd.DataFrame, other: pd.DataFrame, scoring: CoreScoring,
                  top: int = 10) -> dict[str, Any]:
    """Re-score with ``other``'s centralities; compare values, scores and the top cores."""
    ours = rank_cores(metrics[METRIC_COLUMNS], None, scoring)
    swapped = metrics[METRIC_COLUMNS].drop(columns=list(SWAPPED)).merge(
        other[["enterprise_id", *SWAPPED]], on="enterprise_id", how="left")
    theirs = rank_cores(swapped.fillna(0), None, scoring)
    scores = ours[["enterprise_id", "score"]].merge(theirs[["enterprise_id", "score"]], on="enterprise_id")
    top_ours = ours.loc[ours["is_core"], "enterprise_id"].head(top).tolist()
    top_theirs = theirs.loc[theirs["is_core"], "enterprise_id"].head(top).tolist()
    return {
        "values": {c: compare_values(metrics, other, c) for c in SWAPPED},
        "max_score_diff": float((scores["score_x"] - scores["score_y"]).abs().max()),
        "top_cores_identical": top_ours == top_theirs,
        "top": top,
    }
