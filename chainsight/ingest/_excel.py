"""Excel workbooks (``.xlsx``, ``.xlsm``) into ``raw``: one sheet, from its header row."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from chainsight.errors import UnusableInputError
from chainsight.ingest._raw import RawRead, column, first_line


def read_excel(con: duckdb.DuckDBPyConnection, path: Path, sheet_ref: int | str,
                header_row: int) -> RawRead:
    import openpyxl  # imported here: only Excel sources pay for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a broken workbook
        raise UnusableInputError(str(path), f"cannot be read as Excel: {first_line(exc)}") from exc
    try:
        try:
            sheet = book.worksheets[sheet_ref] if isinstance(sheet_ref, int) else book[sheet_ref]
        except (IndexError, KeyError) as exc:
            raise UnusableInputError(str(path), f"no sheet {sheet_ref!r}; it has {book.sheetnames}") from exc
        rows = sheet.iter_rows(min_row=header_row, values_only=True)
        header = tuple("" if h is None else str(h).strip() for h in next(rows, ()))
        if not any(header):
            raise UnusableInputError(str(path), f"row {header_row} of the sheet is empty: expected the header")
        records: list[list[str | None]] = []
        lines: list[int] = []
        for offset, row in enumerate(rows, start=header_row + 1):
            if all(v is None or str(v).strip() == "" for v in row):
                continue
            cells = [_excel_text(v) for v in row[: len(header)]]
            records.append(cells + [None] * (len(header) - len(cells)))
            lines.append(offset)
    except UnusableInputError:
        raise
    except Exception as exc:  # a corrupt sheet fails while iterating, with openpyxl's own types
        raise UnusableInputError(str(path), f"cannot be read as Excel: {first_line(exc)}") from exc
    finally:
        book.close()
    frame = pd.DataFrame(records, columns=[f"c{i + 1}" for i in range(len(header))], dtype="object")
    frame.insert(0, "_line", lines)
    con.register("_excel", frame)
    cols = ", ".join(f"CAST({column(i)} AS VARCHAR) AS {column(i)}" for i in range(len(header)))
    con.execute(f"CREATE TEMP TABLE raw AS SELECT CAST(_line AS BIGINT) AS _line, {cols} FROM _excel")
    con.unregister("_excel")
    return RawRead(header=header)


def _excel_text(value: object) -> str | None:
    """An Excel cell as the text a user sees (whole floats without '.0', dates as ISO)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat())
    return str(value)
