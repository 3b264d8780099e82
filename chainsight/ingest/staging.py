"""The staging database: one DuckDB file holding every table ingest writes.

================= =========================================================================
table             one row per
================= =========================================================================
dataset           the manifest's name, as-of date and bank names (one row)
files             input file ever ingested: path, SHA-256, profile, rows read
staged            parsed row of an input file (immutable per file version); ``reject_reason`` is NULL
                  for a usable row and says why otherwise
rejects           input row that could not be used: file, line, reason, raw text
customers         customer in the master, with its enterprise id and the five deposit balances
customer_rejects  rejected master row, identity only: its firm stays a known customer (``master_rejected``)
known_customers   (view) customer id → enterprise and branch, over loaded and rejected master rows
master_snapshot   the date the master describes (one row)
accounts          account of ours (from the master) or seen at another bank, with its owner
monthly_balances  customer and month-end
transactions      staged row's fate: owners (payer_id, payee_id), flow class, status and reason
transaction_details  (view) staged rows joined with their fate
enterprises       firm (our customer or a counterparty), its id, best name and bank relation
enterprise_names  spelling of a firm's name seen in the data
parties           distinct (account, name) a row names, with its owner (:mod:`~chainsight.ingest.resolve`)
entity_links      party tied to a firm across extracts, or left unmerged as ambiguous: rule, evidence
entity_mentions   party resolved to a firm, by whichever step: its USCC, rule and evidence
flows             (payer enterprise, payee enterprise) trade edge: amount, count, dates, months
flow_months       edge and month
ingest_runs       run of ``chainsight ingest``, with its report
meta              key and value: the manifest the database belongs to, the staging version
================= =========================================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from chainsight.errors import ChainSightError, ConfigError, StoreError, StoreUnavailable
from chainsight.ingest._sql import ident
from chainsight.ingest.manifest import Manifest

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS file_ids START 1;
CREATE SEQUENCE IF NOT EXISTS run_ids START 1;
CREATE TABLE IF NOT EXISTS files (
    file_id INTEGER PRIMARY KEY, path VARCHAR UNIQUE NOT NULL, sha256 VARCHAR NOT NULL,
    size BIGINT, profile VARCHAR, layout VARCHAR, rows_read BIGINT NOT NULL, run_id INTEGER,
    ingested_at TIMESTAMP DEFAULT current_timestamp);
CREATE TABLE IF NOT EXISTS staged (
    file_id INTEGER NOT NULL, line BIGINT NOT NULL, perspective VARCHAR NOT NULL,
    payer_account VARCHAR, payer_name VARCHAR, payer_bank VARCHAR, payer_uscc VARCHAR,
    payee_account VARCHAR, payee_name VARCHAR, payee_bank VARCHAR, payee_uscc VARCHAR,
    amount DECIMAL(18,2), date DATE, memo VARCHAR, balance DECIMAL(18,2),
    serial VARCHAR, raw_hash UBIGINT NOT NULL, reject_reason VARCHAR, currency VARCHAR);
ALTER TABLE staged ADD COLUMN IF NOT EXISTS currency VARCHAR;
CREATE TABLE IF NOT EXISTS rejects (
    file_id INTEGER NOT NULL, line BIGINT NOT NULL, reason VARCHAR NOT NULL, raw_row VARCHAR);
CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id INTEGER PRIMARY KEY, manifest VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
    report JSON);
"""

#: Settings as ``duckdb.connect(config=...)`` takes them.
DuckDBConfig = dict[str, str | bool | int | float | list[str]]


def connect(path: str | Path, *, read_only: bool = False, memory_limit: str = "4GB",
            threads: int = 0) -> duckdb.DuckDBPyConnection:
    """Open the staging database (created if missing unless ``read_only``); every failure is typed.

    Settings go to DuckDB as configuration, never as SQL text, so a value cannot run a statement.

    Parameters
    ----------
    path
        The DuckDB file, or ``":memory:"``.
    read_only
        Open for reading; a missing file is then a :class:`ConfigError` and is not created.
    memory_limit
        DuckDB's ``memory_limit``, e.g. ``"4GB"``; a value DuckDB cannot parse is a ``ConfigError``.
    threads
        Worker threads; 0 lets DuckDB choose.

    Examples
    --------
    >>> connect(":memory:", memory_limit="1GB").execute("SELECT count(*) FROM rejects").fetchone()
    (0,)
    >>> connect(":memory:", memory_limit="lots")
    Traceback (most recent call last):
    chainsight.errors.ConfigError: invalid DuckDB setting (memory_limit='lots', threads=0): ...
    """
    # Only the raw read needs file order (its rowids number the lines); everything else may reorder.
    config: DuckDBConfig = {"memory_limit": memory_limit, "preserve_insertion_order": False}
    if threads:
        config["threads"] = threads
    _check_config(config, memory_limit, threads)
    if str(path) != ":memory:":
        _check_path(Path(path), read_only)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.Error as exc:
        raise StoreUnavailable(f"cannot open DuckDB file {path}: {exc}") from exc
    if not read_only:
        con.execute(SCHEMA)
    return con


def _check_config(config: DuckDBConfig, memory_limit: str, threads: int) -> None:
    """Raise ConfigError when DuckDB refuses a setting; tried in memory so that no file is touched."""
    try:
        duckdb.connect(":memory:", config=config).close()
    except duckdb.Error as exc:
        raise ConfigError(f"invalid DuckDB setting (memory_limit={memory_limit!r}, threads={threads}): "
                          f"{exc}") from exc


def _check_path(path: Path, read_only: bool) -> None:
    """Refuse a folder, a missing file to read, or a file in a missing folder, before DuckDB sees it."""
    if path.is_dir():
        raise ConfigError(f"{path} is a folder, not a DuckDB file")
    if read_only and not path.exists():
        raise ConfigError(f"no staging database at {path}: run `chainsight ingest` first")
    if not path.parent.is_dir():
        raise ConfigError(f"cannot create {path}: the folder {path.parent} does not exist")


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when the main schema has a table or view called ``name``."""
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'"
                      " AND NOT temporary", [name]).fetchone()
    views = con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND NOT internal",
                        [name]).fetchone()
    return bool(row and row[0]) or bool(views and views[0])


#: Bump when what a staged row holds changes: a database staged by another version is re-read whole.
#: 2: positional raw columns, physical line numbers, MD5 row digests (DuckDB's ``hash`` is not stable).
STAGING_VERSION = "2"

_DATASET_TABLES = ("staged", "rejects", "files")


def claim(con: duckdb.DuckDBPyConnection, spec: Manifest, *, replace: bool = False) -> None:
    """Make the database this manifest's: refuse another manifest's database unless ``replace``.

    A database staged by another :data:`STAGING_VERSION` is emptied so that every file is read again.
    """
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    count = con.execute("SELECT count(*) FROM files").fetchone()
    staged = bool(count and count[0])
    owner, here = meta.get("manifest"), f"{spec.root} ({spec.name})"
    if staged and owner is not None and owner != here and not replace:
        raise ConfigError(f"this database holds the dataset of the manifest in {owner}; ingesting "
                          f"{here} into it would remove that dataset's files. Use another --db, or "
                          "--replace to empty it first")
    outdated = staged and meta.get("staging_version") != STAGING_VERSION
    con.execute("BEGIN TRANSACTION")
    try:
        if replace or outdated:
            for table in _DATASET_TABLES:
                con.execute(f"DELETE FROM {ident(table)}")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('manifest', ?), ('staging_version', ?)",
                    [here, STAGING_VERSION])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@contextmanager
def map_store_errors(db_path: str | Path) -> Iterator[None]:
    """Turn a failure of the database or the disk into a :class:`StoreError` naming the database.

    httpx's ``map_exceptions`` is the model: foreign errors stop at the ingest boundary.
    """
    try:
        yield
    except ChainSightError:
        raise
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"the staging database {db_path} failed: {first}") from exc
    except OSError as exc:
        raise StoreError(f"cannot use the staging database {db_path}: {exc.strerror or exc}") from exc
