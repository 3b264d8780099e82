"""Published analyses as immutable snapshot files, so a server reads while ``analyze`` writes.

DuckDB lets one process write a file *or* many read it. A server holding the staging file open would
block ``chainsight ingest`` and ``chainsight analyze``; so every local publish also writes the analysis
tables to a new file ``<db>.analysis/<stamp>.duckdb`` and then points ``<db>.analysis/CURRENT`` at it
with one atomic rename. A :class:`SnapshotStore` reads whatever ``CURRENT`` names and reopens when it
changes: the server never opens the staging file, and picks up a new analysis without a restart.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> db = pathlib.Path(tempfile.mkdtemp()) / "bank.duckdb"
>>> first = write_snapshot(db, {"cs_meta": pd.DataFrame({"meta": ['{"n": 1}']})})
>>> current_snapshot(db) == first
True
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from chainsight.errors import NotAnalysed, StoreError, StoreUnavailable
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore

#: How many published snapshots stay on disk (the current one and the one before, which a server
#: may still be reading while it switches).
KEEP = 2


def snapshot_dir(db: str | Path) -> Path:
    """The folder beside the staging file that holds its published snapshots."""
    return Path(f"{db}.analysis")


def current_snapshot(db: str | Path) -> Path | None:
    """The snapshot ``CURRENT`` names, or None when nothing was published as a snapshot yet."""
    pointer = snapshot_dir(db) / "CURRENT"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return snapshot_dir(db) / name


def write_snapshot(db: str | Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write ``tables`` to a new snapshot file, then make it CURRENT atomically; prune old ones."""
    folder = snapshot_dir(db)
    folder.mkdir(exist_ok=True)
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}-{os.getpid()}.duckdb"
    part = folder / f".{name}.part"
    con = duckdb.connect(str(part))
    try:
        for table, frame in tables.items():
            con.register("_frame", frame)
            # table names are our own cs_ constants, never data
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM _frame")
            con.unregister("_frame")
    finally:
        con.close()
    os.replace(part, folder / name)
    pointer = folder / ".CURRENT.part"
    pointer.write_text(name, encoding="utf-8")
    os.replace(pointer, folder / "CURRENT")
    for old in sorted(folder.glob("*.duckdb"))[:-KEEP]:
        if old.name != name:
            old.unlink(missing_ok=True)
    return folder / name


def snapshot_existing(db: str | Path) -> Path:
    """Publish the ``cs_`` tables already in the staging file as a snapshot (for older databases)."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise StoreUnavailable(f"cannot open {db}: {exc}") from exc
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_name LIKE 'cs\\_%' ESCAPE '\\'").fetchall()]
        if "cs_meta" not in names:
            raise NotAnalysed(f"{db} holds no analysis: run `chainsight analyze`")
        tables = {name: con.execute(f"SELECT * FROM {name}").df() for name in names}  # our own names
    finally:
        con.close()
    return write_snapshot(db, tables)


class SnapshotStore(LocalStore):
    """A read-only :class:`LocalStore` over the staging file's CURRENT snapshot, safe across threads.

    Each thread reads through its own cursor; a new CURRENT is opened on the next read, and the
    previous connection is kept until the one after so that a read in flight finishes.
    """

    def __init__(self, db: str | Path) -> None:
        super().__init__(db)
        self.db = Path(db)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._target: tuple[Path, int] | None = None
        self._generation = 0
        self._previous: duckdb.DuckDBPyConnection | None = None

    def publish(self, analysis: Analysis) -> None:
        """Refused: a server's store reads; ``chainsight analyze`` publishes."""
        raise StoreError("a snapshot store is read-only: publish with LocalStore")

    def _connect(self, write: bool = False) -> duckdb.DuckDBPyConnection:
        pointer = snapshot_dir(self.db) / "CURRENT"
        try:
            stamp = pointer.stat().st_mtime_ns
        except FileNotFoundError as exc:
            raise NotAnalysed(f"{self.db} has no published analysis: run `chainsight analyze`") from exc
        target = current_snapshot(self.db)
        assert target is not None
        if self._con is None or self._target != (target, stamp):
            try:
                con = duckdb.connect(str(target), read_only=True)
            except duckdb.Error as exc:
                raise StoreUnavailable(f"cannot open {target}: {exc}") from exc
            if self._previous is not None:
                self._previous.close()
            self._previous, self._con = self._con, con
            self._target = (target, stamp)
            self._generation += 1
        return self._con

    def _query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        with self._lock:
            con = self._connect()
            generation = self._generation
        if getattr(self._local, "generation", None) != generation:
            self._local.cursor = con.cursor()
            self._local.generation = generation
        try:
            return self._local.cursor.execute(sql, params or []).df()  # type: ignore[no-any-return]
        except duckdb.CatalogException as exc:
            raise NotAnalysed(f"{self.db} holds no analysis: run `chainsight analyze`") from exc

    def close(self) -> None:
        """Release both connections."""
        with self._lock:
            if self._previous is not None:
                self._previous.close()
                self._previous = None
            super().close()
            self._target = None
