"""The later period: half a year after the analysed one, some firms have become customers of ours and
some small no-loan customers have grown — the conversions a back-test should find.

Who converts comes from the demo world's own latent truth, not from any analysis: a firm's *affinity*
is the share of its distinct trade partners (planted relationships of :mod:`._relations`) that bank
with us, its *chain tie* says it was planted as a tier-1 (1.0) or tier-2 (0.5) member around a core,
and lognormal noise stands for everything no export shows. For a firm at another bank:
``logit = -3.2 + 2.0·affinity + chain tie + N(0, 1)``; for a small no-loan customer (the demo's own
:func:`._truth.eligibility`): ``logit = -2.8 + 1.2·growing + chain tie + 1.0·trades with a core
+ N(0, 1)``, where ``growing`` is its planted deposit pattern. Nothing of ChainSight's scoring enters.

A converted customer's deposits grow by 40–200 % plus 50k–200k yuan, or (one in three) it takes a
product it lacked; every other customer's deposits move by -15 % to +10 % and its products stay.

Examples
--------
>>> from chainsight.demo._config import SCALES
>>> from chainsight.demo._world import build_world
>>> from chainsight.demo._accounts import build_accounts
>>> from chainsight.demo._customers import build_customers
>>> from chainsight.demo._relations import build_relations
>>> w = build_world(SCALES["tiny"], 7)
>>> acc = build_accounts(w, 7)
>>> cust = build_customers(w, acc, 7)
>>> later = build_later(w, cust, build_relations(w, 7), np.full(len(cust.org), -1), 7)
>>> bool(w.ours[later.acquired].any()), len(later.acquired) > 0, len(later.deepened) > 0
(False, True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from chainsight.demo._customers import PRODUCTS, Customers
from chainsight.demo._relations import Relations
from chainsight.demo._rng import stream
from chainsight.demo._truth import eligibility
from chainsight.demo._world import CORE, CORPORATE, T1_CUS, T1_SUP, T2_CUS, T2_SUP, World

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
#: The day the later customer master describes.
LATER_AS_OF = date(2025, 6, 30)
_OPEN_FROM, _OPEN_TO = date(2025, 1, 2).toordinal(), date(2025, 6, 27).toordinal()


@dataclass(frozen=True)
class Later:
    """The later period: who converted, and every customer's later deposits and products."""

    acquired: IntArray         # organisations at another bank that are our customers by LATER_AS_OF
    acquired_opened: IntArray  # the date ordinal each opened its account with us
    acquired_deposits: IntArray  # their deposits on LATER_AS_OF, cents (all demand deposits)
    deepened: IntArray         # customer indexes (of Customers) of small no-loan customers that grew
    how: list[str]             # per deepened customer: "deposits_grew", "product_added" or both
    deposits: IntArray         # (n_customers, 5) every existing customer's later deposits, cents
    products: list[str]        # every existing customer's later products


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _affinity(world: World, rel: Relations) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Per organisation: share of its distinct trade partners that bank with us; whether it trades with a core."""
    pairs = np.unique(np.concatenate([np.stack([rel.payer, rel.payee], 1), np.stack([rel.payee, rel.payer], 1)]),
                      axis=0)
    firm, partner = pairs[:, 0], pairs[:, 1]
    n_all = np.bincount(firm, minlength=world.n).astype(np.float64)
    n_ours = np.bincount(firm, weights=world.ours[partner].astype(np.float64), minlength=world.n)
    with_core = np.zeros(world.n, bool)
    with_core[firm[world.role[partner] == CORE]] = True
    return np.divide(n_ours, n_all, out=np.zeros(world.n), where=n_all > 0), with_core


def _chain_tie(world: World) -> FloatArray:
    return np.select([np.isin(world.role, (T1_SUP, T1_CUS)), np.isin(world.role, (T2_SUP, T2_CUS))], [1.0, 0.5], 0.0)


def build_later(world: World, cust: Customers, rel: Relations, blank: IntArray, seed: int) -> Later:
    """Draw the later period (``blank``: per customer the master money cell written blank, else -1)."""
    rng = stream(seed, "later")
    affinity, with_core = _affinity(world, rel)
    tie = _chain_tie(world)
    traded = np.zeros(world.n, bool)
    traded[rel.payer], traded[rel.payee] = True, True
    elsewhere = np.flatnonzero((world.kind == CORPORATE) & ~world.ours & world.active & traded)
    logit = -3.2 + 2.0 * affinity[elsewhere] + tie[elsewhere] + rng.normal(0, 1, len(elsewhere))
    acquired = elsewhere[rng.random(len(elsewhere)) < _sigmoid(logit)]
    opened = rng.integers(_OPEN_FROM, _OPEN_TO + 1, len(acquired))
    new_deposits = np.round(rng.lognormal(np.log(1.2e5), 1.0, len(acquired)) * 100).astype(np.int64)

    org = cust.org
    total = cust.deposits.sum(axis=1)
    verdict = eligibility(world.kind[org], cust.credit_on, cust.credit_off, cust.loan, total, blank)
    small = np.flatnonzero((np.array(verdict) == "eligible") & world.active[org])
    growing = (cust.pattern[small] == 0).astype(np.float64)
    logit = (-2.8 + 1.2 * growing + tie[org[small]] + 1.0 * with_core[org[small]]
             + rng.normal(0, 1, len(small)))
    deepened = small[rng.random(len(small)) < _sigmoid(logit)]

    factor = rng.uniform(0.85, 1.10, len(org))
    deposits = np.floor(cust.deposits * factor[:, None]).astype(np.int64)
    products = list(cust.products)
    mode = rng.random(len(deepened))  # < 1/3: a product only; < 1/2: both; else deposits only
    how: list[str] = []
    for i, m in zip(deepened.tolist(), mode.tolist()):
        done = []
        if m >= 1 / 3:
            grown = np.floor(cust.deposits[i] * rng.uniform(1.4, 3.0)).astype(np.int64)
            grown[0] += int(rng.uniform(5e6, 2e7))  # + 50k-200k yuan of demand deposits
            deposits[i] = grown
            done.append("deposits_grew")
        held = set(filter(None, cust.products[i].split(";")))
        missing = [p for p in PRODUCTS if p not in held]
        if m < 1 / 2 and missing:
            held.add(missing[int(rng.integers(0, len(missing)))])
            products[i] = ";".join(p for p in PRODUCTS if p in held)
            done.append("product_added")
        if not done:  # holds every product already: its deposits grow instead
            deposits[i, 0] += int(rng.uniform(5e6, 2e7)) + 2 * int(cust.deposits[i].sum())
            done.append("deposits_grew")
        how.append("+".join(done))
    return Later(acquired=acquired, acquired_opened=opened, acquired_deposits=new_deposits,
                 deepened=deepened, how=how, deposits=deposits, products=products)
