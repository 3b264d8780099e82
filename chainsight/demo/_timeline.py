"""The year's payments in order: trade and non-trade merged, unseen ones dropped, reversals and
refunds added, each payment unique by (payer account, payee account, day, amount).

Examples
--------
>>> from chainsight.demo._examples import tiny
>>> e = build_events(*tiny(), 7)
>>> bool((np.diff(e.day) >= 0).all()), bool((e.day[e.orig[e.orig >= 0]] < e.day[e.orig >= 0]).all())
(True, True)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from chainsight.demo import _memos as mm
from chainsight.demo._accounts import Accounts
from chainsight.demo._customers import Customers
from chainsight.demo._events import Events, concat, reindex
from chainsight.demo._nontrade import nontrade_events
from chainsight.demo._relations import Relations
from chainsight.demo._rng import stream
from chainsight.demo._trade import trade_events
from chainsight.demo._world import World

IntArray = npt.NDArray[np.int64]
REVERSAL_RATE = 0.004  # share of trade payments reversed (冲正) a few days later
REFUND_RATE = 0.005    # share of trade payments partly refunded (退货款)


def _usable(ev: Events, acc: Accounts) -> npt.NDArray[np.bool_]:
    """Both accounts exist and are open, one of them is ours (else the bank never sees it)."""
    payer, payee = np.maximum(ev.payer, 0), np.maximum(ev.payee, 0)
    return np.asarray((ev.payer >= 0) & (ev.payee >= 0) & (ev.cents != 0) & (ev.day < 366)
                      & acc.open_mask(payer, ev.day) & acc.open_mask(payee, ev.day)
                      & (acc.customer[payer] | acc.customer[payee]), dtype=np.bool_)


def _unique(ev: Events) -> Events:
    """Drop later payments repeating an earlier one's (payer, payee, day, amount)."""
    idx = np.arange(len(ev))
    order = np.lexsort((idx, ev.cents, ev.day, ev.payee, ev.payer))
    same = np.zeros(len(ev), dtype=bool)
    if len(ev) > 1:
        s = order
        same[1:] = ((ev.payer[s[1:]] == ev.payer[s[:-1]]) & (ev.payee[s[1:]] == ev.payee[s[:-1]])
                    & (ev.day[s[1:]] == ev.day[s[:-1]]) & (ev.cents[s[1:]] == ev.cents[s[:-1]]))
    keep = np.sort(order[~same])
    return reindex(ev, keep)


def _follow_ups(rng: np.random.Generator, ev: Events, acc: Accounts) -> Events:
    """Reversals (same side, negative amount, 冲正) and partial refunds (payee pays back, 退货款)."""
    trade = np.flatnonzero((ev.klass == mm.TRADE) & (ev.day <= 340))
    picked = rng.permutation(trade)
    n_rev = int(round(REVERSAL_RATE * (ev.klass == mm.TRADE).sum()))
    n_ref = int(round(REFUND_RATE * (ev.klass == mm.TRADE).sum()))
    rev, ref = np.sort(picked[:n_rev]), np.sort(picked[n_rev:n_rev + n_ref])
    reversals = Events(ev.payer[rev], ev.payee[rev], ev.day[rev] + rng.integers(1, 4, len(rev)),
                       -ev.cents[rev], mm.draw(rng, "reversal", len(rev)),
                       np.full(len(rev), mm.REVERSAL), np.full(len(rev), -1), rev)
    share = rng.uniform(0.05, 0.6, len(ref))
    refunds = Events(ev.payee[ref], ev.payer[ref], ev.day[ref] + rng.integers(3, 26, len(ref)),
                     np.maximum(np.round(ev.cents[ref] * share), 1).astype(np.int64),
                     mm.draw(rng, "refund", len(ref)), np.full(len(ref), mm.REFUND),
                     np.full(len(ref), -1), ref)
    extra = concat([reversals, refunds])
    return concat([ev, extra.take(_usable(extra, acc))])


def build_events(world: World, acc: Accounts, cust: Customers, rel: Relations, seed: int) -> Events:
    """Every payment the bank can see this year, sorted by day and time of day."""
    rng = stream(seed, "timeline")
    ev = concat([trade_events(rel, acc, seed), nontrade_events(world, acc, cust, seed)])
    ev = _unique(ev.take(_usable(ev, acc)))
    ev = _unique(_follow_ups(rng, ev, acc))
    tkey = rng.random(len(ev))
    return reindex(ev, np.lexsort((np.arange(len(ev)), tkey, ev.day)))
