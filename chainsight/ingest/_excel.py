"""Excel sheets into ``raw`` through calamine (Rust): the sheet's cells as the text a user sees.

``python-calamine`` parses the workbook in Rust and hands back one list per sheet row from ``A1``
(``skip_empty_area=False``, so a row's index is its sheet row); only the conversion of each cell to
text runs in Python, one column at a time, with the common cases (all text, all numbers) taken in
bulk. openpyxl is still what ChainSight *writes* Excel with; it no longer reads it.

Examples
--------
>>> import datetime
>>> excel_texts(["a", "", 3.0, 2.5, datetime.date(2024, 1, 9), True])
['a', None, '3', '2.5', '2024-01-09', 'True']
>>> excel_texts([1e15, 12.0])
['1000000000000000.0', '12']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chainsight.errors import UnusableInputError
from chainsight.ingest._raw import RawRead, first_line
from chainsight.ingest._sql import ident

_WHOLE = 1e15


def read_excel(con: duckdb.DuckDBPyConnection, path: Path, sheet_ref: int | str,
               header_row: int) -> RawRead:
    """Load a sheet into the temp table ``raw`` (``_line`` = sheet row) and say what its header is.

    Rows with no visible text are skipped (their sheet rows simply do not appear).
    """
    import python_calamine as calamine  # imported here: only Excel sources pay for it

    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own and zip/XML errors for a broken workbook
        raise UnusableInputError(str(path), f"cannot be read as Excel: {first_line(exc)}") from exc
    try:
        try:
            sheet = (book.get_sheet_by_index(sheet_ref) if isinstance(sheet_ref, int)
                     else book.get_sheet_by_name(sheet_ref))
        except (IndexError, calamine.WorksheetNotFound) as exc:
            raise UnusableInputError(str(path), f"no sheet {sheet_ref!r}; it has {book.sheet_names}") from exc
        rows = sheet.to_python(skip_empty_area=False)
    except UnusableInputError:
        raise
    except Exception as exc:  # a corrupt sheet fails while parsing
        raise UnusableInputError(str(path), f"cannot be read as Excel: {first_line(exc)}") from exc
    finally:
        book.close()
    first = rows[header_row - 1] if len(rows) >= header_row else []
    header = tuple("" if h is None else str(h).strip() for h in first)
    if not any(header):
        raise UnusableInputError(str(path), f"row {header_row} of the sheet is empty: expected the header")
    body = rows[header_row:]
    width = len(header)
    columns = [excel_texts([r[i] if i < len(r) else None for r in body]) for i in range(width)]
    blank = np.ones(len(body), dtype=bool)
    for c in columns:
        blank &= np.fromiter((not (t and t.strip()) for t in c), dtype=bool, count=len(c))
    keep = pa.array(np.flatnonzero(~blank))
    table = pa.table({"_line": pc.add(keep, header_row + 1).cast(pa.int64()),
                      **{f"c{i + 1}": pa.array(c, pa.string()).take(keep) for i, c in enumerate(columns)}})
    con.register("_excel", table)
    try:
        cols = ", ".join(ident(f"c{i + 1}") for i in range(width))
        con.execute(f"CREATE TEMP TABLE raw AS SELECT _line, {cols} FROM _excel")
    finally:
        con.unregister("_excel")
    return RawRead(header=header)


def excel_texts(values: Sequence[object]) -> list[str | None]:
    """A column of cells as text: whole floats without ``.0``, dates as ISO, empty cells as None."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return [v or None for v in values]  # type: ignore[misc]
    return [_text(v) for v in values]


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < _WHOLE:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat(sep=" ") if hasattr(value, "hour") and hasattr(value, "day")
                   else value.isoformat())
    return str(value)

