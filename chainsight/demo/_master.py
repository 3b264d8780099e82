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
from chainsight.demo._text import plain
from chainsight.demo._world import KIND_NAMES, World

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


def write_master(out: Path, world: World, acc: Accounts, cust: Customers) -> dict[str, int]:
    """Write ``master/customers.csv``, ``accounts.csv`` and ``monthly_balances.csv``; row counts."""
    codes = world.branches.code
    rows = []
    for i, org in enumerate(cust.org.tolist()):
        dep = [plain(int(c)) for c in cust.deposits[i]]
        rows.append(row([
            cust.customer_id[i], KIND_NAMES[world.kind[org]], cust.uscc[i], world.name[org],
            codes[cust.branch[i]], cust.manager[i], plain(int(cust.credit_on[i])),
            plain(int(cust.credit_off[i])), plain(int(cust.loan[i])), *dep, str(cust.ebanking[i]),
            cust.products[i], date.fromordinal(int(cust.opened[i])).isoformat(),
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
    rows = [f"{cid},2024-{m + 1:02d},{plain(int(cust.monthly[i, m]))}"
            for i, cid in enumerate(cust.customer_id) for m in range(12)]
    counts["monthly_balances"] = _write(out / "master/monthly_balances.csv", BALANCE_COLUMNS, rows)
    return counts
