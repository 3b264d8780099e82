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

import copy
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from chainsight.errors import NotAnalysed, StoreError, StoreUnavailable
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore
from chainsight.graph.stores.protocol import Chain, Leakage, Page, ProspectFilter, Scope

#: How many published snapshots stay on disk (the current one and the one before, which a server
#: may still be reading while it switches).
KEEP = 2
#: How many answers a :class:`SnapshotStore` remembers per snapshot (least recently used go first).
MEMO_ENTRIES = 2048
T = TypeVar("T")


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

    A snapshot never changes, so the answers of the list reads (summary, cores, chain, prospects,
    leakage, alerts) are remembered per snapshot — keyed by every argument, the access rule's
    :class:`~chainsight.graph.stores.protocol.Scope` included — and forgotten when CURRENT moves:
    a repeated read costs one ``stat`` of CURRENT. Each caller gets its own copy of the frames.
    """

    def __init__(self, db: str | Path) -> None:
        super().__init__(db)
        self.db = Path(db)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._target: tuple[Path, int] | None = None
        self._generation = 0
        self._previous: duckdb.DuckDBPyConnection | None = None
        self._memo: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._memo_generation = -1

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
            self._memo.clear()

    def version(self) -> int:
        """Which snapshot is read: a number that changes when a new analysis is published (one ``stat``)."""
        with self._lock:
            self._connect()
            return self._generation

    # -- remembered reads (one snapshot never changes) -----------------------------------------
    def _remembered(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        with self._lock:
            self._connect()  # a moved CURRENT opens the new snapshot: a new generation
            generation = self._generation
            if self._memo_generation != generation:
                self._memo.clear()
                self._memo_generation = generation
            hit = self._memo.get(key)
            if hit is not None:
                self._memo.move_to_end(key)
        if hit is None:
            hit = compute()
            with self._lock:
                if self._memo_generation == generation == self._generation:
                    self._memo[key] = hit
                    while len(self._memo) > MEMO_ENTRIES:
                        self._memo.popitem(last=False)
        return _own_copy(hit)

    def summary(self) -> dict[str, Any]:
        """The published analysis' metadata, or ``{"analysed": False}`` (not remembered then)."""
        try:
            return self._remembered(("summary",), self._analysed_summary)
        except (NotAnalysed, StoreUnavailable):
            return {"analysed": False}

    def _analysed_summary(self) -> dict[str, Any]:
        found = super().summary()
        if not found.get("analysed"):
            raise NotAnalysed(f"{self.db} has no published analysis")
        return found

    def cores(self, *, skip: int = 0, limit: int | None = None) -> Page:
        """Cores, best first (remembered per snapshot)."""
        return self._remembered(("cores", skip, limit), lambda: super(SnapshotStore, self).cores(
            skip=skip, limit=limit))

    def chain(self, core_id: str, depth: int = 2) -> Chain:
        """The core's chain up to ``depth`` (remembered per snapshot)."""
        return self._remembered(("chain", core_id, depth), lambda: super(SnapshotStore, self).chain(
            core_id, depth))

    def prospects(self, core_id: str | None = None, *, filters: ProspectFilter | None = None,
                  sort: str = "rank", skip: int = 0, limit: int | None = 100, scope: Scope | None = None) -> Page:
        """One page of prospects that ``scope`` may see (remembered per snapshot)."""
        return self._remembered(("prospects", core_id, filters, sort, skip, limit, scope),
                                lambda: super(SnapshotStore, self).prospects(
                                    core_id, filters=filters, sort=sort, skip=skip, limit=limit, scope=scope))

    def leakage(self, core_id: str) -> Leakage:
        """A core's off-us shares (remembered per snapshot)."""
        return self._remembered(("leakage", core_id), lambda: super(SnapshotStore, self).leakage(core_id))

    def alerts(self, core_id: str | None = None, *, kinds: tuple[str, ...] | None = None,
               skip: int = 0, limit: int | None = None, scope: Scope | None = None) -> Page:
        """Alerts that ``scope`` may see (remembered per snapshot)."""
        return self._remembered(("alerts", core_id, kinds, skip, limit, scope),
                                lambda: super(SnapshotStore, self).alerts(
                                    core_id, kinds=kinds, skip=skip, limit=limit, scope=scope))


def _own_copy(value: T) -> T:
    """A remembered answer as the caller's own: frames and dicts copied (deep: without pandas'
    copy-on-write, the lowest pandas allowed, a shallow copy shares its values with the memo)."""
    if isinstance(value, Page):
        return Page(value.data.copy(), value.count)  # type: ignore[return-value]
    if isinstance(value, Chain):
        return Chain(copy.deepcopy(value.core), value.members.copy(),  # type: ignore[return-value]
                     value.edges.copy())
    if isinstance(value, Leakage):
        return Leakage(copy.deepcopy(value.summary), value.top.copy())  # type: ignore[return-value]
    return copy.deepcopy(value)
