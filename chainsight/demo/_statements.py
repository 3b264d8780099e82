"""Statement exports: the posting columns shared by CSV and Excel, and the GBK CSV writer.

Examples
--------
>>> mangle("a,b,c,d,e,f,g,h,i,j", 0).count(","), mangle("a,b,c,d,e,f,g,h,i,j", 1).count(",")
(10, 7)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from chainsight.demo import _memos as mm
from chainsight.demo import _text as tx
from chainsight.demo._accounts import ORG, Accounts
from chainsight.demo._defects import CODE, FileReport, apply_edits, arrange, cell_edits, plan
from chainsight.demo._layout import FileSpec, Layout

IntArray = npt.NDArray[np.int64]
CSV_HEADER = ("账号", "户名", "交易日期", "借方发生额", "贷方发生额", "对方账号", "对方户名", "对方开户行",
              "摘要", "余额")


@dataclass(frozen=True)
class Tables:
    """Account and memo texts as Arrow arrays, looked up by index for whole files at once."""

    number: pa.StringArray
    name: pa.StringArray
    bank: pa.StringArray
    memo: pa.StringArray
    org_names: tuple[str, ...]
    protected: npt.NDArray[np.bool_]   # per payment: a reversal or a reversed payment

    @staticmethod
    def of(acc: Accounts, lay: Layout, org_names: tuple[str, ...]) -> Tables:
        """Build the lookups for one run."""
        ev = lay.events
        protected = ev.klass == mm.REVERSAL
        protected[ev.orig[(ev.klass == mm.REVERSAL) & (ev.orig >= 0)]] = True
        return Tables(pa.array(acc.number, pa.string()), pa.array(acc.name, pa.string()),
                      pa.array(acc.bank, pa.string()), pa.array(list(mm.MEMOS), pa.string()),
                      org_names, protected)


@dataclass(frozen=True)
class Postings:
    """One statement file's postings before defects: texts and the facts behind them."""

    columns: dict[str, pa.Array]  # canonical statement field -> texts
    event: IntArray
    cents: IntArray
    day: IntArray
    credit: npt.NDArray[np.bool_]
    cp: IntArray                  # counterparty account


def postings(lay: Layout, acc: Accounts, t: Tables, f: int, style: str) -> Postings:
    """The postings of statement file ``f`` with dates in ``style``."""
    lo, hi = int(lay.file_start[f]), int(lay.file_start[f + 1])
    ev, acct, credit = lay.event[lo:hi], lay.acct[lo:hi], lay.credit[lo:hi]
    e = lay.events
    cp = np.where(credit, e.payer[ev], e.payee[ev])
    cents, day = e.cents[ev], e.day[ev]
    amount = tx.amount_text(cents)
    empty = pa.array([""] * len(ev), pa.string())
    credit_pa = pa.array(credit)
    cols: dict[str, pa.Array] = {
        "own_account": t.number.take(pa.array(acct)), "own_name": t.name.take(pa.array(acct)),
        "date": tx.date_text(day, style if style != "cell" else "iso"),
        "debit": pc.if_else(credit_pa, empty, amount), "credit": pc.if_else(credit_pa, amount, empty),
        "counterparty_account": t.number.take(pa.array(cp)),
        "counterparty_name": t.name.take(pa.array(cp)), "counterparty_bank": t.bank.take(pa.array(cp)),
        "memo": t.memo.take(pa.array(e.memo[ev])), "balance": tx.amount_text(lay.balance[lo:hi]),
    }
    return Postings(cols, ev, cents, day, credit, cp)


def defects_for(rng: np.random.Generator, p: Postings, acc: Accounts, t: Tables, style: str,
                currency: str, malformed: bool,
                ) -> tuple[dict[str, pa.Array], IntArray, IntArray, IntArray, list[tuple[int, str]]]:
    """Plan and apply the cell defects of one statement file (malformed lines and copies aside)."""
    n = len(p.event)
    is_org = acc.kind[p.cp] == ORG
    codes, dup, after = plan(rng, n, t.protected[p.event], np.abs(p.cents) >= 100_000, is_org, malformed)
    amount_col = ["credit" if c else "debit" for c in p.credit.tolist()]
    cp_cols = [("counterparty_account", "counterparty_name")] * n
    edits, variants = cell_edits(rng, codes, p.cents, p.day, style, amount_col, "date", cp_cols,
                                 np.where(is_org, acc.holder[p.cp], -1), t.org_names, currency)
    return apply_edits(p.columns, edits), codes, dup, after, variants


def mangle(line: str, pick: int) -> str:
    """A line with the wrong number of fields: an unquoted comma in the memo, or cut short."""
    return line + ",补录" if pick % 2 == 0 else line.rsplit(",", 2)[0]


def write_csv(out: Path, spec: FileSpec, f: int, lay: Layout, acc: Accounts, t: Tables,
              rng: np.random.Generator) -> FileReport:
    """Write one GBK statement CSV and report its rows."""
    p = postings(lay, acc, t, f, spec.date_style)
    cols, codes, dup, after, variants = defects_for(rng, p, acc, t, spec.date_style, "￥", True)
    for field in ("debit", "credit"):  # edited amounts with separators need quotes
        cols[field] = pc.if_else(pc.match_substring(cols[field], ","),
                                 pc.binary_join_element_wise('"', cols[field], '"', ""), cols[field])
    joined = pc.binary_join_element_wise(*(cols[k] for k in (
        "own_account", "own_name", "date", "debit", "credit", "counterparty_account",
        "counterparty_name", "counterparty_bank", "memo", "balance")), ",")
    lines = joined.to_pylist()
    for r in np.flatnonzero(codes == CODE["malformed_line"]).tolist():
        lines[r] = mangle(lines[r], int(rng.integers(0, 2)))
    src, copy = arrange(len(lines), dup, after)
    text = "\r\n".join([",".join(CSV_HEADER)] + [lines[i] for i in src.tolist()]) + "\r\n"
    path = out / spec.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("gbk"))
    return FileReport(spec.path, 2 + np.arange(len(src)), p.event[src],
                      np.where(copy, CODE["duplicate_row"], codes[src]), variants)
