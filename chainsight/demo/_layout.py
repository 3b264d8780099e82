"""Which export shows each payment: statement postings per branch and month, the Excel branch, the
Parquet payments extract; running balances; transaction ids.

A posting is one side of a payment on one of our customers' accounts at a statement branch (CSV or
Excel). A payment between two such accounts has two postings. Accounts of the Parquet branch have
no statement: every payment touching them is one Parquet row.

Examples
--------
>>> from chainsight.demo._examples import tiny
>>> from chainsight.demo._timeline import build_events
>>> t = tiny()
>>> lay = build_layout(t.world, t.accounts, build_events(*t, 7), 7)
>>> lay.files[0].path, lay.files[-2].path, lay.files[-1].path
('excel/0104_2024.xlsx', 'statements/2024-12_0102.csv', 'payments/payments_2024.parquet')
>>> bool((lay.balance >= 0).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chainsight.demo._accounts import Accounts
from chainsight.demo._config import DAY_MONTH
from chainsight.demo._events import Events, reindex
from chainsight.demo._rng import stream
from chainsight.demo._world import World

IntArray = npt.NDArray[np.int64]
PARQUET_PATH = "payments/payments_2024.parquet"


@dataclass(frozen=True)
class FileSpec:
    """One export file: where, which kind, which branch (and month for CSV), how dates look."""

    path: str
    kind: str       # csv | xlsx | parquet
    branch: int
    month: int      # 1..12 for CSV, 0 otherwise
    date_style: str  # iso | compact (CSV, Parquet) or cell (Excel date cells)


@dataclass(frozen=True)
class Layout:
    """Exported payments (txn order) and the statement postings grouped by file."""

    events: Events
    files: tuple[FileSpec, ...]   # sorted by path; the Parquet file is last
    event: IntArray               # per posting, sorted by (file, account number, payment)
    acct: IntArray
    credit: npt.NDArray[np.bool_]  # money in (贷) rather than out (借)
    balance: IntArray             # running balance after the posting, cents
    file_start: IntArray          # postings of statement file f: file_start[f]:file_start[f + 1]
    parquet: IntArray             # payments in the Parquet extract, in txn order
    dropped_accounts: int         # Excel-branch accounts left out to respect the row cap

    def txn_id(self, event: IntArray) -> list[str]:
        """Transaction ids of payments: ``T`` and the 1-based position, 9 digits."""
        return [f"T{i + 1:09d}" for i in event.tolist()]


def _number_rank(acc: Accounts) -> IntArray:
    order = sorted(range(len(acc.number)), key=acc.number.__getitem__)
    rank = np.empty(len(order), np.int64)
    rank[np.array(order, np.int64)] = np.arange(len(order))
    return rank


def build_layout(world: World, acc: Accounts, events: Events, seed: int) -> Layout:
    """Assign postings to files, cap the Excel branch, compute balances and keep exported payments."""
    rng = stream(seed, "layout")
    br = world.branches
    export = np.array([{"csv": 0, "xlsx": 1, "parquet": 2}[e] for e in br.export])
    kind_of = np.where(acc.customer & (acc.branch >= 0), export[np.maximum(acc.branch, 0)], -1)
    sides = []
    for side_acct, is_credit in ((events.payer, False), (events.payee, True)):
        idx = np.flatnonzero((kind_of[side_acct] == 0) | (kind_of[side_acct] == 1))
        sides.append((idx, side_acct[idx], np.full(len(idx), is_credit)))
    ev = np.concatenate([s[0] for s in sides])
    acct = np.concatenate([s[1] for s in sides])
    credit = np.concatenate([s[2] for s in sides])
    rank = _number_rank(acc)

    # the Excel branch: whole accounts, in account-number order, up to the row cap
    xl = kind_of[acct] == 1
    per_acct = np.bincount(acct[xl], minlength=len(acc.number))
    xl_accts = np.flatnonzero(per_acct)
    xl_accts = xl_accts[np.argsort(rank[xl_accts])]
    fits = np.cumsum(per_acct[xl_accts]) <= world.scale.excel_cap
    dropped = xl_accts[~fits]
    keep = ~np.isin(acct, dropped)
    ev, acct, credit = ev[keep], acct[keep], credit[keep]

    in_pq = (kind_of[events.payer] == 2) | (kind_of[events.payee] == 2)
    shown = in_pq | (np.bincount(ev, minlength=len(events)) > 0)
    kept = np.flatnonzero(shown)
    new = np.full(len(events), -1, np.int64)
    new[kept] = np.arange(len(kept))
    events = reindex(events, kept)
    ev = new[ev]

    # running balances: an opening balance that keeps every account at or above zero
    order = np.lexsort((ev, acct))
    ev, acct, credit = ev[order], acct[order], credit[order]
    flow = np.where(credit, events.cents[ev], -events.cents[ev])
    cum = np.cumsum(flow)
    start = np.r_[True, acct[1:] != acct[:-1]] if len(acct) else np.zeros(0, bool)
    group = np.cumsum(start) - 1
    before = (cum - flow)[start]
    cum = cum - before[group]
    low = np.minimum.reduceat(cum, np.flatnonzero(start)) if len(acct) else np.zeros(0, np.int64)
    base = np.round(rng.lognormal(np.log(3e6), 1.2, len(before))).astype(np.int64)
    balance = cum + np.maximum(0, -low)[group] + base[group]

    # files: one xlsx, CSV per (branch, month), then Parquet; sorted by path
    specs: list[FileSpec] = []
    month = DAY_MONTH[events.day[ev]]
    styles = rng.random((len(br.code), 12)) < 0.2
    for b, code in enumerate(br.code):
        if br.export[b] == "xlsx":
            specs.append(FileSpec(f"excel/{code}_2024.xlsx", "xlsx", b, 0, "cell"))
        elif br.export[b] == "csv":
            specs += [FileSpec(f"statements/2024-{m:02d}_{code}.csv", "csv", b, m,
                               "compact" if styles[b, m - 1] else "iso") for m in range(1, 13)]
    specs.sort(key=lambda s: s.path)
    index = {(s.branch, s.month): i for i, s in enumerate(specs)}
    table = np.full((len(br.code), 13), -1, np.int64)
    for (b, m), i in index.items():
        table[b, m] = i
    b_of = acc.branch[acct]
    file_of = np.where(export[b_of] == 1, table[b_of, 0], table[b_of, month])
    order = np.lexsort((ev, rank[acct], file_of))
    specs.append(FileSpec(PARQUET_PATH, "parquet", int(np.flatnonzero(export == 2)[0]), 0, "compact"))
    return Layout(
        events=events, files=tuple(specs), event=ev[order], acct=acct[order], credit=credit[order],
        balance=balance[order],
        file_start=np.searchsorted(file_of[order], np.arange(len(specs))).astype(np.int64),
        parquet=np.flatnonzero(in_pq[kept]), dropped_accounts=len(dropped),
    )
