"""The decoys' trade: firms that look central and are no core, drawn from this generator's own picture of
a bank's customers (never from the analysis' rules).

* a **large distributor** (物资/商贸) buys every month from a few makers, in large amounts, and sells every
  month to hundreds of retailers that buy mostly from it: more money than any core, few suppliers;
* a **payroll agent** (人力资源服务): hundreds of firms (and every core) pay it every month for outsourced
  staff, and it
  pays hundreds of firms a little every month (settlements on their behalf) — many ties both ways.

The utilities and freight forwarders (hubs) and the trading houses that buy once from hundreds of firms
are drawn in :mod:`._relations`. Each tie is ``(payer, payee, label)``; the relations module turns the
label into its relationship kind.

Examples
--------
>>> from chainsight.demo._config import SCALES
>>> from chainsight.demo._world import DISTRIBUTOR, build_world
>>> w = build_world(SCALES["tiny"], 7)
>>> ties = decoy_ties(np.random.default_rng(1), w, np.flatnonzero(w.role == 0))
>>> sorted({label for _, _, label in ties})
['agent_in', 'agent_out', 'dist_buys', 'dist_sells']
>>> buys = [t for t in ties if t[2] == "dist_buys"][0]
>>> bool((w.role[buys[0]] == DISTRIBUTOR).all()), 3 <= len(buys[1]) <= 6
(True, True)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from chainsight.demo._world import AGENT, CORE, DISTRIBUTOR, World

IntArray = npt.NDArray[np.int64]
Tie = tuple[IntArray, IntArray, str]


def _some(rng: np.random.Generator, pool: IntArray, n: int) -> IntArray:
    """About ``n`` distinct firms of ``pool``."""
    return np.unique(pool[rng.integers(0, len(pool), n)]) if len(pool) else np.zeros(0, np.int64)


def decoy_ties(rng: np.random.Generator, world: World, background: IntArray) -> list[Tie]:
    """The distributors' and the payroll agent's trade ties with firms of ``background`` (every core
    outsources staff to the agent too)."""
    n_firms = world.scale.firms
    out: list[Tie] = []
    for dist in np.flatnonzero(world.role == DISTRIBUTOR):
        makers = _some(rng, background, int(rng.integers(3, 7)))
        out.append((np.full(len(makers), dist), makers, "dist_buys"))
        retailers = _some(rng, background, int(np.clip(0.012 * n_firms, 15, 400)))
        out.append((retailers, np.full(len(retailers), dist), "dist_sells"))
    for agent in np.flatnonzero(world.role == AGENT):
        clients = np.concatenate([np.flatnonzero(world.role == CORE),
                                  _some(rng, background, int(np.clip(0.02 * n_firms, 20, 500)))])
        out.append((clients, np.full(len(clients), agent), "agent_in"))
        paid = _some(rng, background, int(np.clip(0.03 * n_firms, 10, 800)))
        out.append((np.full(len(paid), agent), paid, "agent_out"))
    return out
