"""Non-trade payments around our customers: payroll, owners, tax, social insurance, loans, interest,
fees, transfers between a firm's own accounts, and subsidies and tax refunds (:mod:`._government`).

About 3% of individual payroll payments carry an ambiguous memo (转账, 往来款) on purpose.

Examples
--------
>>> from chainsight.demo import _memos as mm
>>> from chainsight.demo._examples import tiny
>>> t = tiny()
>>> e = nontrade_events(t.world, t.accounts, t.customers, 7)
>>> sorted(set(e.klass.tolist())) == [*range(1, 9), mm.GOVERNMENT]
True
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from chainsight.demo import _memos as mm
from chainsight.demo._accounts import INTERNAL_KINDS, Accounts
from chainsight.demo._config import MONTH_START
from chainsight.demo._customers import Customers
from chainsight.demo._events import Events, business_day, concat, to_cents
from chainsight.demo._government import government_events
from chainsight.demo._rng import stream
from chainsight.demo._world import CORPORATE, HOUSING_FUND, World

IntArray = npt.NDArray[np.int64]
_LOAN, _DEP_INT, _LOAN_INT, _FEE, _PAYROLL = (INTERNAL_KINDS.index(k) for k in INTERNAL_KINDS)


def _weekday(rng: np.random.Generator, n: int) -> IntArray:
    """``n`` random weekdays of the year."""
    return business_day(rng, rng.integers(0, 12, n))


def _monthly(orgs: IntArray) -> tuple[IntArray, IntArray]:
    """Every (organisation, month0) pair."""
    return np.repeat(orgs, 12), np.tile(np.arange(12), len(orgs))


def _payroll(rng: np.random.Generator, world: World,
             acc: Accounts) -> tuple[list[Events], npt.NDArray[np.float64]]:
    """Wages per person and batch wages, and the wages paid per (organisation, month0)."""
    out: list[Events] = []
    firms = np.flatnonzero(acc.staff_count > 0)
    person_firm = np.repeat(firms, acc.staff_count[firms])
    person = np.concatenate([acc.staff_first[f] + np.arange(acc.staff_count[f]) for f in firms]) \
        if len(firms) else np.zeros(0, np.int64)
    salary = rng.lognormal(np.log(7000), 0.4, len(person)) * world.size[person_firm] ** 0.2
    n = len(person)
    start = np.where(rng.random(n) < 0.85, 0, rng.integers(1, 10, n))  # joined mid-year
    end = np.where(rng.random(n) < 0.85, 11, np.minimum(11, start + rng.integers(2, 10, n)))  # left
    p_idx = np.repeat(np.arange(n), 12)
    month = np.tile(np.arange(12), n)
    paid = (month >= start[p_idx]) & (month <= end[p_idx])
    p_idx, month = p_idx[paid], month[paid]
    payday = rng.uniform(0.2, 0.7, world.n)
    f = person_firm[p_idx]
    day = business_day(rng, month, payday[f], payday[f] + 0.01)
    cents = to_cents(rng, salary[p_idx] * rng.normal(1.0, 0.03, len(p_idx)))
    habit = mm.draw(rng, "payroll", world.n)
    memo = habit[f]
    odd = rng.random(len(f)) < 0.03
    memo[odd] = mm.draw(rng, "payroll_ambiguous", int(odd.sum()))
    out.append(Events.of(acc.org_first[f], person[p_idx], day, cents, memo, mm.PAYROLL))
    wage = np.zeros((world.n, 12))
    np.add.at(wage, (f, month), cents)

    batch = np.flatnonzero(acc.batch_payroll)
    o, m = _monthly(batch)
    staff = rng.lognormal(np.log(20), 0.8, world.n)
    amount = to_cents(rng, staff[o] * 7000 * rng.normal(1.0, 0.04, len(o)))
    first = acc.org_first[o]
    to = acc.internal[acc.branch[first], _PAYROLL]
    out.append(Events.of(first, to, business_day(rng, m, payday[o], payday[o] + 0.01), amount,
                         mm.draw(rng, "payroll_batch", len(o)), mm.PAYROLL))
    np.add.at(wage, (o, m), amount)
    return out, wage


def _social(rng: np.random.Generator, world: World, acc: Accounts, who: IntArray, month: IntArray,
            wage: npt.NDArray[np.float64]) -> list[Events]:
    insured = (rng.random(world.n) < 0.75)[who]
    who, month, wage = who[insured], month[insured], wage[insured]
    day = business_day(rng, month, 0.3, 0.5)
    first = acc.org_first[who]
    si = Events.of(first, acc.social[world.city[who]], day, np.round(0.3 * wage).astype(np.int64),
                   mm.draw(rng, "social", len(who)), mm.SOCIAL)
    fund = (rng.random(world.n) < 0.25)[who]
    hf = Events.of(first[fund], acc.housing[world.city[who[fund]]], day[fund],
                   np.round(0.12 * wage[fund]).astype(np.int64),
                   mm.draw(rng, "housing_fund", int(fund.sum())), mm.SOCIAL)
    return [si, hf]


def _tax(rng: np.random.Generator, world: World, acc: Accounts) -> list[Events]:
    firms = np.flatnonzero(world.ours & world.active & (world.kind == CORPORATE))
    o, m = _monthly(firms)
    monthly_vat = (rng.random(world.n) < 0.6)[o]
    quarter = m % 3 == 0
    vat = monthly_vat | quarter
    base = rng.lognormal(np.log(6000), 1.0, world.n) * world.size
    office = acc.tax[world.city]
    due = base[o[vat]] * np.where(monthly_vat[vat], 1, 3) * rng.lognormal(0, 0.3, int(vat.sum()))
    out = [Events.of(acc.org_first[o[vat]], office[o[vat]], business_day(rng, m[vat], 0.25, 0.5),
                     to_cents(rng, due), mm.draw(rng, "tax_vat", int(vat.sum())), mm.TAX)]
    inc = quarter & (rng.random(world.n) < 0.4)[o]
    out.append(Events.of(acc.org_first[o[inc]], office[o[inc]], business_day(rng, m[inc], 0.3, 0.6),
                         to_cents(rng, 2 * base[o[inc]] * rng.lognormal(0, 0.4, int(inc.sum()))),
                         mm.draw(rng, "tax_income", int(inc.sum())), mm.TAX))
    return out


def _bank(rng: np.random.Generator, world: World, acc: Accounts, cust: Customers) -> list[Events]:
    """Fees and deposit interest per account, loans and loan interest per borrower."""
    out: list[Events] = []
    accts = np.flatnonzero(acc.customer)
    org = acc.holder[accts]
    busy = world.active[org]
    k = np.where(busy, rng.poisson(4, len(accts)), 0)
    a = np.repeat(accts, k)
    out.append(Events.of(a, acc.internal[acc.branch[a], _FEE], _weekday(rng, len(a)),
                         to_cents(rng, rng.lognormal(np.log(20), 0.9, len(a))), mm.draw(rng, "fee", len(a)),
                         mm.FEE))
    c = cust.of_org[org]
    for q in (2, 5, 8, 11):
        bal = cust.monthly[c, q] / acc.org_count[org]
        cents = np.round(bal * 0.0035 / 4).astype(np.int64)
        has = cents > 0
        day = np.full(int(has.sum()), MONTH_START[q + 1] + 20)
        out.append(Events.of(acc.internal[acc.branch[accts[has]], _DEP_INT], accts[has], day,
                             cents[has], mm.draw(rng, "interest_deposit", int(has.sum())), mm.INTEREST))
    borrowers = np.flatnonzero(cust.loan > 0)
    b_org = cust.org[borrowers]
    first = acc.org_first[b_org]
    for pool, share, outgoing in (("loan_out", 0.4, False), ("loan_back", 0.35, True)):
        k = rng.integers(1, 4, len(borrowers))
        who = np.repeat(np.arange(len(borrowers)), k)
        part = cust.loan[borrowers[who]] * share * rng.uniform(0.5, 1.0, len(who))
        cents = (np.maximum(part // 1_000_000, 1) * 1_000_000).astype(np.int64)  # whole 10k yuan
        loan_acct = acc.internal[acc.branch[first[who]], _LOAN]
        src, dst = (first[who], loan_acct) if outgoing else (loan_acct, first[who])
        out.append(Events.of(src, dst, _weekday(rng, len(who)), cents, mm.draw(rng, pool, len(who)),
                             mm.LOAN))
    o, m = _monthly(np.arange(len(borrowers)))
    cents = np.round(cust.loan[borrowers[o]] * 0.04 / 12 * rng.normal(1, 0.02, len(o))).astype(np.int64)
    out.append(Events.of(first[o], acc.internal[acc.branch[first[o]], _LOAN_INT], MONTH_START[m + 1] + 19,
                         cents, mm.draw(rng, "interest_loan", len(o)), mm.INTEREST))
    return out


def _own_and_people(rng: np.random.Generator, world: World, acc: Accounts) -> list[Events]:
    """Transfers between a firm's own accounts, with owners, and into housing-fund accounts."""
    out: list[Events] = []
    multi = np.flatnonzero(world.ours & world.active & (acc.org_count >= 2))
    k = rng.integers(2, 11, len(multi))
    o = np.repeat(multi, k)
    second = acc.org_first[o] + 1 + (rng.random(len(o)) * (acc.org_count[o] - 1)).astype(np.int64)
    sweep = rng.random(len(o)) < 0.7
    src = np.where(sweep, second, acc.org_first[o])
    dst = np.where(sweep, acc.org_first[o], second)
    neutral = rng.random(len(o)) < 0.3
    memo = np.where(neutral, mm.draw(rng, "intra_neutral", len(o)),
                    mm.draw(rng, "intra_labelled", len(o)))
    amount = to_cents(rng, rng.lognormal(np.log(50_000), 1.0, len(o)) * world.size[o])
    out.append(Events.of(src, dst, _weekday(rng, len(o)), amount, memo, mm.INTRA))
    owners = np.flatnonzero(acc.owner >= 0)
    k = rng.poisson(1.5, len(owners))
    o = np.repeat(owners, k)
    pay_out = rng.random(len(o)) < 0.6
    firm, person = acc.org_first[o], acc.owner[o]
    memo = np.where(pay_out, mm.draw(rng, "individual_out", len(o)),
                    mm.draw(rng, "individual_in", len(o)))
    amount = to_cents(rng, rng.lognormal(np.log(20_000), 1.0, len(o)))
    out.append(Events.of(np.where(pay_out, firm, person), np.where(pay_out, person, firm),
                         _weekday(rng, len(o)), amount, memo, mm.INDIVIDUAL))
    funds = np.flatnonzero(world.kind == HOUSING_FUND)
    k = rng.integers(3, 15, len(funds))
    o = np.repeat(funds, k)
    people = np.flatnonzero(acc.kind == 1)
    payer = people[rng.integers(0, len(people), len(o))]
    out.append(Events.of(payer, acc.org_first[o], _weekday(rng, len(o)),
                         to_cents(rng, rng.lognormal(np.log(4000), 0.5, len(o))),
                         mm.draw(rng, "housing_in", len(o)), mm.INDIVIDUAL))
    return out


def nontrade_events(world: World, acc: Accounts, cust: Customers, seed: int) -> Events:
    """Every non-trade payment of the year (accounts are checked for being open later)."""
    rng = stream(seed, "nontrade")
    payroll, wage = _payroll(rng, world, acc)
    who, month = (x.astype(np.int64) for x in np.nonzero(wage))
    return concat(payroll + _social(rng, world, acc, who, month, wage[who, month]) + _tax(rng, world, acc)
                  + _bank(rng, world, acc, cust) + _own_and_people(rng, world, acc)
                  + [government_events(world, acc, seed)])
