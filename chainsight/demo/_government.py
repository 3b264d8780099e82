"""Money from government to our corporate customers: subsidies and grants from the finance and industry
bureaus, and tax refunds from the tax office. Not trade (flow class ``government``); some memos say
nothing at all, so only the payer tells what the money is.

Examples
--------
>>> from chainsight.demo._examples import tiny
>>> t = tiny()
>>> e = government_events(t.world, t.accounts, 7)
>>> len(e) > 0, bool((e.klass == mm.GOVERNMENT).all()), bool((e.cents > 0).all())
(True, True, True)
"""

from __future__ import annotations

import numpy as np

from chainsight.demo import _memos as mm
from chainsight.demo._accounts import Accounts
from chainsight.demo._events import Events, business_day, concat, to_cents
from chainsight.demo._rng import stream
from chainsight.demo._world import CORPORATE, World

SUBSIDISED = 0.12  # share of our active corporate customers granted 1–3 subsidies in the year
EXPORTERS = 0.08   # share refunded export VAT every quarter


def government_events(world: World, acc: Accounts, seed: int) -> Events:
    """The year's subsidies and tax refunds (accounts are checked for being open later)."""
    rng = stream(seed, "government")
    firms = np.flatnonzero(world.ours & world.active & (world.kind == CORPORATE))
    granted = firms[rng.random(len(firms)) < SUBSIDISED]
    o = np.repeat(granted, rng.integers(1, 4, len(granted)))
    office = acc.grants[world.city[o], rng.integers(0, 2, len(o))]
    amount = to_cents(rng, rng.lognormal(np.log(80_000), 1.0, len(o)) * world.size[o] ** 0.5)
    subsidies = Events.of(office, acc.org_first[o], business_day(rng, rng.integers(0, 12, len(o))), amount,
                          mm.draw(rng, "subsidy", len(o)), mm.GOVERNMENT)
    exporters = firms[rng.random(len(firms)) < EXPORTERS]
    o = np.repeat(exporters, 4)
    month = 3 * np.tile(np.arange(4), len(exporters)) + rng.integers(0, 3, len(o))
    amount = to_cents(rng, rng.lognormal(np.log(40_000), 0.8, len(o)) * world.size[o] ** 0.5)
    refunds = Events.of(acc.tax[world.city[o]], acc.org_first[o], business_day(rng, month), amount,
                        mm.draw(rng, "tax_refund", len(o)), mm.GOVERNMENT)
    return concat([subsidies, refunds])
