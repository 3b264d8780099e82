"""Our customers: identity, credit, loans, year-end deposits, products and monthly balances.

Amounts are integer cents throughout, so the 小额无贷户 edge cases (exactly 500,000.00 vs 500,000.01)
are exact. Planted edge cases are listed in :data:`EDGE_CASES`.

Examples
--------
>>> from chainsight.demo._config import SCALES
>>> from chainsight.demo._world import build_world
>>> from chainsight.demo._accounts import build_accounts
>>> w = build_world(SCALES["tiny"], 7)
>>> c = build_customers(w, build_accounts(w, 7), 7)
>>> bool((c.monthly[:, 11] == c.deposits.sum(axis=1)).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chainsight.demo import _names as nm
from chainsight.demo._accounts import Accounts
from chainsight.demo._ids import break_check_char, uscc_codes
from chainsight.demo._rng import stream
from chainsight.demo._world import (BACKGROUND, CORE, CORPORATE, DECOY_ROLES, INSTITUTIONAL,
                                    INTERBANK, HOUSING_FUND, World)

IntArray = npt.NDArray[np.int64]
DEPOSIT_COLUMNS = ("dep_demand", "dep_time", "dep_notice", "dep_agreement", "dep_margin")
PRODUCTS = ("企业网银", "结算套餐", "现金管理", "法人理财", "交易银行", "贸易融资", "账户信使")
PATTERNS = ("growing", "stable", "volatile", "declining", "dormant")
#: Planted 小额无贷户 edge cases: deposits per column in cents, credit on/off, loan (cents).
EDGE_CASES: tuple[tuple[tuple[int, int, int, int, int], int, int, int], ...] = (
    ((50_000_000, 0, 0, 0, 0), 0, 0, 0),                         # exactly 500,000.00: eligible
    ((10_000_010, 20_000_020, 0, 0, 19_999_970), 0, 0, 0),       # 500,000.00 in parts a float sum misses
    ((30_000_001, 20_000_000, 0, 0, 0), 0, 0, 0),                # 500,000.01: over the cap
    ((12_000_000, 0, 0, 0, 0), 100_000_000, 0, 0),               # a credit line, no loan: has_credit
    ((6_000_000, 0, 0, 0, 3_000_000), 0, 30_000_000, 0),         # off-balance credit only: has_credit
    ((0, 0, 0, 0, 0), 0, 0, 0),                                  # nothing at all: eligible
)


@dataclass(frozen=True)
class Customers:
    """Our customers, sorted by ``customer_id``; amounts in cents."""

    org: IntArray
    customer_id: list[str]
    uscc: list[str]          # as the master publishes it: valid, empty or with a wrong check char
    branch: IntArray
    manager: list[str]
    credit_on: IntArray
    credit_off: IntArray
    loan: IntArray
    deposits: IntArray       # (n, 5) in DEPOSIT_COLUMNS order
    ebanking: IntArray
    products: list[str]
    opened: IntArray         # date ordinal
    pattern: IntArray        # index into PATTERNS
    monthly: IntArray        # (n, 12) month-end total deposits
    of_org: IntArray         # per organisation: customer index, else -1


def _yuan(rng: np.random.Generator, median: float, sigma: float, n: int) -> IntArray:
    return np.round(rng.lognormal(np.log(median), sigma, n) * 100).astype(np.int64)


def _split(rng: np.random.Generator, total: IntArray, margin: npt.NDArray[np.bool_]) -> IntArray:
    n = len(total)
    frac = np.zeros((n, 5))
    for col, p, lo, hi in ((1, 0.25, 0.1, 0.5), (2, 0.03, 0.05, 0.2), (3, 0.06, 0.1, 0.3)):
        frac[:, col] = np.where(rng.random(n) < p, rng.uniform(lo, hi, n), 0.0)
    frac[:, 4] = np.where(margin, rng.uniform(0.1, 0.3, n), 0.0)
    parts = np.floor(total[:, None] * frac).astype(np.int64)
    parts[:, 0] = total - parts[:, 1:].sum(axis=1)
    return parts


def _monthly(rng: np.random.Generator, total: IntArray, pattern: IntArray) -> IntArray:
    n = len(total)
    m = np.arange(1, 13)[None, :]
    t = total[:, None].astype(np.float64)
    grow = t * (0.35 + 0.65 * m / 12) * rng.normal(1, 0.05, (n, 12))
    stable = t * rng.normal(1, 0.04, (n, 12))
    volatile = t * rng.lognormal(0, 0.6, (n, 12))
    start = rng.uniform(2e7, 2e8, (n, 1))
    declining = t + (start - t) * ((12 - m) / 11) ** 2 * rng.normal(1, 0.05, (n, 12))
    dormant = np.where(rng.random((n, 1)) < 0.5, t, t * rng.uniform(1, 3, (n, 12)))
    series = np.choose(pattern[:, None], [grow, stable, volatile, declining, dormant])
    out = np.maximum(np.round(series), 0).astype(np.int64)
    out[:, 11] = total
    return out


def build_customers(world: World, acc: Accounts, seed: int) -> Customers:
    """Draw every customer's master data (see the module docstring for the planted edge cases)."""
    rng = stream(seed, "customers")
    org = np.flatnonzero(world.ours)
    n = len(org)
    kind, role, active = world.kind[org], world.role[org], world.active[org]
    corp = kind == CORPORATE
    big = (role == CORE) | np.isin(role, DECOY_ROLES)
    u = rng.random(n)
    p_loan = np.select([role == CORE, big, role == BACKGROUND], [0.8, 0.5, 0.10], 0.20)
    has_loan = corp & active & (u < p_loan)
    credit_only = corp & active & ~big & (u >= p_loan) & (u < p_loan + 0.045)
    off_only = corp & active & ~big & (u >= p_loan + 0.045) & (u < p_loan + 0.07)
    loan = np.where(has_loan, np.where(role == CORE, _yuan(rng, 1.5e8, 0.6, n), _yuan(rng, 2e6, 1.0, n)), 0)
    loan = loan // 100_000_00 * 100_000_00 + np.where(has_loan, 100_000_00, 0)  # whole 100k lines
    credit_on = np.where(has_loan, loan * rng.uniform(1.0, 2.0, n) // 1_000_000 * 1_000_000, 0)
    credit_on = np.where(credit_only, _yuan(rng, 1.5e6, 0.6, n) // 1_000_000 * 1_000_000 + 1_000_000,
                         credit_on).astype(np.int64)
    off = (off_only | (has_loan & (rng.random(n) < 0.3)))
    credit_off = np.where(off, _yuan(rng, 8e5, 0.8, n) // 1_000_000 * 1_000_000 + 1_000_000, 0)

    pattern = rng.choice(4, size=n, p=[0.25, 0.38, 0.27, 0.10])
    pattern = np.where(big | ~corp, rng.choice(2, size=n), pattern)
    pattern = np.where(active, pattern, 4)
    small = _yuan(rng, 1.6e5, 1.3, n)
    total = np.select(
        [role == CORE, ~active, pattern == 3, has_loan | big, kind == INSTITUTIONAL, kind == INTERBANK,
         kind == HOUSING_FUND],
        [_yuan(rng, 8e7, 0.6, n), np.where(rng.random(n) < 0.5, 0, rng.integers(1, 300_000, n)),
         rng.integers(10_000, 2_000_000, n), _yuan(rng, 1.5e6, 1.0, n), _yuan(rng, 3e6, 1.0, n),
         _yuan(rng, 8e7, 0.8, n), _yuan(rng, 5e6, 0.8, n)], small)
    deposits = _split(rng, total, credit_off > 0)

    # plant the edge cases on ordinary, active, background customers; tiny deposits on the others
    plain = rng.permutation(np.flatnonzero(corp & active & (role == BACKGROUND) & (pattern < 3)))
    for case, i in zip(EDGE_CASES, plain):
        deposits[i] = case[0]
        credit_on[i], credit_off[i], loan[i] = case[1:]
    for k, cents in ((INSTITUTIONAL, 100_000), (INTERBANK, 200_000), (HOUSING_FUND, 50_000)):
        i = int(np.flatnonzero(kind == k)[0])
        deposits[i] = (cents, 0, 0, 0, 0)
        pattern[i] = 1
    monthly = _monthly(rng, deposits.sum(axis=1), pattern)

    heads = np.where(kind == INSTITUTIONAL, "12", np.where(kind == HOUSING_FUND, "53", "91"))
    codes = uscc_codes(rng, heads, np.array([nm.CITIES[c][1] for c in world.city[org]]))
    state = rng.choice(3, size=n, p=[0.90, 0.07, 0.03])
    uscc = [c if s == 0 else ("" if s == 1 else break_check_char(c)) for c, s in zip(codes, state)]
    branch = acc.branch[acc.org_first[org]]
    managers = world.branches.managers
    pick = rng.integers(0, 1 << 30, n)
    manager = [managers[b][p % len(managers[b])] for b, p in zip(branch, pick)]
    ebanking = (rng.random(n) < np.where(corp, 0.75, 0.6)).astype(np.int64)
    p_prod = np.array([0.0, 0.3, 0.1, 0.08, 0.06, 0.03, 0.4])
    has = rng.random((n, len(PRODUCTS))) < p_prod
    has[:, 0] = ebanking == 1
    has[:, 5] |= (credit_on > 0) & (rng.random(n) < 0.3)
    products = [";".join(p for p, h in zip(PRODUCTS, row) if h) for row in has.tolist()]
    ids = rng.choice(900_000_000, size=n, replace=False) + 100_000_000
    order = np.argsort(ids, kind="stable")
    of_org = np.full(world.n, -1, np.int64)
    of_org[org[order]] = np.arange(n)
    return Customers(
        org=org[order], customer_id=[f"CIF{ids[i]}" for i in order], uscc=[uscc[i] for i in order],
        branch=branch[order], manager=[manager[i] for i in order], credit_on=credit_on[order],
        credit_off=credit_off[order], loan=loan[order], deposits=deposits[order],
        ebanking=ebanking[order], products=[products[i] for i in order],
        opened=acc.opened[acc.org_first[org[order]]], pattern=pattern[order], monthly=monthly[order],
        of_org=of_org,
    )
