"""The Parquet payments extract of one branch: one row per payment, every column a string."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from chainsight.demo import _text as tx
from chainsight.demo._accounts import ORG, Accounts
from chainsight.demo._defects import CODE, FileReport, apply_edits, arrange, cell_edits, plan
from chainsight.demo._layout import FileSpec, Layout
from chainsight.demo._statements import Tables

PARQUET_COLUMNS = ("付款人账号", "付款人名称", "付款人开户行", "收款人账号", "收款人名称", "收款人开户行", "金额",
                   "交易日期", "附言", "交易流水号")


def write_parquet(out: Path, spec: FileSpec, lay: Layout, acc: Accounts, t: Tables,
                  rng: np.random.Generator) -> FileReport:
    """Write every payment touching the branch's accounts; the counterparty side gets the defects."""
    ev = lay.parquet
    e = lay.events
    payer, payee = e.payer[ev], e.payee[ev]
    here = acc.customer & (acc.branch == spec.branch)
    cp_is_payer = here[payee] & ~here[payer]
    cp = np.where(cp_is_payer, payer, payee)
    cents, day = e.cents[ev], e.day[ev]
    dates = tx.date_text(day, spec.date_style)
    serial = pc.binary_join_element_wise(dates, pa.array([f"{i + 1:010d}" for i in ev.tolist()]), "")
    cols: dict[str, pa.Array] = {
        "付款人账号": t.number.take(pa.array(payer)), "付款人名称": t.name.take(pa.array(payer)),
        "付款人开户行": t.bank.take(pa.array(payer)), "收款人账号": t.number.take(pa.array(payee)),
        "收款人名称": t.name.take(pa.array(payee)), "收款人开户行": t.bank.take(pa.array(payee)),
        "金额": tx.amount_text(cents), "交易日期": dates, "附言": t.memo.take(pa.array(e.memo[ev])),
        "交易流水号": serial,
    }
    is_org = acc.kind[cp] == ORG
    codes, dup, after = plan(rng, len(ev), t.protected[ev], np.abs(cents) >= 100_000, is_org, False)
    sides = [("付款人账号", "付款人名称") if c else ("收款人账号", "收款人名称") for c in cp_is_payer.tolist()]
    edits, variants = cell_edits(rng, codes, cents, day, spec.date_style, ["金额"] * len(ev), "交易日期",
                                 sides, np.where(is_org, acc.holder[cp], -1), t.org_names, "¥")
    cols = apply_edits(cols, edits)
    src, copy = arrange(len(ev), dup, after)
    table = pa.table({k: cols[k].take(pa.array(src)) for k in PARQUET_COLUMNS})
    path = out / spec.path
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="snappy")
    return FileReport(spec.path, 1 + np.arange(len(src)), ev[src],
                      np.where(copy, CODE["duplicate_row"], codes[src]), variants)
