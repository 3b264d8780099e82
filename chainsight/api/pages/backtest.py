"""``/backtest``: did the ranking find the firms that converted? Precision@k against what happened.

For admins and analysts (a manager gets the 403 page): the back-test of
:func:`chainsight.api._backtest.backtest_report` against the later period's staging database
(``Settings.later_db``, ``chainsight serve --later-db``) and against the outcomes recorded in the app
database, overall and per core, next to the amount baseline and a random order, with the verdict in words.
Without a later database the page says how to provide one and still shows the recorded outcomes.

Examples
--------
>>> verdict(0.4, 0.3), verdict(0.1, 0.3), verdict(0.3, 0.3), verdict(None, 0.3)
('ahead', 'behind', 'level', 'none')
>>> rows = summary(pd.DataFrame({"scope": ["all", "C1", "C2"], "answer": "later", "k": 10,
...     "candidates": [9, 5, 4], "converted": [3, 2, 1], "base_rate": [1/3, .4, .25], "chainsight_hits": [2, 1, 1],
...     "chainsight_precision": [2/9, .2, .25], "amount_hits": [1, 2, 0], "amount_precision": [1/9, .4, .1]}))
>>> [(r["k"], r["shown"], r["chainsight_hits"], r["verdict"], round(r["core_chainsight"], 3), r["core_verdict"])
...  for r in rows["later"]]
[(10, 9, 2, 'ahead', 0.225, 'behind')]
"""

from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from chainsight.api._backtest import backtest_report
from chainsight.api._deps import audit, state
from chainsight.api.appdb import AppDB
from chainsight.api.pages._auth import PageReader
from chainsight.api.pages._render import render
from chainsight.errors import AccessDenied, ConfigError
from chainsight.graph.stores.protocol import plain
from chainsight.ingest.snapshot import read_snapshot

__all__ = ["router", "summary", "verdict"]

router = APIRouter()
ANSWERS = ("later", "recorded")


def verdict(ours: float | None, baseline: float | None) -> str:
    """``ahead``, ``behind`` or ``level`` of the ranking against a baseline; ``none`` when nothing is ranked."""
    if ours is None or baseline is None or pd.isna(ours) or pd.isna(baseline):
        return "none"
    return "ahead" if ours > baseline else "behind" if ours < baseline else "level"


def summary(table: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Per answer, one row per k: the overall figures and the mean of the cores' own precision@k."""
    out: dict[str, list[dict[str, Any]]] = {}
    for answer in ANSWERS:
        part = table[table["answer"] == answer]
        if part.empty:
            continue
        rows = []
        for _, by_k in part.groupby("k", sort=True):
            overall = {str(c): plain(v) for c, v in by_k[by_k["scope"] == "all"].iloc[0].items()}
            cores = by_k[by_k["scope"] != "all"]
            ours, theirs = cores["chainsight_precision"].mean(), cores["amount_precision"].mean()
            rows.append({**overall, "shown": min(int(overall["k"]), int(overall["candidates"])),
                         "verdict": verdict(overall["chainsight_precision"], overall["amount_precision"]),
                         "random_verdict": verdict(overall["chainsight_precision"], overall["base_rate"]),
                         "n_cores": len(cores), "core_chainsight": None if cores.empty else float(ours),
                         "core_amount": None if cores.empty else float(theirs),
                         "core_verdict": verdict(ours, theirs) if not cores.empty else "none"})
        out[str(answer)] = rows
    return out


def _per_core(table: pd.DataFrame, name_of: Any) -> dict[str, list[dict[str, Any]]]:
    """Per answer, one row per core with its figures at every k (``by_k``)."""
    out: dict[str, list[dict[str, Any]]] = {}
    cores = table[table["scope"] != "all"]
    for answer, part in cores.groupby("answer", sort=False):
        rows = []
        for core, by_core in part.groupby("scope", sort=True):
            first = by_core.iloc[0]
            rows.append({"core_id": core, "name": name_of(str(core)) or core,
                         "candidates": int(first["candidates"]), "converted": int(first["converted"]),
                         "by_k": {int(r["k"]): {c: plain(r[c]) for c in r.index} for _, r in by_core.iterrows()}})
        out[str(answer)] = rows
    return out


@router.get("/backtest", response_class=HTMLResponse)
def backtest_page(request: Request, reader: PageReader) -> HTMLResponse:
    """The back-test of the published ranking (admins and analysts; audited)."""
    who = reader.principal
    record = audit(request, who)
    if who.role not in ("admin", "analyst"):
        record("forbidden", 0, 403)
        raise AccessDenied("the back-test covers every branch: admins and analysts only")
    cs = state(request)
    appdb = cs.appdb if isinstance(cs.appdb, AppDB) else None
    later_db, problem = cs.settings.later_db, None
    table: pd.DataFrame | None
    try:
        later = read_snapshot(later_db) if later_db is not None else None
        table = backtest_report(cs.store, later=later, appdb=appdb)
    except ConfigError as exc:
        problem, later = str(exc), None
        table = backtest_report(cs.store, later=None, appdb=appdb) if appdb is not None else None
    record("backtest", 0 if table is None else len(table), 200)
    ks = [] if table is None else sorted({int(k) for k in table["k"]})
    return render(request, "backtest.html.j2", who=who, nav="backtest", later_db=later_db, problem=problem,
                  later_as_of=None if later is None else later.as_of, ks=ks,
                  summary={} if table is None else summary(table),
                  per_core={} if table is None else _per_core(table, cs.index.name_of))
