"""The back-test as the CLI and the pages run it: read the store, the later master and the outcomes,
then :func:`chainsight.graph.backtest.backtest`.

Examples
--------
>>> import pandas as pd
>>> later = pd.DataFrame({"enterprise_id": ["N-b"], "name_id": ["N-b"], "deposits": [1.0], "products": [""]})
>>> p = pd.DataFrame({"core_id": "C", "enterprise_id": ["N-a", "N-b"], "score": [.9, .8],
...                   "kind": "acquire", "evidence": [{"amount": 1.0}, {"amount": 2.0}]})
>>> f = pd.DataFrame({"enterprise_id": ["N-a", "N-b"], "deposits": [None, None], "products": ["", ""]})
>>> t = answers_table(p, f, later=later, outcomes=None, ks=(1,), per_core=False)
>>> t[["answer", "chainsight_precision", "amount_precision"]].to_dict("records")
[{'answer': 'later', 'chainsight_precision': 0.0, 'amount_precision': 1.0}]
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from chainsight.api.appdb import AppDB
from chainsight.errors import ConfigError
from chainsight.graph import backtest as bt
from chainsight.graph.stores.protocol import GraphStore, ProspectFilter, Scope
from chainsight.ingest.snapshot import Snapshot

_CHUNK = 500  # firm ids per outcomes query: far below any database's parameter limit


def recorded_outcomes(appdb: AppDB, firm_ids: Sequence[str]) -> pd.DataFrame:
    """Every outcome recorded on ``firm_ids`` (``firm_id``, ``kind``, ``product``, ``on_date``)."""
    ids = list(dict.fromkeys(firm_ids))
    rows = [(o.firm_id, o.kind, o.product, o.on_date)
            for start in range(0, len(ids), _CHUNK) for o in appdb.outcomes_of(ids[start:start + _CHUNK])]
    return pd.DataFrame(rows, columns=["firm_id", "kind", "product", "on_date"])


def answers_table(prospects: pd.DataFrame, firms: pd.DataFrame, *, later: pd.DataFrame | None,
                  outcomes: pd.DataFrame | None, ks: Sequence[int] = bt.KS, per_core: bool = True,
                  growth: float = bt.GROWTH) -> pd.DataFrame:
    """:data:`~chainsight.graph.backtest.BACKTEST_COLUMNS` against the later master (answer ``later``)
    and the recorded outcomes (``recorded``), whichever is given."""
    answers: dict[str, set[str]] = {}
    if later is not None:
        answers["later"] = set(bt.later_conversions(prospects, firms, later, growth)["enterprise_id"])
    if outcomes is not None:
        answers["recorded"] = bt.recorded_successes(outcomes)
    if not answers:
        raise ConfigError("nothing to back-test against: give a later period's staging database "
                          "(--later) or an app database with recorded outcomes")
    return bt.backtest(prospects, answers, ks=ks, per_core=per_core)


def backtest_report(store: GraphStore, *, later: Snapshot | None, appdb: AppDB | None,
                    scope: Scope | None = None, ks: Sequence[int] = bt.KS, per_core: bool = True,
                    growth: float = bt.GROWTH) -> pd.DataFrame:
    """The back-test of the analysis published in ``store`` (what a page shows), within ``scope``.

    ``later`` is the later period's master (:func:`chainsight.ingest.snapshot.read_snapshot`);
    ``appdb`` holds the recorded outcomes. Either may be None, not both.

    Raises
    ------
    ConfigError
        When neither is given, or ``later`` describes a day not after the analysed period.
    """
    if later is not None:
        as_of = store.summary().get("as_of")
        if later.as_of is not None and as_of is not None and later.as_of <= str(as_of):
            raise ConfigError(f"the later database describes {later.as_of}, not a period after the analysed "
                              f"one ({as_of})")
    filters = ProspectFilter(kinds=bt.CONVERTIBLE)
    prospects = store.prospects(None, filters=filters, limit=None, scope=scope).data
    firms = store.firms().data
    outcomes = None if appdb is None else recorded_outcomes(appdb, prospects["enterprise_id"].astype(str).tolist())
    return answers_table(prospects, firms, later=None if later is None else later.customers, outcomes=outcomes,
                         ks=ks, per_core=per_core, growth=growth)
