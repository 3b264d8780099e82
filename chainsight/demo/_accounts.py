"""Every account in the demo world: ours, other banks', people's, public offices' and our bank's own.

One table indexed by account number position; an organisation's accounts are a contiguous block
(``org_first[o]`` .. ``org_first[o] + org_count[o] - 1``, the first is its primary account).

Examples
--------
>>> from chainsight.demo._config import SCALES
>>> from chainsight.demo._world import build_world
>>> acc = build_accounts(build_world(SCALES["tiny"], 7), 7)
>>> len(set(acc.number)) == len(acc.number)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from chainsight.demo import _names as nm
from chainsight.demo._config import DAYS
from chainsight.demo._ids import account_numbers
from chainsight.demo._rng import stream
from chainsight.demo._world import CORE, CORPORATE, DECOY_ROLES, World

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ORG, PERSON, GOV, INTERNAL = 0, 1, 2, 3
#: our bank's own accounts, one of each per branch: (kind, holder name)
INTERNAL_KINDS = ("loan", "deposit_interest", "loan_interest", "fee", "payroll")
_INTERNAL_NAMES = ("示范银行贷款账户", "示范银行存款利息支出户", "示范银行贷款利息收入户",
                   "示范银行手续费收入户", "示范银行代发工资过渡户")
_DAY0 = date(2024, 1, 1).toordinal()
_FIRST_OPEN = date(1998, 1, 1).toordinal()


@dataclass(frozen=True)
class Accounts:
    """The account table, the people of the world and who employs whom."""

    number: list[str]
    name: list[str]            # holder's canonical name
    bank: list[str]            # branch of the holder's bank, as counterparty banks are written
    kind: IntArray             # ORG, PERSON, GOV, INTERNAL
    holder: IntArray           # organisation or person index, else -1
    branch: IntArray           # our branch for our customers' accounts and our own, else -1
    customer: BoolArray        # an account of one of our customers (has a statement)
    opened: IntArray           # date ordinal
    closed: IntArray           # date ordinal, 0 while open
    org_first: IntArray
    org_count: IntArray
    owner: IntArray            # per organisation: its owner's person account, else -1
    staff_first: IntArray      # per organisation: first employee person account (paid one by one)
    staff_count: IntArray
    batch_payroll: BoolArray   # per organisation: pays wages through our payroll account
    tax: IntArray              # per city: tax office account
    social: IntArray           # per city: social insurance agency account
    housing: IntArray          # per city: housing fund centre account
    grants: IntArray           # (city, 2): the finance bureau's and the industry bureau's accounts
    internal: IntArray         # (branch, len(INTERNAL_KINDS)) our own accounts

    def open_mask(self, acct: IntArray, day: IntArray) -> BoolArray:
        """Whether each account is open on each day index."""
        d = day + _DAY0
        closed = self.closed[acct]
        return np.asarray((self.opened[acct] <= d) & ((closed == 0) | (d < closed)), dtype=np.bool_)


class _Table:
    def __init__(self) -> None:
        self.cols: dict[str, list[object]] = {k: [] for k in (
            "number", "name", "bank", "kind", "holder", "branch", "customer", "opened", "closed")}

    def add(self, numbers: list[str], names: list[str], banks: list[str], kind: int,
            holder: IntArray, branch: IntArray, customer: bool, opened: IntArray,
            closed: IntArray) -> int:
        first = len(self.cols["number"])
        self.cols["number"] += numbers
        self.cols["name"] += names
        self.cols["bank"] += banks
        self.cols["kind"] += [kind] * len(numbers)
        self.cols["holder"] += holder.tolist()
        self.cols["branch"] += branch.tolist()
        self.cols["customer"] += [customer] * len(numbers)
        self.cols["opened"] += opened.tolist()
        self.cols["closed"] += closed.tolist()
        return first


def _other_bank(rng: np.random.Generator, city: IntArray) -> list[str]:
    bank = rng.integers(0, len(nm.OTHER_BANKS), len(city))
    place = rng.integers(0, len(nm.PLACES), len(city))
    return [nm.bank_branch(nm.OTHER_BANKS[bank[i]], nm.CITIES[city[i]][0], nm.PLACES[place[i]])
            for i in range(len(city))]


def _numbers(rng: np.random.Generator, banks: list[str]) -> list[str]:
    """Account numbers whose prefix and length follow the bank (distinct across banks)."""
    out = [""] * len(banks)
    for b, bank in enumerate(nm.OTHER_BANKS):
        idx = [i for i, s in enumerate(banks) if s.startswith(bank)]
        nums = account_numbers(rng, str(41 + 3 * b), 16 + b % 5, len(idx))
        for i, v in zip(idx, nums):
            out[i] = v
    return out


def build_accounts(world: World, seed: int) -> Accounts:
    """Open accounts for every organisation, person, public office and our bank's own books."""
    rng = stream(seed, "accounts")
    br = world.branches
    t = _Table()
    n = world.n
    usable = np.array([e != "xlsx" for e in br.export])
    home = rng.choice(len(br.code), size=n, p=br.weight)
    big = (world.role == CORE) | np.isin(world.role, DECOY_ROLES)
    safe = rng.choice(np.flatnonzero(usable), size=n, p=br.weight[usable] / br.weight[usable].sum())
    home = np.where(big, safe, home)
    count = np.where(world.role == CORE, 3, rng.choice([1, 2, 3], size=n, p=[0.65, 0.25, 0.10]))
    count = np.where(world.ours, count, 1)
    recent = rng.random(n) < 0.08
    first_open = np.where(recent & ~big, _DAY0 + rng.integers(0, 330, n),
                          rng.integers(_FIRST_OPEN, _DAY0 - 30, n))
    org_first = np.full(n, -1, np.int64)
    ours = np.flatnonzero(world.ours)
    # our customers' accounts, grouped per organisation
    o = np.repeat(ours, count[ours])
    seq = np.arange(len(o)) - np.repeat(np.cumsum(count[ours]) - count[ours], count[ours])
    moved = (seq > 0) & (rng.random(len(o)) < 0.12)
    branch = np.where(moved, rng.choice(len(br.code), size=len(o), p=br.weight), home[o])
    opened = np.where(seq == 0, first_open[o],
                      first_open[o] + (rng.random(len(o)) * (_DAY0 + 330 - first_open[o])).astype(np.int64))
    closed = np.where((seq > 0) & (rng.random(len(o)) < 0.03),
                      np.maximum(opened, _DAY0) + rng.integers(60, 300, len(o)), 0)
    closed = np.where(closed >= _DAY0 + DAYS, 0, closed)
    numbers = [""] * len(o)
    for b, code in enumerate(br.code):
        idx = np.flatnonzero(branch == b)
        for i, v in zip(idx.tolist(), account_numbers(rng, "32" + code, 18, len(idx))):
            numbers[i] = v
    start = t.add(numbers, [world.name[i] for i in o], [br.name[b] for b in branch], ORG, o, branch,
                  True, opened, closed)
    org_first[ours] = start + np.cumsum(count[ours]) - count[ours]
    # other banks' customers: one account each
    theirs = np.flatnonzero(~world.ours)
    banks = _other_bank(rng, world.city[theirs])
    nt = len(theirs)
    start = t.add(_numbers(rng, banks), [world.name[i] for i in theirs], banks, ORG, theirs,
                  np.full(nt, -1), False, np.full(nt, _FIRST_OPEN), np.zeros(nt, np.int64))
    org_first[theirs] = start + np.arange(nt)

    # people: an owner per active corporate customer, staff paid one by one for some employers
    payer = world.ours & world.active & (world.kind <= 1)
    owner = np.full(n, -1, np.int64)
    mode = np.where(payer, rng.choice(3, size=n, p=[0.2, 0.45, 0.35]), 0)
    staff_n = np.where(mode == 1, rng.integers(1, 4, n), 0)
    has_owner = payer & (world.kind == CORPORATE)
    people = int(has_owner.sum() + staff_n.sum())
    holder_org = np.concatenate([np.flatnonzero(has_owner), np.repeat(np.arange(n), staff_n)])
    at_us = rng.random(people) < 0.3
    pbank = [br.name[home[holder_org[i]]] if at_us[i] else "" for i in range(people)]
    others = [i for i in range(people) if not at_us[i]]
    for i, text in zip(others, _other_bank(rng, world.city[holder_org[others]])):
        pbank[i] = text
    pnum = account_numbers(rng, "62", 19, people)
    start = t.add(pnum, nm.person_names(rng, people), pbank, PERSON, np.arange(people),
                  np.full(people, -1), False, np.full(people, _FIRST_OPEN), np.zeros(people, np.int64))
    n_owner = int(has_owner.sum())
    owner[has_owner] = start + np.arange(n_owner)
    staff_first = np.where(staff_n > 0, start + n_owner + np.cumsum(staff_n) - staff_n, -1)

    # public offices per city, our own accounts per branch
    cities = [c for c, _ in nm.CITIES]
    nc = len(cities)
    offices: list[IntArray] = []
    for prefix, namer, bank in (("27", nm.tax_office, "国家金库{c}市中心支库"),
                                ("28", nm.social_insurance_office, "中国建设银行{c}分行营业部"),
                                ("29", nm.housing_fund_office, "中国工商银行{c}分行营业部"),
                                ("30", nm.finance_bureau, "国家金库{c}市中心支库"),
                                ("31", nm.industry_bureau, "中国农业银行{c}分行营业部")):
        first = t.add(account_numbers(rng, prefix, 17, nc), [namer(c) for c in cities],
                  [bank.format(c=c) for c in cities], GOV, np.full(nc, -1), np.full(nc, -1), False,
                  np.full(nc, _FIRST_OPEN), np.zeros(nc, np.int64))
        offices.append(first + np.arange(nc))
    nb, nk = len(br.code), len(INTERNAL_KINDS)
    inum = [f"9{code}{k + 1:02d}0000001" for code in br.code for k in range(nk)]
    own = t.add(inum, [_INTERNAL_NAMES[k] for _ in br.code for k in range(nk)],
              [b for b in br.name for _ in range(nk)], INTERNAL, np.full(nb * nk, -1),
              np.repeat(np.arange(nb), nk), False, np.full(nb * nk, _FIRST_OPEN), np.zeros(nb * nk, np.int64))
    c = t.cols
    return Accounts(
        number=[str(x) for x in c["number"]], name=[str(x) for x in c["name"]],
        bank=[str(x) for x in c["bank"]],
        kind=np.array(c["kind"], np.int64), holder=np.array(c["holder"], np.int64),
        branch=np.array(c["branch"], np.int64), customer=np.array(c["customer"], bool),
        opened=np.array(c["opened"], np.int64), closed=np.array(c["closed"], np.int64),
        org_first=org_first, org_count=count, owner=owner,
        staff_first=staff_first.astype(np.int64), staff_count=staff_n.astype(np.int64),
        batch_payroll=mode == 2, tax=offices[0], social=offices[1], housing=offices[2],
        grants=np.stack([offices[3], offices[4]], axis=1),
        internal=(own + np.arange(nb * nk)).reshape(nb, nk),
    )
