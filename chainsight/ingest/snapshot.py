"""A staging database's customer master as one row per enterprise: what a later period shows.

A back-test compares the analysis of one period with the customer master of a later one (ingested into
a second staging database): who banks with us by then, with which deposits and products.

Examples
--------
>>> import duckdb
>>> con = duckdb.connect()
>>> _ = con.execute("CREATE TABLE customers (customer_id VARCHAR, name VARCHAR, enterprise_id VARCHAR, "
...                 "deposits DECIMAL(20,2), products VARCHAR, opened DATE)")
>>> _ = con.execute("INSERT INTO customers VALUES ('C1', '甲有限公司', '91X', 100.5, '网银;理财', '2025-01-02'), "
...                 "('C2', '甲有限公司', '91X', 20, '网银', NULL)")
>>> _ = con.execute("CREATE TABLE master_snapshot AS SELECT DATE '2025-06-30' AS as_of")
>>> snap = customer_snapshot(con)
>>> snap[["enterprise_id", "deposits", "products", "opened"]].to_dict("records")
[{'enterprise_id': '91X', 'deposits': 120.5, 'products': '理财;网银', 'opened': '2025-01-02'}]
>>> snap["name_id"].iloc[0].startswith("N-"), snapshot_date(con)
(True, '2025-06-30')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from chainsight.errors import ConfigError
from chainsight.ingest.entities import enterprise_id
from chainsight.ingest.staging import connect, table_exists

#: One row per enterprise of the master: its id, the id its name alone gives (how a firm known only by
#: name in the payments is keyed), total deposits (NaN when any record's is unknown), products held.
SNAPSHOT_COLUMNS = ("enterprise_id", "name_id", "name", "deposits", "products", "opened")


def customer_snapshot(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The customers of a staging database, one row per enterprise (:data:`SNAPSHOT_COLUMNS`).

    Raises
    ------
    ConfigError
        When the database holds no customer master.
    """
    if not table_exists(con, "customers"):
        raise ConfigError("the later database holds no customer master: ingest the later period's "
                          "manifest into it first (chainsight ingest later/chainsight.toml --db later.duckdb)")
    rows = con.execute("""
        SELECT enterprise_id, first(name ORDER BY customer_id) AS name,
               CASE WHEN bool_or(deposits IS NULL) THEN NULL ELSE sum(deposits) END AS deposits,
               string_agg(products, ';' ORDER BY customer_id) AS products,
               CAST(min(opened) AS VARCHAR) AS opened
        FROM customers WHERE enterprise_id IS NOT NULL GROUP BY enterprise_id ORDER BY enterprise_id""").df()
    products = [";".join(sorted({p for p in str(v).split(";") if p})) if isinstance(v, str) else ""
                for v in rows["products"].tolist()]
    return pd.DataFrame({
        "enterprise_id": rows["enterprise_id"].astype(str),
        "name_id": [enterprise_id(None, n) for n in rows["name"].tolist()],
        "name": rows["name"].astype(str),
        "deposits": pd.to_numeric(rows["deposits"], errors="coerce").astype("float64"),
        "products": products,
        "opened": [v if isinstance(v, str) else None for v in rows["opened"].tolist()],
    }, columns=list(SNAPSHOT_COLUMNS))


def snapshot_date(con: duckdb.DuckDBPyConnection) -> str | None:
    """The day the database's customer master describes (the master's ``as_of``, else the manifest's), or
    None when neither is stated."""
    for table in ("master_snapshot", "dataset"):
        if table_exists(con, table):
            row = con.execute(f"SELECT CAST(max(as_of) AS VARCHAR) FROM {table}").fetchone()  # noqa: S608 - fixed names
            if row is not None and row[0] is not None:
                return str(row[0])
    return None


@dataclass(frozen=True)
class Snapshot:
    """A later period's customer master per enterprise (:data:`SNAPSHOT_COLUMNS`) and the day it describes."""

    customers: pd.DataFrame
    as_of: str | None


def read_snapshot(path: str | Path) -> Snapshot:
    """The customer snapshot of the staging database at ``path``, opened read-only and closed again.

    Raises
    ------
    ConfigError
        When ``path`` is no file or holds no customer master.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such staging database (ingest the later period first: "
                          "chainsight ingest later/chainsight.toml --db later.duckdb)")
    con = connect(path, read_only=True)
    try:
        return Snapshot(customer_snapshot(con), snapshot_date(con))
    finally:
        con.close()
