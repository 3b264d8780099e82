"""A list written out: a rich table that reads no markup, CSV, JSON, or an XLSX that Excel cannot run.

Files are written to a temporary file in the same folder and renamed over the target only once
complete, so a failure (a full disk, a value openpyxl refuses) leaves no half-written export behind.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from chainsight.cli._console import out
from chainsight.errors import ConfigError

Format = Literal["table", "csv", "json", "xlsx"]

# What the XML inside an XLSX cannot hold (openpyxl raises IllegalCharacterError on these).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A text cell starting with one of these is read as a formula by spreadsheet programs (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text(value: object) -> str:
    """A value as a person reads it: lists ``、``-joined, mappings as JSON, missing as empty.

    Examples
    --------
    >>> text(["企业网银", "结算套餐"]), text({"a": 1}), text(None), text(float("nan")), text(pd.NA)
    ('企业网银、结算套餐', '{"a": 1}', '', '', '')
    """
    if isinstance(value, (list, tuple)):
        return "、".join(map(text, value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def xlsx_value(value: object) -> object:
    """A value as an XLSX cell can safely hold it: no control characters, no formula, lists as text.

    Examples
    --------
    >>> xlsx_value("=HYPERLINK(\\"http://x\\")"), xlsx_value("a\\x00b"), xlsx_value(["x", "y"]), xlsx_value(-3)
    ('\\'=HYPERLINK("http://x")', 'ab', 'x、y', -3)
    """
    if isinstance(value, (list, tuple, dict)):
        value = text(value)
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        if value.startswith(_FORMULA_START):
            value = "'" + value
    return value


def writable(path: Path | None) -> Path | None:
    """A typer callback: refuse an output file in a missing folder, or a folder, before any work.

    A missing folder is not created: a typo in a path should not leave folders behind.
    """
    if path is None:
        return None
    if path.is_dir():
        raise typer.BadParameter(f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise typer.BadParameter(f"the folder {path.parent} does not exist")
    return path


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces ``path`` only if the block succeeds.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text(), [p.name for p in target.parent.iterdir()]
    ('done', ['out.txt'])
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` as UTF-8, all or nothing."""
    with atomic(path) as tmp:
        tmp.write_text(content, encoding="utf-8")


def emit(frame: pd.DataFrame, fmt: Format, output: Path | None, title: str, columns: list[str]) -> None:
    """Write ``frame`` in ``fmt`` to ``output`` (or stdout; xlsx needs a file; a table shows ``columns``)."""
    if fmt == "table":
        out.print(table(frame, title, columns))
        return
    if fmt == "xlsx":
        if output is None:
            raise ConfigError("--format xlsx needs --output FILE.xlsx")
        with atomic(output) as tmp:
            _readable(frame, xlsx_value).to_excel(tmp, index=False, engine="openpyxl")
        out.print(f"wrote {len(frame):,} rows to {escape(str(output))}")
        return
    if fmt == "json":
        content = frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso") or ""
    else:
        content = _readable(frame, text).to_csv(index=False)
    if output is None:
        typer.echo(content)
    else:
        write_text(output, content)


def _readable(frame: pd.DataFrame, cell: Callable[[object], object]) -> pd.DataFrame:
    """``frame`` with every text column passed through ``cell`` (lists and mappings become text)."""
    texts = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    return frame.assign(**{str(c): frame[c].map(cell) for c in texts})


def table(frame: pd.DataFrame, title: str, columns: list[str]) -> Table:
    """A rich table of ``columns`` whose title and cells are literal text, never markup."""
    grid = Table(title=Text(title))
    for col in columns:
        grid.add_column(col, overflow="fold")
    for row in frame[columns].itertuples(index=False):
        grid.add_row(*(Text(_cell(v)) for v in row))
    return grid


def _cell(value: object) -> str:
    if isinstance(value, float) and value == value:
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    return text(value)
