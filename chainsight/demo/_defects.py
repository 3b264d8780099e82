"""Which rows of an export get which defect, and the edited cell texts.

At most one defect per row; reversal pairs get none. A duplicate is a copy of a clean row placed
right after it or a few rows later; the copy carries the ``duplicate_row`` defect.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> n = 100_000
>>> codes, src, after = plan(rng, n, np.zeros(n, bool), np.ones(n, bool), np.ones(n, bool), True)
>>> int((codes == CODE["date_alt_format"]).sum()), len(src)
(1000, 300)
>>> bool((codes[src] == -1).all()) and bool((after >= src).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from chainsight.demo import _text as tx
from chainsight.demo._config import DEFECTS
from chainsight.demo._names import name_variants, other_names

#: one name variant in ``OTHER_NAME_EVERY`` is another name altogether (:func:`other_names`)
OTHER_NAME_EVERY = 5

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ORDER = tuple(DEFECTS)
CODE = {name: i for i, name in enumerate(ORDER)}
_AFTER = np.array([0, 0, 0, 0, 1, 2, 3, 5])


@dataclass(frozen=True)
class FileReport:
    """What one export file holds, row by row, for the ground truth."""

    file: str            # path relative to the output folder, forward slashes
    line: IntArray       # line (CSV), sheet row (xlsx) or 1-based row (parquet) of each data row
    event: IntArray      # the payment each data row shows
    defect: IntArray     # defect code per data row (index into ORDER), -1 for none
    variants: list[tuple[int, str]]  # (organisation, name variant) written in this file


def plan(rng: np.random.Generator, n: int, protected: BoolArray, big: BoolArray, cp_org: BoolArray,
         malformed: bool) -> tuple[IntArray, IntArray, IntArray]:
    """Defect codes per row (-1 none), and the duplicated rows with the row each copy follows."""
    codes = np.full(n, -1, np.int64)
    for name in ORDER:
        if name == "malformed_line" and not malformed:
            continue
        base = int(cp_org.sum()) if name == "name_variant" else n
        k = int(DEFECTS[name].rate * base + rng.random())
        ok = (codes == -1) & ~protected
        if name == "amount_thousands":
            ok &= big
        elif name == "name_variant":
            ok &= cp_org
        idx = np.flatnonzero(ok)
        if k and len(idx):
            codes[rng.choice(idx, size=min(k, len(idx)), replace=False)] = CODE[name]
    dup = np.flatnonzero(codes == CODE["duplicate_row"])
    codes[dup] = -1
    after = np.minimum(dup + _AFTER[rng.integers(0, len(_AFTER), len(dup))], max(n - 1, 0))
    return codes, dup, after


def arrange(n: int, dup: IntArray, after: IntArray) -> tuple[IntArray, BoolArray]:
    """Final row order: the source row of each output row and whether it is a copy."""
    pos = np.concatenate([np.arange(n), after])
    sub = np.concatenate([np.zeros(n, np.int64), 1 + np.arange(len(dup))])
    order = np.lexsort((sub, pos))
    src = np.concatenate([np.arange(n), dup])[order]
    copy = np.concatenate([np.zeros(n, bool), np.ones(len(dup), bool)])[order]
    return src, copy


Edits = dict[str, dict[int, str]]


def cell_edits(rng: np.random.Generator, codes: IntArray, cents: IntArray, day: IntArray, style: str,
               amount_col: list[str], date_col: str, cp_cols: list[tuple[str, str]], cp_org: IntArray,
               org_names: tuple[str, ...], currency: str) -> tuple[Edits, list[tuple[int, str]]]:
    """New texts of the cells that a row's defect touches (malformed lines and duplicates aside).

    ``amount_col[i]`` names row i's amount column, ``cp_cols[i]`` its counterparty (account, name)
    columns and ``cp_org[i]`` the counterparty organisation (-1 for people and offices).
    """
    edits: Edits = {}
    variants: list[tuple[int, str]] = []
    rows = np.flatnonzero(codes >= 0)
    picks = rng.integers(0, 1 << 30, len(rows))
    for r, pick in zip(rows.tolist(), picks.tolist()):
        name = ORDER[codes[r]]
        c = int(cents[r])
        if name.startswith("amount_"):
            text = {"amount_thousands": tx.thousands(c),
                    "amount_currency": currency + (tx.thousands(c) if abs(c) >= 100_000 else tx.plain(c)),
                    "amount_fullwidth": tx.fullwidth(tx.plain(c)),
                    "amount_invalid": tx.bad_amount(c, pick)}[name]
            edits.setdefault(amount_col[r], {})[r] = text
        elif name == "date_alt_format":
            edits.setdefault(date_col, {})[r] = tx.alt_date(int(day[r]), style, pick)
        elif name == "date_invalid":
            edits.setdefault(date_col, {})[r] = tx.bad_date(int(day[r]), style, pick)
        elif name == "missing_counterparty":
            for col in cp_cols[r]:
                edits.setdefault(col, {})[r] = ""
        elif name == "name_variant":
            org = int(cp_org[r])
            other = pick % OTHER_NAME_EVERY == 0
            options = (other and other_names(org_names[org])) or name_variants(org_names[org])
            variant = options[(pick // OTHER_NAME_EVERY) % len(options)]
            edits.setdefault(cp_cols[r][1], {})[r] = variant
            variants.append((org, variant))
    return edits, variants


def apply_edits(columns: dict[str, pa.Array], edits: Edits) -> dict[str, pa.Array]:
    """The columns with the edited cells replaced."""
    out = dict(columns)
    for col, cells in edits.items():
        pos = np.array(sorted(cells), dtype=np.int64)
        mask = np.zeros(len(columns[col]), bool)
        mask[pos] = True
        out[col] = pc.replace_with_mask(columns[col], pa.array(mask),
                                        pa.array([cells[p] for p in pos.tolist()], pa.string()))
    return out
