"""Parquet files into ``raw``: every top-level column as text."""

from __future__ import annotations

from pathlib import Path

import duckdb

from chainsight.errors import UnusableInputError
from chainsight.ingest._raw import RawRead, column, first_line
from chainsight.ingest._sql import ident

_EXACT_FLOAT = 2 ** 53


def read_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> RawRead:
    """Every top-level column as text; whole floating-point values without ``.0`` or an exponent."""
    try:
        schema = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        header = tuple(str(r[0]) for r in schema)
        floats = [i for i, r in enumerate(schema) if str(r[1]) in {"DOUBLE", "FLOAT", "REAL"}]
        cols = []
        for i, name in enumerate(header):
            src = ident(name)
            if i in floats:  # 3.2010300743848e+17 would never match an account number
                cols.append(f"CASE WHEN {src} = trunc({src}) AND abs({src}) < 1e18 "
                            f"THEN CAST(CAST({src} AS HUGEINT) AS VARCHAR) ELSE CAST({src} AS VARCHAR) END "
                            f"AS {column(i)}")
            else:
                cols.append(f"CAST({src} AS VARCHAR) AS {column(i)}")
        con.execute(f"CREATE TEMP TABLE raw AS SELECT file_row_number + 1 AS _line, {', '.join(cols)} "
                    "FROM read_parquet(?, file_row_number = true)", [str(path)])
        inexact: frozenset[str] = frozenset()
        if floats:
            checks = ", ".join(f"count(*) FILTER (WHERE abs({ident(header[i])}) >= {_EXACT_FLOAT})"
                               for i in floats)
            counts = con.execute(f"SELECT {checks} FROM read_parquet(?)", [str(path)]).fetchall()[0]
            inexact = frozenset(header[i] for i, n in zip(floats, counts, strict=True) if n)
    except duckdb.Error as exc:
        raise UnusableInputError(str(path), f"cannot be read as Parquet: {first_line(exc)}") from exc
    return RawRead(header=header, inexact_columns=inexact)
