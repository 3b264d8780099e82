"""Small helpers shared by the benchmarks: child-process runs, memory readings, result tables."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import psutil
from rich.console import Console
from rich.table import Table


def rss_mib() -> float:
    """Resident memory of this process now, in MiB."""
    return float(psutil.Process().memory_info().rss) / 2**20


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(argv: Sequence[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python argv...`` in a fresh process, so that its peak memory is its own.

    ``env`` is added to this process's environment. The child prints one JSON object as its
    last line of stdout; that object is returned.
    """
    proc = subprocess.run([sys.executable, *argv], capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"child {argv} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a rich table (plain text when stdout is not a terminal)."""
    table = Table(title=title)
    for col in columns:
        table.add_column(col, justify="left" if col == columns[0] else "right")
    for row in rows:
        table.add_row(*(str(v) for v in row))
    Console(width=140).print(table)
