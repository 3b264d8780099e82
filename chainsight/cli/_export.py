"""A list written out: a rich table that reads no markup, CSV, JSON, or an XLSX that Excel cannot run.

The cell rules (lists as text, no formulas) live in :mod:`chainsight.exports`, shared with the API.

Files are written to a temporary file in the same folder and renamed over the target only once
complete, so a failure (a full disk, a value openpyxl refuses) leaves no half-written export behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
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
from chainsight.exports import csv_value, readable, text, xlsx_value

Format = Literal["table", "csv", "json", "xlsx"]


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
            readable(frame, xlsx_value).to_excel(tmp, index=False, engine="openpyxl")
        out.print(f"wrote {len(frame):,} rows to {escape(str(output))}")
        return
    if fmt == "json":
        content = frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso") or ""
    else:
        content = readable(frame, csv_value).to_csv(index=False)
    if output is None:
        typer.echo(content)
    else:
        write_text(output, content)


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
