"""Readers: put one export file into a DuckDB table of text columns, with the source line of every row.

Every reader produces the same thing — a table ``raw`` whose columns are the file's header texts (all
VARCHAR) plus ``_line`` (CSV: the physical line, header = 1; Excel: the sheet row; Parquet: the 1-based
row number) — and a list of rows the reader itself could not split into fields (CSV lines with too many
or too few fields). Nothing here interprets values; that is :mod:`chainsight.ingest.clean`.

CSV files go through DuckDB's parallel reader. GBK/GB18030 files are first transcoded to UTF-8 in
streaming chunks (DuckDB reads only UTF-8 without extensions, and bank intranets cannot download one).
"""

from __future__ import annotations

import codecs
import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from chainsight.errors import UnusableInputError

_SAMPLE = 1 << 16
_CHUNK = 1 << 23
_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "gbk": "gb18030",
              "gb2312": "gb18030", "gb18030": "gb18030", "auto": "auto"}


@dataclass(frozen=True)
class MalformedLine:
    """A line the CSV parser could not split into the header's fields."""

    line: int
    text: str
    problem: str


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: the identity that makes re-ingesting an unchanged file a no-op."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def sniff_encoding(path: Path) -> str:
    """``utf-8`` or ``gb18030`` from the first 64 KiB (a UTF-8 BOM counts as UTF-8).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("账号,户名\\n".encode("gbk"))
    >>> sniff_encoding(p)
    'gb18030'
    """
    head = path.read_bytes()[:_SAMPLE] if path.stat().st_size <= _SAMPLE else _read_head(path)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise UnusableInputError(str(path), f"undecodable bytes at offset {exc.start}: neither "
                                 "UTF-8 nor GBK/GB18030; set `encoding` in the profile") from exc


def _read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_SAMPLE)


def transcode_to_utf8(path: Path, encoding: str, out: Path) -> None:
    """Stream ``path`` from ``encoding`` to UTF-8 at ``out``; undecodable bytes make the file unusable."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(_CHUNK):
            try:
                dst.write(decoder.decode(chunk))
            except UnicodeDecodeError as exc:
                raise UnusableInputError(str(path), f"undecodable {encoding} bytes at offset "
                                         f"{offset + exc.start}") from exc
            offset += len(chunk)
        try:
            dst.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            raise UnusableInputError(str(path), f"file ends inside a {encoding} character") from exc


@contextmanager
def _utf8_view(path: Path, encoding: str) -> Iterator[Path]:
    if encoding == "utf-8":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="chainsight-") as tmp:
        out = Path(tmp) / (path.stem + ".utf8.csv")
        transcode_to_utf8(path, encoding, out)
        yield out


def read_into(con: duckdb.DuckDBPyConnection, path: Path, *, encoding: str = "auto",
              delimiter: str = ",", sheet: int | str = 0, header_row: int = 1) -> list[MalformedLine]:
    """Load ``path`` into the temp table ``raw`` (text columns + ``_line``); return unsplittable lines.

    Raises :class:`UnusableInputError` for an unknown file type, undecodable bytes or an unreadable file.
    """
    suffix = path.suffix.lower()
    drop_raw(con)
    if suffix in {".csv", ".txt", ".tsv"}:
        return _read_csv(con, path, encoding, delimiter)
    if suffix in {".xlsx", ".xlsm"}:
        _read_excel(con, path, sheet, header_row)
        return []
    if suffix == ".parquet":
        _read_parquet(con, path)
        return []
    raise UnusableInputError(str(path), f"unknown file type {suffix or '(none)'!r}; "
                             "expected .csv, .txt, .tsv, .xlsx or .parquet")


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, encoding: str,
              delimiter: str) -> list[MalformedLine]:
    wanted = _ENCODINGS.get(encoding.lower())
    if wanted is None:
        raise UnusableInputError(str(path), f"unsupported encoding {encoding!r}; use auto, "
                                 "utf-8 or gbk/gb18030")
    encoding = sniff_encoding(path) if wanted == "auto" else wanted
    malformed = _scan_csv(con, path, encoding, delimiter)
    if any(m.problem == "INVALID ENCODING" for m in malformed):
        if wanted == "auto" and encoding == "utf-8":
            malformed = _scan_csv(con, path, "gb18030", delimiter)
        else:
            first = next(m for m in malformed if m.problem == "INVALID ENCODING")
            raise UnusableInputError(str(path), f"undecodable bytes on line {first.line}: not {encoding}")
    return malformed


def _scan_csv(con: duckdb.DuckDBPyConnection, path: Path, encoding: str,
              delimiter: str) -> list[MalformedLine]:
    with _utf8_view(path, encoding) as utf8:
        drop_raw(con)
        con.execute("SET preserve_insertion_order = true")
        try:
            con.execute(
                "CREATE TEMP TABLE raw AS SELECT * FROM read_csv(?, all_varchar = true, header = true, "
                "delim = ?, quote = '\"', escape = '\"', store_rejects = true, "
                "rejects_scan = 'reject_scans_cs', rejects_table = 'reject_errors_cs', "
                "auto_detect = false, columns = ?)",
                [str(utf8), delimiter, _csv_columns(con, utf8, delimiter)],
            )
        except duckdb.Error as exc:
            raise UnusableInputError(str(path), f"cannot be read as CSV: {_first_line(exc)}") from exc
        finally:
            con.execute("RESET preserve_insertion_order")
        rejected = con.execute(
            "SELECT DISTINCT line, csv_line, error_type FROM reject_errors_cs ORDER BY line").fetchall()
        con.execute("DROP TABLE IF EXISTS reject_errors_cs; DROP TABLE IF EXISTS reject_scans_cs")
    malformed = [MalformedLine(int(line), str(text), str(kind)) for line, text, kind in rejected]
    _number_csv_lines(con, [m.line for m in malformed])
    return malformed


def _csv_columns(con: duckdb.DuckDBPyConnection, path: Path, delimiter: str) -> dict[str, str]:
    """The header's fields as VARCHAR columns (duplicate or empty header names made unique)."""
    with path.open(encoding="utf-8", newline="") as fh:
        header = fh.readline().lstrip("\ufeff").rstrip("\r\n")
    names = [n.strip().strip('"') for n in header.split(delimiter)]
    seen: dict[str, int] = {}
    out: dict[str, str] = {}
    for i, name in enumerate(names):
        base = name or f"column{i}"
        seen[base] = seen.get(base, 0) + 1
        out[base if seen[base] == 1 else f"{base}_{seen[base]}"] = "VARCHAR"
    return out


def _number_csv_lines(con: duckdb.DuckDBPyConnection, rejected_lines: list[int]) -> None:
    """Give each parsed row its physical line: row order is file order, rejected lines are skipped.

    ``raw`` becomes a view over the parsed table, so 10M rows are numbered without being copied.
    """
    con.execute("ALTER TABLE raw RENAME TO raw_parsed")
    # rowids of a fresh table are contiguous in insertion (= file) order; temp tables start them high.
    first = con.execute("SELECT coalesce(min(rowid), 0) FROM raw_parsed").fetchall()[0][0]
    g = f"(rowid - {int(first)})"
    if not rejected_lines:
        con.execute(f"CREATE TEMP VIEW raw AS SELECT {g} + 2 AS _line, * FROM raw_parsed")
        return
    # The j-th rejected line r_j shifts every later row by one: a row numbered g (0-based among
    # parsed rows) sits on line g + 2 + #{j : r_j - j - 1 <= g}  (r sorted, j 1-based).
    # Consecutive rejected lines share an ``adj``: keep the largest count for each.
    shifts = sorted({r - j - 1: j for j, r in enumerate(sorted(rejected_lines), 1)}.items())
    con.execute("CREATE OR REPLACE TEMP TABLE raw_shifts (adj BIGINT, n BIGINT)")
    con.executemany("INSERT INTO raw_shifts VALUES (?, ?)", shifts)
    con.execute(f"""CREATE TEMP VIEW raw AS
        SELECT p._g + 2 + coalesce(s.n, 0) AS _line, p.* EXCLUDE (_g)
        FROM (SELECT {g} AS _g, * FROM raw_parsed) p ASOF LEFT JOIN raw_shifts s ON p._g >= s.adj""")


def drop_raw(con: duckdb.DuckDBPyConnection) -> None:
    """Drop whatever the last :func:`read_into` left (table or view, and their helpers)."""
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    if "raw" in views:
        con.execute("DROP VIEW raw")
    for name in ("raw", "raw_parsed", "raw_shifts"):
        if name in tables:
            con.execute(f"DROP TABLE {name}")


def _read_excel(con: duckdb.DuckDBPyConnection, path: Path, sheet_ref: int | str,
                header_row: int) -> None:
    import openpyxl  # imported here: only Excel sources pay for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a broken workbook
        raise UnusableInputError(str(path), f"cannot be read as Excel: {exc}") from exc
    try:
        sheet = book.worksheets[sheet_ref] if isinstance(sheet_ref, int) else book[sheet_ref]
    except (IndexError, KeyError) as exc:
        raise UnusableInputError(str(path), f"no sheet {sheet_ref!r}") from exc
    rows = sheet.iter_rows(min_row=header_row, values_only=True)
    header = [str(h).strip() if h is not None else f"column{i}" for i, h in enumerate(next(rows, ()))]
    records: list[list[str | None]] = []
    lines: list[int] = []
    for offset, row in enumerate(rows, start=header_row + 1):
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        cells = [_excel_text(v) for v in row[: len(header)]]
        records.append(cells + [None] * (len(header) - len(cells)))
        lines.append(offset)
    book.close()
    frame = pd.DataFrame(records, columns=header, dtype="object")
    frame.insert(0, "_line", lines)
    con.register("_excel", frame)
    cols = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in header)
    con.execute(f"CREATE TEMP TABLE raw AS SELECT CAST(_line AS BIGINT) AS _line, {cols} FROM _excel")
    con.unregister("_excel")


def _excel_text(value: object) -> str | None:
    """An Excel cell as the text a user sees (whole floats without '.0', dates as ISO)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat())
    return str(value)


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM parquet_schema(?) WHERE num_children IS NULL OR num_children = 0",
            [str(path)]).fetchall()]
        cols = ", ".join(f'CAST("{n}" AS VARCHAR) AS "{n}"' for n in names)
        con.execute(f"CREATE TEMP TABLE raw AS SELECT file_row_number + 1 AS _line, {cols} "
                    "FROM read_parquet(?, file_row_number = true)", [str(path)])
    except duckdb.Error as exc:
        raise UnusableInputError(str(path), f"cannot be read as Parquet: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
