"""The Excel statement export of one branch (openpyxl write-only), byte-identical across runs.

Clean amounts and balances are numbers and clean dates are date cells; a defective amount or date
is a text cell. Zip entry times and document properties are pinned so the file is reproducible.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from chainsight.demo._accounts import Accounts
from chainsight.demo._config import DAY_DATE
from chainsight.demo._defects import CODE, FileReport, arrange
from chainsight.demo._layout import FileSpec, Layout
from chainsight.demo._statements import Tables, defects_for, postings

XLSX_HEADER = ("本方账号", "本方户名", "交易日", "借贷标志", "发生额", "对方账户", "对方名称", "对方行名", "用途",
               "账户余额")
SHEET = "交易明细"
_PINNED = datetime(2025, 1, 1)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _pin(path: Path) -> None:
    """Rewrite the zip with fixed entry times and a fixed modification stamp (openpyxl sets it on save)."""
    with zipfile.ZipFile(path) as src:
        entries = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    entries = [(n, _MODIFIED.sub(rb"\g<1>2025-01-01T00:00:00Z\g<2>", d) if n == "docProps/core.xml" else d)
               for n, d in entries]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)


def write_xlsx(out: Path, spec: FileSpec, f: int, lay: Layout, acc: Accounts, t: Tables,
               rng: np.random.Generator) -> FileReport:
    """Write the branch's statements as one sheet (header in row 1) and report its rows."""
    p = postings(lay, acc, t, f, "iso")
    cols, codes, dup, after, variants = defects_for(rng, p, acc, t, "cell", "¥", False)
    amount = [a or c for a, c in zip(cols["debit"].to_pylist(), cols["credit"].to_pylist())]
    texts = {k: cols[k].to_pylist() for k in (
        "own_account", "own_name", "date", "counterparty_account", "counterparty_name",
        "counterparty_bank", "memo")}
    amount_edited = np.isin(codes, [CODE[k] for k in CODE if k.startswith("amount_")])
    date_edited = np.isin(codes, [CODE["date_alt_format"], CODE["date_invalid"]])
    balance = (lay.balance[int(lay.file_start[f]):int(lay.file_start[f + 1])] / 100).tolist()
    cents = (p.cents / 100).tolist()
    days: list[date] = [DAY_DATE[d] for d in p.day.tolist()]
    flag = ["贷" if c else "借" for c in p.credit.tolist()]

    wb = Workbook(write_only=True)
    wb.properties.creator = "ChainSight demo bank"
    wb.properties.created = wb.properties.modified = _PINNED
    ws = wb.create_sheet(SHEET)
    ws.append(list(XLSX_HEADER))
    src, copy = arrange(len(cents), dup, after)
    for i in src.tolist():
        ws.append([
            texts["own_account"][i], texts["own_name"][i],
            texts["date"][i] if date_edited[i] else days[i], flag[i],
            amount[i] if amount_edited[i] else cents[i], texts["counterparty_account"][i],
            texts["counterparty_name"][i], texts["counterparty_bank"][i], texts["memo"][i], balance[i],
        ])
    path = out / spec.path
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    _pin(path)
    return FileReport(spec.path, 2 + np.arange(len(src)), p.event[src],
                      np.where(copy, CODE["duplicate_row"], codes[src]), variants)
