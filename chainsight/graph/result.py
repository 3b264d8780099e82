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
>>> print(left_out_sentence(dict(tier=1, direction="up", via_id="C", amount=7200.0, count=12,
...                              active_months=12, rule="hub", reason="a hub")))
tier-1 up via C (CNY 7,200, 12 payments, 12 months): a hub
"""

from __future__ import annotations

from collections.abc import Mapping
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
    # Ties looked at and left out, each with its rule and the rule's sentence (chains.EXCLUDED_COLUMNS
    # and ``reason``), published so that "why is X missing?" has an answer from either store; the
    # hubs found (hubs.HUB_COLUMNS) are not published.
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)
    hubs: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Every mention (account, name) resolved to an analysed firm, with the rule that made it that
    # firm's and its evidence (stores.protocol.ENTITY_LINK_COLUMNS): the firm card's "why merged".
    entity_links: pd.DataFrame = field(default_factory=pd.DataFrame)


def left_out_sentence(tie: Mapping[str, Any], currency: str = "CNY") -> str:
    """Why one tie was left out of a chain: the tie's tier, side, via firm, size in ``currency``, and its
    rule's reason."""
    return (f"tier-{int(tie['tier'])} {tie['direction']} via {tie['via_id']} ({currency} {float(tie['amount']):,.0f}, "
            f"{int(tie['count'])} payments, {int(tie['active_months'])} months): "
            f"{tie.get('reason') or tie['rule']}")
