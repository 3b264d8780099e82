"""Trade relationships: who pays whom for goods, how much and in which months.

A relationship is ``payer → payee`` (the payee is the payer's supplier). Planted kinds: the core
buying from tier-1 suppliers, tier-1 customers buying from the core, tier-1 suppliers buying from
tier-2 suppliers, tier-2 customers buying from tier-1 customers, decoy hubs and buyers, noise — and
the noise real cores have: every core pays the hubs (utilities, logistics) every month, one-off
purchases from and by cores, suppliers buying a little back from their core (two-way trade whose
dominant side stays the planted one); the large distributors and the payroll agent of :mod:`._decoys`.
None of these is a chain tie in the truth.

Examples
--------
>>> from chainsight.demo._config import SCALES
>>> from chainsight.demo._world import build_world
>>> r = build_relations(build_world(SCALES["tiny"], 7), 7)
>>> bool((r.payer != r.payee).all()), bool((r.months.sum(axis=1) >= 1).all())
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chainsight.demo import _memos as mm
from chainsight.demo._rng import stream
from chainsight.demo._decoys import decoy_ties
from chainsight.demo._world import (BACKGROUND, BUYER, CORE, CORPORATE, DECOY_ROLES, HUB, INSTITUTIONAL,
                                    T1_CUS, T1_SUP, T2_CUS, T2_SUP, World)

IntArray = npt.NDArray[np.int64]
(CORE_BUYS, CORE_SELLS, T1_BUYS, T2_BUYS, HUB_IN, HUB_OUT, BUYER_OUT, BUYER_IN, NOISE, ONE_OFF, BUY_BACK,
 AGENT_OUT, DIST_BUYS, DIST_SELLS, AGENT_IN) = range(15)
_DECOY_KINDS = {"dist_buys": DIST_BUYS, "dist_sells": DIST_SELLS, "agent_in": AGENT_IN, "agent_out": AGENT_OUT}
#: per kind: (median yuan, sigma, P(start in Jan), density low, density high, min months, extra/month)
_SHAPE = {
    CORE_BUYS: (90_000, 0.9, 0.8, 0.75, 1.0, 3, 0.8),
    CORE_SELLS: (70_000, 0.9, 0.8, 0.75, 1.0, 3, 0.6),
    T1_BUYS: (25_000, 1.0, 0.6, 0.35, 0.9, 3, 0.4),
    T2_BUYS: (15_000, 1.0, 0.6, 0.35, 0.9, 3, 0.3),
    HUB_IN: (2_500, 0.8, 0.8, 0.5, 1.0, 3, 0.1),
    HUB_OUT: (20_000, 0.6, 0.9, 0.6, 1.0, 3, 0.0),
    BUYER_OUT: (40_000, 0.8, 0.0, 0.0, 0.0, 1, 0.0),
    BUYER_IN: (60_000, 0.6, 0.8, 0.3, 0.6, 3, 0.0),
    NOISE: (6_000, 1.2, 0.0, 0.0, 0.0, 1, 0.1),
    ONE_OFF: (30_000, 0.8, 0.0, 0.0, 0.0, 1, 0.0),
    BUY_BACK: (4_000, 0.6, 0.5, 0.2, 0.5, 1, 0.0),
    AGENT_OUT: (800, 0.5, 0.9, 0.8, 1.0, 3, 0.0),
    DIST_BUYS: (2_000_000, 0.4, 0.9, 0.85, 1.0, 3, 1.5),
    DIST_SELLS: (80_000, 0.8, 0.7, 0.6, 1.0, 3, 0.5),
    AGENT_IN: (25_000, 0.7, 0.8, 0.85, 1.0, 3, 0.0),
}


@dataclass(frozen=True)
class Relations:
    """Trade relationships between organisations."""

    payer: IntArray
    payee: IntArray
    kind: IntArray
    base: npt.NDArray[np.float64]   # median payment in yuan
    months: npt.NDArray[np.bool_]   # (n, 12) active months
    extra: npt.NDArray[np.float64]  # Poisson rate of extra payments in an active month
    memo: IntArray                  # habitual memo (index into MEMOS)


def _pairs(rng: np.random.Generator, src: IntArray, pool: IntArray, core_of: IntArray, lam: float,
           cap: int) -> tuple[IntArray, IntArray]:
    """Each ``src`` gets Poisson(lam) (≤ cap) distinct partners from ``pool``: 80% planted around the
    same core as ``src``, the rest anywhere in ``pool``."""
    if len(pool) == 0 or len(src) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    k = np.minimum(rng.poisson(lam, len(src)), cap)
    a = np.repeat(src, k)
    pool = pool[np.argsort(core_of[pool], kind="stable")]
    first = np.searchsorted(core_of[pool], core_of[a], side="left")
    count = np.searchsorted(core_of[pool], core_of[a], side="right") - first
    own = first + (rng.random(len(a)) * count).astype(np.int64)
    anywhere = rng.integers(0, len(pool), len(a))
    b = pool[np.where((count > 0) & (rng.random(len(a)) < 0.8), own, anywhere)]
    pairs = np.unique(np.stack([a, b], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def _months(rng: np.random.Generator, kind: IntArray) -> npt.NDArray[np.bool_]:
    n = len(kind)
    shape = np.array([_SHAPE[i] for i in range(len(_SHAPE))])[kind]
    p_jan, lo, hi, min_m = shape[:, 2], shape[:, 3], shape[:, 4], shape[:, 5].astype(np.int64)
    start = np.where(rng.random(n) < p_jan, 1, rng.integers(2, 11, n))
    end = np.where(rng.random(n) < 0.8, 12, np.minimum(12, start + rng.integers(min_m + 1, 12, n)))
    m = np.arange(1, 13)[None, :]
    density = rng.uniform(lo, hi)[:, None]
    active = (m >= start[:, None]) & (m <= end[:, None]) & (rng.random((n, 12)) < density)
    first = (m >= start[:, None]) & (m < start[:, None] + min_m[:, None])
    active |= first & (active.sum(axis=1) < min_m)[:, None]
    # one-off kinds: 1–3 random months
    one_off = lo == 0.0
    k = np.where(kind == ONE_OFF, 1, rng.integers(1, 4, n))  # a one-off purchase: one month
    ranks = np.argsort(rng.random((n, 12)), axis=1).argsort(axis=1)
    active[one_off] = (ranks < k[:, None])[one_off]
    return active


def build_relations(world: World, seed: int) -> Relations:
    """Draw the planted chains, the decoys' hubs and the background noise."""
    rng = stream(seed, "relations")
    role = world.role
    payer: list[IntArray] = []
    payee: list[IntArray] = []
    kinds: list[IntArray] = []

    def add(a: IntArray, b: IntArray, kind: int) -> None:
        keep = a != b
        payer.append(a[keep])
        payee.append(b[keep])
        kinds.append(np.full(int(keep.sum()), kind, np.int64))

    cores = np.flatnonzero(role == CORE)
    for tier, link in ((T1_SUP, CORE_BUYS), (T1_CUS, CORE_SELLS)):
        members = np.flatnonzero(role == tier)
        cross = members[rng.random(len(members)) < 0.08]  # serving a second core too
        second = cores[rng.integers(0, len(cores), len(cross))]
        firm = np.concatenate([members, cross])
        core = np.concatenate([world.core_of[members], second])
        keep = np.unique(np.stack([firm, core], axis=1), axis=0)
        if link == CORE_BUYS:
            add(keep[:, 1], keep[:, 0], link)
        else:
            add(keep[:, 0], keep[:, 1], link)
    a, b = _pairs(rng, np.flatnonzero(role == T1_SUP), np.flatnonzero(role == T2_SUP), world.core_of, 2.2, 6)
    add(a, b, T1_BUYS)
    a, b = _pairs(rng, np.flatnonzero(role == T1_CUS), np.flatnonzero(role == T2_CUS), world.core_of, 1.8, 6)
    add(b, a, T2_BUYS)

    corp = (world.kind == CORPORATE) & world.active
    plain = np.flatnonzero(corp & ~np.isin(role, DECOY_ROLES) & (role != CORE))
    n_firms = world.scale.firms
    for hub in np.flatnonzero(role == HUB):
        payers = np.unique(plain[rng.integers(0, len(plain), int(np.clip(0.06 * n_firms, 8, 3000)))])
        add(payers, np.full(len(payers), hub), HUB_IN)
        add(np.full(3, hub), plain[rng.integers(0, len(plain), 3)], HUB_OUT)
    for buyer in np.flatnonzero(role == BUYER):
        payees = np.unique(plain[rng.integers(0, len(plain), int(np.clip(0.05 * n_firms, 20, 2000)))])
        add(np.full(len(payees), buyer), payees, BUYER_OUT)
        add(plain[rng.integers(0, len(plain), 2)], np.full(2, buyer), BUYER_IN)

    # the noise around cores: hub bills, one-off purchases, buying back, an agent paying everyone
    hubs = np.flatnonzero(role == HUB)
    for hub in hubs:
        add(cores, np.full(len(cores), hub), HUB_IN)
    n_once = max(2, int(0.004 * n_firms))
    for one_core in cores:
        add(plain[rng.integers(0, len(plain), n_once)], np.full(n_once, one_core), ONE_OFF)
        add(np.full(n_once, one_core), plain[rng.integers(0, len(plain), n_once)], ONE_OFF)
    core_buys = np.flatnonzero(np.concatenate(kinds) == CORE_BUYS)
    back = core_buys[rng.random(len(core_buys)) < 0.1]
    add(np.concatenate(payee)[back], np.concatenate(payer)[back], BUY_BACK)
    for a, b, label in decoy_ties(rng, world, np.flatnonzero(corp & (role == BACKGROUND))):
        add(a, b, _DECOY_KINDS[label])

    # noise: at least one side ours, so that it is not drawn only to be invisible
    spenders = np.concatenate([plain, np.flatnonzero((world.kind == INSTITUTIONAL) & world.active)])
    ours_plain = plain[world.ours[plain]]
    n_noise = int(world.scale.noise_per_firm * n_firms)
    src = spenders[rng.integers(0, len(spenders), n_noise)]
    dst = np.where(world.ours[src], plain[rng.integers(0, len(plain), n_noise)],
                   ours_plain[rng.integers(0, len(ours_plain), n_noise)])
    add(src, dst, NOISE)

    pa, pb, kind = np.concatenate(payer), np.concatenate(payee), np.concatenate(kinds)
    shape = np.array([_SHAPE[i] for i in range(len(_SHAPE))])[kind]
    size = np.sqrt(world.size[pa] * world.size[pb]) ** 0.5
    base = np.exp(rng.normal(np.log(shape[:, 0]), shape[:, 1])) * size
    pool = np.select([np.isin(kind, (HUB_IN,)), np.isin(kind, (CORE_SELLS, T2_BUYS, DIST_SELLS)),
                      kind == AGENT_IN, kind == AGENT_OUT], [2, 1, 3, 4], 0)
    memo = np.empty(len(kind), np.int64)
    for p, name in enumerate(mm.TRADE_POOLS):
        sel = pool == p
        memo[sel] = mm.draw(rng, name, int(sel.sum()))
    return Relations(payer=pa, payee=pb, kind=kind, base=base, months=_months(rng, kind),
                     extra=shape[:, 6], memo=memo)
