"""The customer master: customers, their accounts and month-end balances (UTF-8 CSV with a BOM).

Examples
--------
>>> row(["CIF1", "示范", "0.00"])
'CIF1,示范,0.00'
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from chainsight.demo._accounts import Accounts
from chainsight.demo._customers import DEPOSIT_COLUMNS, Customers
from chainsight.demo._master_defects import MasterDefects
from chainsight.demo._text import plain
from chainsight.demo._world import World

CUSTOMER_COLUMNS = ("customer_id", "customer_type", "uscc", "name", "branch", "manager",
                    "credit_on_balance", "credit_off_balance", "loan_balance", *DEPOSIT_COLUMNS,
                    "ebanking", "products", "opened")
ACCOUNT_COLUMNS = ("account_no", "customer_id", "branch", "opened", "closed")
BALANCE_COLUMNS = ("customer_id", "month", "balance")


def row(fields: list[str]) -> str:
    """One CSV line; master fields never hold commas, quotes or line breaks."""
    if any(c in f for f in fields for c in ',"\r\n'):
        raise ValueError(f"field needs quoting: {fields}")
    return ",".join(fields)


def _write(path: Path, header: tuple[str, ...], rows: list[str]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join([",".join(header), *rows]) + "\r\n").encode("utf-8-sig"))
    return len(rows)


def write_master(out: Path, world: World, acc: Accounts, cust: Customers,
                 defects: MasterDefects) -> dict[str, int]:
    """Write ``master/customers.csv``, ``accounts.csv`` and ``monthly_balances.csv``; row counts.

    ``defects`` (:mod:`._master_defects`) says how each type is written, which cell is blank and which
    firms have a second record (after the first records, with the deposits moved to it)."""
    codes = world.branches.code
    moved = np.zeros_like(cust.deposits)
    moved[defects.extra_of] = defects.extra_deposits
    rows = []
    for i, org in enumerate(cust.org.tolist()):
        money = [plain(int(c)) for c in (cust.credit_on[i], cust.credit_off[i], cust.loan[i],
                                         *(cust.deposits[i] - moved[i]))]
        if defects.blank[i] >= 0:
            money[defects.blank[i]] = ""
        rows.append(row([
            cust.customer_id[i], defects.type_text[i], cust.uscc[i], world.name[org],
            codes[cust.branch[i]], cust.manager[i], *money, str(cust.ebanking[i]),
            cust.products[i], date.fromordinal(int(cust.opened[i])).isoformat(),
        ]))
    for i, cid, dep in zip(defects.extra_of.tolist(), defects.extra_id, defects.extra_deposits):
        rows.append(row([
            cid, defects.type_text[i], cust.uscc[i], world.name[cust.org[i]], codes[cust.branch[i]],
            cust.manager[i], "0.00", "0.00", "0.00", *(plain(int(c)) for c in dep), "0", "",
            date.fromordinal(int(cust.opened[i])).isoformat(),
        ]))
    counts = {"customers": _write(out / "master/customers.csv", CUSTOMER_COLUMNS, rows)}
    ours = np.flatnonzero(acc.customer)
    ours = ours[np.argsort(np.array([acc.number[i] for i in ours]), kind="stable")]
    rows = [row([
        acc.number[a], cust.customer_id[cust.of_org[acc.holder[a]]], codes[acc.branch[a]],
        date.fromordinal(int(acc.opened[a])).isoformat(),
        date.fromordinal(int(acc.closed[a])).isoformat() if acc.closed[a] else "",
    ]) for a in ours.tolist()]
    counts["accounts"] = _write(out / "master/accounts.csv", ACCOUNT_COLUMNS, rows)
    # a second record holds its part of the deposits all year (never more than the firm had)
    second = np.zeros_like(cust.monthly)
    second[defects.extra_of] = np.minimum(moved[defects.extra_of].sum(axis=1)[:, None],
                                          cust.monthly[defects.extra_of])
    rows = [f"{cid},2024-{m + 1:02d},{plain(int(cust.monthly[i, m] - second[i, m]))}"
            for i, cid in enumerate(cust.customer_id) for m in range(12)]
    rows += [f"{cid},2024-{m + 1:02d},{plain(int(second[i, m]))}"
             for i, cid in zip(defects.extra_of.tolist(), defects.extra_id) for m in range(12)]
    counts["monthly_balances"] = _write(out / "master/monthly_balances.csv", BALANCE_COLUMNS, rows)
    return counts
