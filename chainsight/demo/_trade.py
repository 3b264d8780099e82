"""Trade payments: each relationship pays in its active months, lognormal amounts around its base.

Examples
--------
>>> from chainsight.demo._examples import tiny
>>> t = tiny()
>>> e = trade_events(t.relations, t.accounts, 7)
>>> bool((e.cents > 0).all()) and bool((e.rel >= 0).all())
True
"""

from __future__ import annotations

import numpy as np

from chainsight.demo import _memos as mm
from chainsight.demo._accounts import Accounts
from chainsight.demo._events import Events, business_day, choose_account, to_cents
from chainsight.demo._relations import HUB_IN, Relations
from chainsight.demo._rng import stream


def trade_events(rel: Relations, acc: Accounts, seed: int) -> Events:
    """Expand relationships into payments (accounts not open on the day give -1)."""
    rng = stream(seed, "trade")
    r_idx, m_idx = np.nonzero(rel.months)
    count = 1 + rng.poisson(rel.extra[r_idx])
    r = np.repeat(r_idx, count)
    m = np.repeat(m_idx, count)
    n = len(r)
    day = business_day(rng, m)
    yuan = rel.base[r] * rng.lognormal(0.0, 0.35, n)
    memo = rel.memo[r].copy()
    vary = (rng.random(n) < 0.15) & (rel.kind[r] != HUB_IN)
    memo[vary] = mm.draw(rng, "trade_goods", int(vary.sum()))
    payer = choose_account(rng, acc, rel.payer[r], day)
    payee = choose_account(rng, acc, rel.payee[r], day)
    return Events.of(payer, payee, day, to_cents(rng, yuan), memo, mm.TRADE, rel=r)
