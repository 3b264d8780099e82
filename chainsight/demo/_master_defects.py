"""What a real customer master does to its rows: customer types in Chinese, blank money cells, and a firm
with a second customer record.

* ``type_text``: 对公/企业 for a corporate customer, 事业单位, 同业, 住房资金 for the others (a few in ten);
* ``blank``: one corporate customer in a hundred (at least one) has one money cell left blank — *unknown*, so
  never eligible (the truth says ``unknown_value`` where nothing else excludes it);
* ``extra``: one corporate customer in seventy (at least two) has a second record (its own customer id, the
  same name and USCC, no credit or loan) holding part of its demand deposits: the firm's total, and
  so its verdict, is that of the first record alone.

The planted 小额无贷户 edge cases (:data:`._customers.EDGE_CASES`) are left as they are.

Examples
--------
>>> from chainsight.demo._examples import tiny
>>> t = tiny()
>>> d = master_defects(t.world, t.customers, 7)
>>> len(d.type_text) == len(t.customers.org), bool((d.extra_deposits >= 0).all())
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chainsight.demo._customers import EDGE_CASES, Customers
from chainsight.demo._rng import stream
from chainsight.demo._world import CORPORATE, KIND_NAMES, World

IntArray = npt.NDArray[np.int64]
#: the money columns of the master in the order they are written (credit on/off, loan, 5 deposits)
MONEY = 8
_SPELLINGS = {"corporate": ("对公", "企业"), "institutional": ("事业单位",), "interbank": ("同业",),
              "housing_fund": ("住房资金",)}


@dataclass(frozen=True)
class MasterDefects:
    """Per customer: how its type is written and which money cell is blank (-1: none); the extra
    records: the customer each repeats, its id and the deposits (cents, 5 columns) moved to it."""

    type_text: list[str]
    blank: IntArray
    extra_of: IntArray
    extra_id: list[str]
    extra_deposits: IntArray


def master_defects(world: World, cust: Customers, seed: int) -> MasterDefects:
    """Draw the master's defects (its own stream: the rest of the bank does not change)."""
    rng = stream(seed, "master_defects")
    n = len(cust.org)
    kind = [KIND_NAMES[k] for k in world.kind[cust.org]]
    local = rng.random(n) < 0.3
    pick = rng.integers(0, 1 << 30, n)
    type_text = [_SPELLINGS[k][p % len(_SPELLINGS[k])] if lo else k for k, lo, p in zip(kind, local, pick)]
    edge = {case[0] for case in EDGE_CASES}
    usual = np.array([tuple(int(x) for x in d) not in edge for d in cust.deposits], dtype=bool)
    usual &= world.kind[cust.org] == CORPORATE
    pool = rng.permutation(np.flatnonzero(usual))
    n_blank, n_extra = max(1, round(0.01 * len(pool))), max(2, round(0.015 * len(pool)))
    blank = np.full(n, -1, np.int64)
    blank[pool[:n_blank]] = rng.integers(0, MONEY, min(n_blank, len(pool)))
    extra_of = np.sort(pool[n_blank:n_blank + n_extra])
    moved = np.zeros((len(extra_of), 5), np.int64)
    moved[:, 0] = cust.deposits[extra_of, 0] // 2
    taken = {int(c[3:]) for c in cust.customer_id}
    ids: list[str] = []
    while len(ids) < len(extra_of):
        number = int(rng.integers(100_000_000, 1_000_000_000))
        if number not in taken:
            taken.add(number)
            ids.append(f"CIF{number}")
    return MasterDefects(type_text=type_text, blank=blank.astype(np.int64), extra_of=extra_of,
                         extra_id=ids, extra_deposits=moved)
