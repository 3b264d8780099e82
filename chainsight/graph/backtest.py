"""Back-test the prospect ranking: precision@k against what happened later, beside a ranking by amount.

Two answers say which prospects converted:

* **later data** (:func:`later_conversions`): the customer master of a later period. An ``acquire``
  prospect (a firm at another bank) converted when it is our customer by then — found by its id, or by
  the id its name alone gives, since a firm known only from payments is keyed by name; a ``deepen``
  prospect converted when its deposits grew by more than ``growth`` (20 %) or it holds a product it
  did not hold;
* **recorded outcomes** (:func:`recorded_successes`): the outcomes managers recorded in the app
  database; ``account_opened`` and ``product_sold`` are a success.

Only ``acquire`` and ``deepen`` prospects are ranked (the kinds whose conversion is defined). The
overall ranking lists each firm once at its best score over the cores; each core's ranking is its own.
The baseline ranks the same firms by trade amount with the core (or the via firm). Pure functions
over DataFrames: no I/O.

Examples
--------
>>> precision_at_k(["a", "b", "c", "d"], {"a", "d", "x"}, 2)
0.5
>>> precision_at_k(["a", "b", "c", "d"], {"a", "d", "x"}, 10)  # fewer than k ranked: out of 4
0.5
>>> precision_at_k([], {"a"}, 10) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

#: Recorded outcomes that count as a success.
SUCCESS_OUTCOMES = ("account_opened", "product_sold")
#: The prospect kinds a back-test ranks: their conversion is defined.
CONVERTIBLE = ("acquire", "deepen")
#: A deepen prospect's deposits must grow by more than this share to count as converted.
GROWTH = 0.2
KS = (10, 50)
#: One row per scope (``all`` or a core id), answer and k.
BACKTEST_COLUMNS = ("scope", "answer", "k", "candidates", "converted", "base_rate", "chainsight_hits",
                    "chainsight_precision", "amount_hits", "amount_precision")
CONVERSION_COLUMNS = ("enterprise_id", "kind", "how")


def precision_at_k(ranked: Sequence[str], hits: set[str] | frozenset[str], k: int) -> float | None:
    """Share of the first ``k`` of ``ranked`` that are in ``hits`` (out of all ranked when fewer than
    ``k``); None for an empty ranking."""
    top = list(ranked[:k])
    if not top:
        return None
    return sum(1 for r in top if r in hits) / len(top)


def _amount(prospects: pd.DataFrame) -> pd.Series:
    if "amount" in prospects:
        return pd.to_numeric(prospects["amount"], errors="coerce").fillna(0.0)
    values = [e.get("amount") if isinstance(e, Mapping) else None for e in prospects["evidence"].tolist()]
    return pd.to_numeric(pd.Series(values, index=prospects.index, dtype=object), errors="coerce").fillna(0.0)


def candidates(prospects: pd.DataFrame) -> pd.DataFrame:
    """The rankable prospect rows: ``core_id``, ``enterprise_id``, ``kind``, ``score``, ``amount``.

    >>> p = pd.DataFrame({"core_id": ["C"] * 3, "enterprise_id": ["a", "b", "c"], "score": [.9, .8, .7],
    ...                   "kind": ["deepen", "credit_team", "acquire"],
    ...                   "evidence": [{"amount": 5.0}, {"amount": 9.0}, {"amount": 7.0}]})
    >>> candidates(p)[["enterprise_id", "amount"]].to_dict("list")
    {'enterprise_id': ['a', 'c'], 'amount': [5.0, 7.0]}
    """
    keep = prospects[prospects["kind"].isin(CONVERTIBLE)]
    return pd.DataFrame({
        "core_id": keep["core_id"].astype(str), "enterprise_id": keep["enterprise_id"].astype(str),
        "kind": keep["kind"].astype(str), "score": pd.to_numeric(keep["score"], errors="coerce").fillna(0.0),
        "amount": _amount(keep),
    }).reset_index(drop=True)


def ranking(rows: pd.DataFrame, by: str) -> list[str]:
    """Firms of ``rows`` (:func:`candidates`) best first by ``by`` (``score`` or ``amount``), each once
    at its best value; ties by id.

    >>> rows = pd.DataFrame({"enterprise_id": ["a", "b", "a", "c"], "score": [.2, .5, .9, .5],
    ...                      "amount": [1.0, 3.0, 2.0, 3.0]})
    >>> ranking(rows, "score"), ranking(rows, "amount")
    (['a', 'b', 'c'], ['b', 'c', 'a'])
    """
    best = rows.groupby("enterprise_id", sort=False)[by].max().reset_index()
    best = best.sort_values([by, "enterprise_id"], ascending=[False, True], kind="stable")
    return best["enterprise_id"].tolist()


def _product_set(value: Any) -> set[str]:
    return {p for p in value.split(";") if p} if isinstance(value, str) else set()


def _by_firm(frame: pd.DataFrame) -> tuple[dict[str, float], dict[str, set[str]]]:
    """Deposits (NaN when unknown) and the set of products held, per ``enterprise_id``."""
    frame = frame.drop_duplicates("enterprise_id")
    ids = frame["enterprise_id"].astype(str).tolist()
    deposits = pd.to_numeric(frame["deposits"], errors="coerce").astype("float64").tolist()
    return dict(zip(ids, deposits)), {e: _product_set(p) for e, p in zip(ids, frame["products"].tolist())}


def later_conversions(prospects: pd.DataFrame, firms: pd.DataFrame, later: pd.DataFrame,
                      growth: float = GROWTH) -> pd.DataFrame:
    """The rankable prospects that converted by the later period (:data:`CONVERSION_COLUMNS`).

    ``firms`` holds the analysed ``enterprise_id``, ``deposits`` and ``products``; ``later`` is the
    later master per enterprise (``chainsight.ingest.snapshot.SNAPSHOT_COLUMNS``). ``how`` is
    ``account_opened``, ``deposits_grew``, ``product_added`` or the last two joined by ``+``. A deepen
    prospect whose analysed or later deposits are unknown is judged on its products alone.

    >>> p = pd.DataFrame({"core_id": "C", "enterprise_id": ["N-a", "U1", "U2", "U3"], "score": 1.0,
    ...                   "kind": ["acquire", "deepen", "deepen", "deepen"], "evidence": [{}] * 4})
    >>> f = pd.DataFrame({"enterprise_id": ["U1", "U2", "U3"], "deposits": [100.0, 100.0, 0.0],
    ...                   "products": ["网银", "网银", ""]})
    >>> later = pd.DataFrame({"enterprise_id": ["U9", "U1", "U2", "U3"], "name_id": ["N-a", "x", "y", "z"],
    ...                       "deposits": [5.0, 121.0, 120.0, 0.0], "products": ["", "网银", "网银;理财", ""]})
    >>> later_conversions(p, f, later).to_dict("list")
    {'enterprise_id': ['N-a', 'U1', 'U2'], 'kind': ['acquire', 'deepen', 'deepen'], 'how': ['account_opened', 'deposits_grew', 'product_added']}
    """
    rows = candidates(prospects).drop_duplicates("enterprise_id")
    known = set(later["enterprise_id"].astype(str)) | set(later["name_id"].astype(str))
    acquired = rows[(rows["kind"] == "acquire") & rows["enterprise_id"].isin(known)]
    out = [(e, "acquire", "account_opened") for e in acquired["enterprise_id"].tolist()]
    old_dep, old_prod = _by_firm(firms)
    new_dep, new_prod = _by_firm(later)
    for e in rows.loc[rows["kind"] == "deepen", "enterprise_id"].tolist():
        if e not in new_prod or e not in old_prod:
            continue
        old, new = old_dep[e], new_dep[e]
        how = []
        if old == old and new == new and new > old * (1 + growth) and new > old:
            how.append("deposits_grew")
        if new_prod[e] - old_prod[e]:
            how.append("product_added")
        if how:
            out.append((e, "deepen", "+".join(how)))
    frame = pd.DataFrame(out, columns=list(CONVERSION_COLUMNS))
    return frame.sort_values("enterprise_id", ignore_index=True)


def recorded_successes(outcomes: pd.DataFrame) -> set[str]:
    """Firms with a recorded ``account_opened`` or ``product_sold`` (``outcomes``: ``firm_id``, ``kind``).

    >>> sorted(recorded_successes(pd.DataFrame({"firm_id": ["a", "b", "c"],
    ...                                         "kind": ["visited", "product_sold", "account_opened"]})))
    ['b', 'c']
    """
    if outcomes.empty:
        return set()
    return set(outcomes.loc[outcomes["kind"].isin(SUCCESS_OUTCOMES), "firm_id"].astype(str))


def _scopes(rows: pd.DataFrame, per_core: bool) -> Iterable[tuple[str, pd.DataFrame]]:
    yield "all", rows
    if per_core:
        for core, part in rows.groupby("core_id", sort=True):
            yield str(core), part


def backtest(prospects: pd.DataFrame, answers: Mapping[str, set[str]], ks: Sequence[int] = KS,
             per_core: bool = True) -> pd.DataFrame:
    """Precision@k of the ranking and of the amount baseline against each answer (:data:`BACKTEST_COLUMNS`).

    ``answers`` maps a name (``later``, ``recorded``) to the converted firms. Per scope (``all``, then
    each core when ``per_core``): ``candidates`` ranked firms, ``converted`` of them in the answer,
    ``base_rate`` their share (the expected precision of a random order), then hits and precision in
    the first k of each ranking (``None`` when nothing is ranked).

    >>> p = pd.DataFrame({"core_id": "C", "enterprise_id": list("abcd"), "score": [.9, .8, .7, .6],
    ...                   "kind": "acquire", "evidence": [{"amount": a} for a in (1.0, 4.0, 3.0, 2.0)]})
    >>> t = backtest(p, {"later": {"a", "d"}}, ks=(2,), per_core=False)  # by amount: b, c, d, a
    >>> t[["scope", "k", "converted", "base_rate", "chainsight_precision", "amount_precision"]].to_dict("records")
    [{'scope': 'all', 'k': 2, 'converted': 2, 'base_rate': 0.5, 'chainsight_precision': 0.5, 'amount_precision': 0.0}]
    """
    rows = candidates(prospects)
    out: list[dict[str, Any]] = []
    for scope, part in _scopes(rows, per_core):
        by_score, by_amount = ranking(part, "score"), ranking(part, "amount")
        for answer, hits in answers.items():
            converted = sum(1 for e in by_score if e in hits)
            for k in ks:
                p_score, p_amount = precision_at_k(by_score, hits, k), precision_at_k(by_amount, hits, k)
                out.append({
                    "scope": scope, "answer": answer, "k": int(k), "candidates": len(by_score),
                    "converted": converted, "base_rate": converted / len(by_score) if by_score else None,
                    "chainsight_hits": sum(1 for e in by_score[:k] if e in hits),
                    "chainsight_precision": p_score,
                    "amount_hits": sum(1 for e in by_amount[:k] if e in hits), "amount_precision": p_amount,
                })
    frame = pd.DataFrame(out, columns=list(BACKTEST_COLUMNS))
    return frame.astype({"k": np.int64, "candidates": np.int64, "converted": np.int64,
                         "chainsight_hits": np.int64, "amount_hits": np.int64})
