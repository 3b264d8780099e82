"""The organisations of the demo world: firms and their roles, institutions, our branches.

Roles are planted here (cores, tier-1 and tier-2 pools, decoys); who actually trades with whom is
drawn in :mod:`._relations`.

Examples
--------
>>> from chainsight.demo._config import SCALES
>>> w = build_world(SCALES["tiny"], seed=7)
>>> int((w.role == CORE).sum()), bool(w.ours[w.role == CORE].all())
(2, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chainsight.demo import _names as nm
from chainsight.demo._config import Scale
from chainsight.demo._rng import stream

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# organisation kinds (customer_type of our customers)
CORPORATE, INSTITUTIONAL, INTERBANK, HOUSING_FUND = 0, 1, 2, 3
KIND_NAMES = ("corporate", "institutional", "interbank", "housing_fund")
# planted roles
BACKGROUND, CORE, T1_SUP, T1_CUS, T2_SUP, T2_CUS, HUB, BUYER, DISTRIBUTOR, AGENT = range(10)
ROLE_NAMES = ("background", "core", "t1_supplier", "t1_customer", "t2_supplier", "t2_customer",
              "hub_decoy", "buyer_decoy", "distributor_decoy", "payroll_agent_decoy")
#: the decoys: firms that look central (many counterparties or much money) and are no core
DECOY_ROLES = (HUB, BUYER, DISTRIBUTOR, AGENT)
_HUB_INDUSTRIES = ("物流", "供应链管理", "国际货运代理", "燃气", "水务", "快递")
_BUYER_INDUSTRIES = ("商贸", "进出口", "贸易")
_DISTRIBUTOR_INDUSTRIES = ("物资", "商贸", "贸易")
_AGENT_INDUSTRIES = ("人力资源服务", "企业服务外包")


@dataclass(frozen=True)
class Branches:
    """Our branches: code, name, which export holds their statements and their managers."""

    code: tuple[str, ...]
    name: tuple[str, ...]
    export: tuple[str, ...]          # "csv" | "xlsx" | "parquet"
    weight: npt.NDArray[np.float64]  # share of our customers at each branch
    managers: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class World:
    """Every organisation in the world (ours or not), with planted roles."""

    scale: Scale
    branches: Branches
    name: tuple[str, ...]
    kind: IntArray       # CORPORATE .. HOUSING_FUND
    city: IntArray       # index into _names.CITIES
    ours: BoolArray      # banks with us
    role: IntArray       # BACKGROUND .. AGENT
    core_of: IntArray    # tier-1 and tier-2 firms: the core they were planted around, else -1
    active: BoolArray    # False for dormant customers (no payments)
    size: npt.NDArray[np.float64]  # relative business size (scales amounts)

    @property
    def n(self) -> int:
        """Number of organisations."""
        return len(self.name)


def _branches(scale: Scale, seed: int) -> Branches:
    rng = stream(seed, "branches")
    n = scale.branches
    places = [nm.PLACES[i] for i in rng.permutation(len(nm.PLACES))[:n]]
    export = ["csv"] * (n - 2) + ["parquet", "xlsx"]
    weight = rng.lognormal(0.0, 0.35, size=n)
    weight[-2] = 0.0
    weight[-1] = 0.0
    weight *= (1.0 - 0.12 - scale.excel_share) / weight.sum()
    weight[-2], weight[-1] = 0.12, scale.excel_share
    per_branch = rng.integers(3, 9, size=n)
    people = nm.unique_person_names(rng, int(per_branch.sum()))
    cuts = np.concatenate([[0], np.cumsum(per_branch)])
    return Branches(
        code=tuple(f"{101 + i:04d}" for i in range(n)),
        name=tuple(f"{nm.OUR_BANK}{p}支行" for p in places),
        export=tuple(export), weight=weight,
        managers=tuple(tuple(people[cuts[i]:cuts[i + 1]]) for i in range(n)),
    )


def _tier_sizes(scale: Scale, rng: np.random.Generator, room: int) -> tuple[IntArray, IntArray]:
    sup = np.maximum(3, np.round(scale.t1_median * rng.lognormal(0, 0.45, scale.cores))).astype(np.int64)
    cus = np.maximum(2, np.round(0.7 * scale.t1_median * rng.lognormal(0, 0.45, scale.cores)))
    cus = cus.astype(np.int64)
    total = int(sup.sum() + cus.sum())
    if total > room:  # tiny worlds: shrink proportionally
        sup = np.maximum(2, sup * room // total)
        cus = np.maximum(2, cus * room // total)
    return sup, cus


def build_world(scale: Scale, seed: int) -> World:
    """Draw the organisations, who banks with us, and the planted roles."""
    rng = stream(seed, "world")
    n_corp = scale.firms
    local = rng.random(n_corp) < 0.55
    city = np.where(local, rng.integers(0, nm.LOCAL_CITIES, n_corp), rng.integers(0, len(nm.CITIES), n_corp))
    ours = rng.random(n_corp) < np.where(local, 0.74, 0.34)
    role = np.full(n_corp, BACKGROUND, dtype=np.int64)
    core_of = np.full(n_corp, -1, dtype=np.int64)

    ours_local = np.flatnonzero(ours & local)
    cores = np.sort(rng.choice(ours_local, size=scale.cores, replace=False))
    role[cores] = CORE
    rest = rng.permutation(np.flatnonzero(role == BACKGROUND))
    n_hub = max(1, (3 * scale.decoys) // 4)
    hubs, buyers = rest[:n_hub], rest[n_hub:scale.decoys]
    role[hubs], role[buyers] = HUB, BUYER
    ours[hubs[: (len(hubs) + 1) // 2]] = True
    ours[buyers] = True
    # large distributors (few makers, hundreds of retailers, more money than a core) and a payroll agent
    n_dist = max(1, scale.cores // 5)
    dists, agents = rest[scale.decoys:scale.decoys + n_dist], rest[scale.decoys + n_dist:scale.decoys + n_dist + 1]
    role[dists], role[agents] = DISTRIBUTOR, AGENT
    ours[dists], ours[agents] = True, True
    rest = rest[scale.decoys + n_dist + 1:]

    sup, cus = _tier_sizes(scale, rng, room=int(0.5 * len(rest)))
    pos = 0
    for c in range(scale.cores):
        for count, tier in ((sup[c], T1_SUP), (cus[c], T1_CUS)):
            members = rest[pos:pos + count]
            role[members], core_of[members] = tier, cores[c]
            pos += int(count)
    n_t2 = int(0.6 * pos)
    t2 = rest[pos:pos + n_t2]
    role[t2] = np.where(rng.random(len(t2)) < sup.sum() / (sup.sum() + cus.sum()), T2_SUP, T2_CUS)
    core_of[t2] = cores[rng.integers(0, len(cores), len(t2))]  # whose tier-1 firms they mostly serve

    active = np.ones(n_corp, dtype=bool)
    dormant = (role == BACKGROUND) & ours & (rng.random(n_corp) < 0.08)
    active[dormant] = False
    size = rng.lognormal(0.0, 0.6, n_corp)
    size[cores] *= 6.0
    size[dists] *= 12.0

    taken: set[str] = set()
    names = np.empty(n_corp, dtype=object)
    plain = np.flatnonzero((role != CORE) & ~np.isin(role, DECOY_ROLES))
    names[cores] = nm.firm_names(rng, city[cores], taken, forms=("集团有限公司", "股份有限公司"))
    names[hubs] = nm.firm_names(rng, city[hubs], taken, industries=_HUB_INDUSTRIES)
    names[buyers] = nm.firm_names(rng, city[buyers], taken, industries=_BUYER_INDUSTRIES)
    names[dists] = nm.firm_names(rng, city[dists], taken, industries=_DISTRIBUTOR_INDUSTRIES)
    names[agents] = nm.firm_names(rng, city[agents], taken, industries=_AGENT_INDUSTRIES)
    names[plain] = nm.firm_names(rng, city[plain], taken)

    # institutions, interbank and housing-fund customers: all ours, all local, little trade
    counts = (max(3, round(0.03 * n_corp)), max(2, round(0.004 * n_corp)), max(2, round(0.008 * n_corp)))
    extra_names: list[str] = []
    extra_kind: list[int] = []
    for kind, count in zip((INSTITUTIONAL, INTERBANK, HOUSING_FUND), counts):
        extra_names += nm.institution_names(rng, KIND_NAMES[kind], count, taken)
        extra_kind += [kind] * count
    n_extra = len(extra_names)
    return World(
        scale=scale, branches=_branches(scale, seed),
        name=tuple(str(x) for x in names) + tuple(extra_names),
        kind=np.concatenate([np.zeros(n_corp, np.int64), np.array(extra_kind, np.int64)]),
        city=np.concatenate([city, rng.integers(0, nm.LOCAL_CITIES, n_extra)]),
        ours=np.concatenate([ours, np.ones(n_extra, bool)]),
        role=np.concatenate([role, np.zeros(n_extra, np.int64)]),
        core_of=np.concatenate([core_of, np.full(n_extra, -1, np.int64)]),
        active=np.concatenate([active, np.ones(n_extra, bool)]),
        size=np.concatenate([size, rng.lognormal(0.5, 0.5, n_extra)]),
    )
