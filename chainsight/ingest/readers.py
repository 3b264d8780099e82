"""Readers: put one export file into a DuckDB table of text columns, with the source line of every row.

Every reader produces the same thing — a temporary table or view ``raw`` with ``_line`` (CSV: the
physical line, header = 1; Excel: the sheet row; Parquet: the 1-based row number) and one VARCHAR
column per header cell, named by **position** (``c1``, ``c2`` …), never by the header's text — and a
:class:`RawRead` with the header texts as data and the records the reader itself could not split.
Header cells are data: they reach SQL only as values, so a header can neither break nor run a statement,
and a repeated header is read by position. Nothing here interprets values; that is
:mod:`chainsight.ingest.clean`.

The formats live in their own modules: :mod:`chainsight.ingest._csv` (with
:mod:`chainsight.ingest._encoding`), :mod:`chainsight.ingest._excel`, :mod:`chainsight.ingest._parquet`;
what they share in :mod:`chainsight.ingest._raw`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from chainsight.errors import UnusableInputError
from chainsight.ingest._csv import read_csv
from chainsight.ingest._encoding import WIDE
from chainsight.ingest._excel import read_excel
from chainsight.ingest._lines import LineIndex
from chainsight.ingest._parquet import read_parquet
from chainsight.ingest._raw import MalformedLine, RawRead, column, drop_raw

__all__ = ["FileState", "MalformedLine", "RawRead", "column", "drop_raw", "file_digest", "file_kind", "physical_lines",
           "quote_rejects_as_written", "read_into"]


@dataclass(frozen=True)
class FileState:
    """Size, modification time and inode: taken before hashing, compared after reading.

    A file rewritten between the two is refused, so the digest stored is the digest of what was read.
    """

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileState:
        """The state of ``path`` now."""
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns, st.st_ino)


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: the identity that makes re-ingesting an unchanged file a no-op."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def read_into(con: duckdb.DuckDBPyConnection, path: Path, *, encoding: str = "auto",
              delimiter: str = ",", sheet: int | str = 0, header_row: int = 1,
              file_format: str | None = None) -> RawRead:
    """Load ``path`` into the temp table ``raw`` (``_line`` + positional text columns).

    ``file_format`` (``csv``, ``xlsx``, ``parquet``) overrides the file's extension. Raises
    :class:`UnusableInputError` for an unknown file type, undecodable bytes or an unreadable file.
    """
    kind = file_kind(path, file_format)
    drop_raw(con)
    if not path.is_file():
        raise UnusableInputError(str(path), "is a directory, not a file" if path.is_dir() else "file not found")
    if kind == "csv":
        return read_csv(con, path, encoding, delimiter)
    if kind == "xlsx":
        return read_excel(con, path, sheet, header_row)
    if kind == "parquet":
        return read_parquet(con, path)
    raise UnusableInputError(str(path), f"unknown file type {path.suffix or '(none)'!r}; expected .csv, "
                             ".txt, .tsv, .xlsx, .xlsm or .parquet (or set `format` in the profile)")


_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
            ".parquet": "parquet"}


def file_kind(path: Path, file_format: str | None = None) -> str | None:
    """``csv``, ``xlsx`` or ``parquet``: the profile's ``format``, else by extension; None if unknown.

    >>> file_kind(Path("a.TSV")), file_kind(Path("a.asc")), file_kind(Path("a.asc"), "csv")
    ('csv', None, 'csv')
    """
    return file_format or _FORMATS.get(path.suffix.lower())


def physical_lines(path: Path, encoding: str, wanted: list[int]) -> dict[int, str]:
    """The text of the given physical lines (1-based) of ``path`` exactly as written, line break excluded.

    Line breaks are the bytes ``\\n``/``\\r``, which no character of an ASCII-compatible encoding
    (GBK/GB18030, Shift-JIS, Big5 …) contains in its multi-byte form, so
    the lines of the original file are found without decoding it.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes('h\\r\\n"甲";"1,0"\\r\\n'.encode("gbk"))
    >>> physical_lines(p, "gb18030", [2])
    {2: '"甲";"1,0"'}

    A UTF-16 file (two bytes per line break) is decoded whole and split on the same breaks instead.
    """
    if not wanted:
        return {}
    if encoding in WIDE:
        text = re.split(r"\r\n|\r|\n", path.read_bytes().decode(encoding, errors="replace").lstrip("\ufeff"))
        return {line: text[line - 1] for line in wanted if 1 <= line <= len(text)}
    lines = LineIndex.of(path)
    mm = np.memmap(path, dtype=np.uint8, mode="r")
    out = {}
    for line in wanted:
        if 1 <= line <= lines.n_lines:
            raw = mm[int(lines.starts[line - 1]):int(lines.ends[line - 1])].tobytes()
            out[line] = raw.decode(encoding, errors="replace").lstrip("\ufeff")
    del mm
    return out


def quote_rejects_as_written(con: duckdb.DuckDBPyConnection, file_id: int, path: Path, encoding: str) -> None:
    """A text file's rejects keep their physical line as written (quotes and all), not fields re-joined."""
    lines = [int(r[0]) for r in con.execute("SELECT line FROM rejects WHERE file_id = ?", [file_id]).fetchall()]
    texts = physical_lines(path, encoding, lines)
    if texts:
        con.register("_as_written", pd.DataFrame({"line": list(texts), "text": list(texts.values())}))
        con.execute("UPDATE rejects SET raw_row = w.text FROM _as_written w "
                    "WHERE rejects.file_id = ? AND rejects.line = w.line", [file_id])
        con.unregister("_as_written")
