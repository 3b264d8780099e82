'''The one place where text from the data meets SQL text.

Header cells, column names, table names and file names come from bank exports: they are data, never
code. Values always travel as parameters (``?``); the few places where a *name* must appear in SQL text
quote it through :func:`ident`, and constant text that must be inlined (keyword lists, a delimiter)
goes through :func:`literal`. Nothing else in ChainSight builds SQL from data.

Examples
--------
>>> ident('备注"内部"')
'"备注""内部"""'
>>> ident('x"; DROP TABLE flows; --')
'"x""; DROP TABLE flows; --"'
>>> literal("it's")
"'it''s'"
>>> import duckdb
>>> con = duckdb.connect()
>>> _ = con.execute("CREATE TABLE t (" + ident('a"b') + " VARCHAR)")
>>> con.execute("SELECT name FROM pragma_table_info('t')").fetchone()[0]
'a"b'
'''

from __future__ import annotations


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier: inner double quotes doubled, NUL refused.

    Raises
    ------
    ValueError
        When ``name`` holds a NUL character, which no SQL identifier can.
    """
    if "\x00" in name:
        raise ValueError("an identifier cannot contain a NUL character")
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """``text`` as a SQL string literal (single quotes doubled), for constants that cannot be parameters.

    Raises
    ------
    ValueError
        When ``text`` holds a NUL character.
    """
    if "\x00" in text:
        raise ValueError("a string literal cannot contain a NUL character")
    return "'" + text.replace("'", "''") + "'"
