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
accounts          account of ours (from the master) or seen at another bank, with its owner
monthly_balances  customer and month-end
transactions      staged row's fate: owners (payer_id, payee_id), flow class, status and reason
transaction_details  (view) staged rows joined with their fate
enterprises       firm (our customer or a counterparty), its id, best name and bank relation
enterprise_names  spelling of a firm's name seen in the data
flows             (payer enterprise, payee enterprise) trade edge: amount, count, dates, months
flow_months       edge and month
ingest_runs       run of ``chainsight ingest``, with its report
================= =========================================================================
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from chainsight.errors import StoreUnavailable

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
    serial VARCHAR, raw_hash UBIGINT NOT NULL, reject_reason VARCHAR);
CREATE TABLE IF NOT EXISTS rejects (
    file_id INTEGER NOT NULL, line BIGINT NOT NULL, reason VARCHAR NOT NULL, raw_row VARCHAR);
CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id INTEGER PRIMARY KEY, manifest VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
    report JSON);
"""


def connect(path: str | Path, *, read_only: bool = False, memory_limit: str = "4GB",
            threads: int = 0) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the staging database; a locked or unreadable file is a typed error."""
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise StoreUnavailable(f"cannot open DuckDB file {path}: {exc}") from exc
    con.execute(f"SET memory_limit = '{memory_limit}'")
    # Only the raw read needs file order (its rowids number the lines); everything else may reorder.
    con.execute("SET preserve_insertion_order = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if not read_only:
        con.execute(SCHEMA)
    return con


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when the main schema has a table or view called ``name``."""
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'"
                      " AND NOT temporary", [name]).fetchone()
    views = con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND NOT internal",
                        [name]).fetchone()
    return bool(row and row[0]) or bool(views and views[0])
