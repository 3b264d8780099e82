"""The result of an analysis: one value holding every DataFrame a store publishes.

It lives apart from the orchestrator (:mod:`chainsight.graph.analysis`) so that the stores, the API and
the views can read and publish it without importing scipy or a single algorithm.

Examples
--------
>>> import pandas as pd
>>> empty = pd.DataFrame()
>>> a = Analysis(meta={"n_cores": 0}, firms=empty, cores=empty, members=empty, prospects=empty,
...              leakage=empty, leakage_top=empty, alerts=empty, flows=empty)
>>> a.balances.empty
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class Analysis:
    """Everything ``analyze`` computed, as DataFrames ready to publish."""

    meta: dict[str, Any]
    firms: pd.DataFrame          # every enterprise with customer attributes, eligibility, metrics
    cores: pd.DataFrame          # the analysed cores, best first (subset of the scored firms)
    members: pd.DataFrame        # chain membership per core
    prospects: pd.DataFrame      # ranked prospects per core with segment, stage, products, reasons
    leakage: pd.DataFrame        # per core: off-us shares of payments and receipts
    leakage_top: pd.DataFrame    # per core: top external counterparties
    alerts: pd.DataFrame         # per core: changes between the two latest periods
    flows: pd.DataFrame          # trade edges (payer_id, payee_id, amount, count, months …)
    balances: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Not published: ties looked at and left out, each with its rule (chains.EXCLUDED_COLUMNS), and
    # the hubs found (hubs.HUB_COLUMNS), so that "why is X missing?" has an answer in a notebook.
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)
    hubs: pd.DataFrame = field(default_factory=pd.DataFrame)
