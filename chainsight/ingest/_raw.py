"""What every reader leaves behind: the ``raw`` table of positional text columns and its :class:`RawRead`.

>>> column(2)
'"c3"'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from chainsight.ingest._sql import ident


@dataclass(frozen=True)
class MalformedLine:
    """A physical line the CSV parser could not split into the header's fields."""

    line: int
    text: str
    problem: str
    reason: str = "malformed_line"


@dataclass(frozen=True)
class RawRead:
    """What a reader left in ``raw``: the header texts (by position) and the unsplittable records."""

    header: tuple[str, ...]
    malformed: list[MalformedLine] = field(default_factory=list)
    #: header texts of floating-point Parquet columns holding values too large to be exact integers
    inexact_columns: frozenset[str] = frozenset()
    #: for a text file, the encoding it was read in (so a reject can quote its line as written)
    encoding: str | None = None


def column(position: int) -> str:
    """The quoted ``raw`` column of the header cell at 0-based ``position``.

    >>> column(0)
    '"c1"'
    """
    return ident(f"c{position + 1}")


def drop_raw(con: duckdb.DuckDBPyConnection) -> None:
    """Drop whatever the last :func:`read_into` left (table or view, and their helpers)."""
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    if "raw" in views:
        con.execute("DROP VIEW raw")
    for name in ("raw", "raw_parsed", "raw_shifts"):
        if name in tables:
            con.execute(f"DROP TABLE {ident(name)}")


def quietly(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run a clean-up statement; after an aborted statement its own failure must not hide the first."""
    try:
        con.execute(sql)
    except duckdb.Error:
        pass


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__

