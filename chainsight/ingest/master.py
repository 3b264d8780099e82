"""The customer master: our customers, their accounts and monthly balances.

The master is a snapshot, so every ingest replaces it whole. Its rows obey the same rule as payment
rows: each ends up loaded or in ``rejects`` with file, line and reason (``missing_customer_id``,
``duplicate_customer``, ``bad_customer_type``, ``bad_number``, ``unknown_customer``,
``duplicate_account``, ``bad_month``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from chainsight.errors import UnusableInputError
from chainsight.ingest.clean import account_sql, amount_is_bad_sql, amount_sql, date_sql, text_sql
from chainsight.ingest.entities import enterprise_id, name_key
from chainsight.ingest.manifest import MasterFiles
from chainsight.ingest.readers import MalformedLine, RawRead, column, read_into

DEPOSITS = ("dep_demand", "dep_time", "dep_notice", "dep_agreement", "dep_margin")
MONEY = ("credit_on_balance", "credit_off_balance", "loan_balance", *DEPOSITS)
CUSTOMER_COLUMNS = ("customer_id", "customer_type", "uscc", "name", "branch", "manager", *MONEY,
                    "ebanking", "products", "opened")
ACCOUNT_COLUMNS = ("account_no", "customer_id", "branch", "opened", "closed")
BALANCE_COLUMNS = ("customer_id", "month", "balance")

#: Customer types as master extracts spell them, folded to the four the rules know.
CUSTOMER_TYPES = {
    "corporate": "corporate", "对公": "corporate", "企业": "corporate", "公司": "corporate",
    "institutional": "institutional", "机构": "institutional", "事业单位": "institutional",
    "interbank": "interbank", "同业": "interbank", "金融同业": "interbank",
    "housing_fund": "housing_fund", "住房资金": "housing_fund", "住房资金类": "housing_fund",
}

_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d")


def _columns(raw: RawRead, path: Path, wanted: tuple[str, ...],
             required: tuple[str, ...], rename: dict[str, str]) -> dict[str, str]:
    """Map canonical column -> SQL reference to its positional ``raw`` column (NULL when absent)."""
    out: dict[str, str] = {}
    for col in wanted:
        header = rename.get(col, col)
        if header in raw.header:
            out[col] = "r." + column(raw.header.index(header))
        elif col in required:
            raise UnusableInputError(str(path), f"required column {header!r} ({col}) is missing; "
                                     f"header has {sorted(set(raw.header))}")
        else:
            out[col] = "CAST(NULL AS VARCHAR)"
    return out


def _raw_text(raw: RawRead) -> str:
    return "concat_ws(',', " + ", ".join(f"coalesce(r.{column(i)}, '')" for i in range(len(raw.header))) + ")"


def _reject_malformed(con: duckdb.DuckDBPyConnection, file_id: int, malformed: list[MalformedLine]) -> None:
    if malformed:
        con.executemany("INSERT INTO rejects VALUES (?, ?, ?, ?)",
                        [(file_id, m.line, m.reason, m.text) for m in malformed])


def load_customers(con: duckdb.DuckDBPyConnection, path: Path, file_id: int, spec: MasterFiles) -> int:
    """Replace ``customers`` from ``path``; return the number of rows read."""
    raw = read_into(con, path, encoding=spec.encoding)
    malformed = raw.malformed
    c = _columns(raw, path, CUSTOMER_COLUMNS, ("customer_id", "customer_type", "name"), spec.columns)
    types = "MAP {" + ", ".join(f"'{k}': '{v}'" for k, v in CUSTOMER_TYPES.items()) + "}"
    bad_money = " OR ".join(amount_is_bad_sql(c[m]) for m in MONEY)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        SELECT _line, {text_sql(c['customer_id'])} AS customer_id,
               {types}[lower({text_sql(c['customer_type'])})] AS customer_type,
               {text_sql(c['uscc'])} AS uscc, NULLIF(trim({c['name']}), '') AS name,
               {text_sql(c['branch'])} AS branch, {text_sql(c['manager'])} AS manager,
               {', '.join(f"coalesce({amount_sql(c[m])}, 0) AS {m}" for m in MONEY)},
               coalesce(lower({text_sql(c['ebanking'])}) IN ('1', 'true', 'y', 'yes', '是'), false) AS ebanking,
               {text_sql(c['products'])} AS products, {date_sql(c['opened'], _FORMATS)} AS opened,
               CASE WHEN {text_sql(c['customer_id'])} IS NULL THEN 'missing_customer_id'
                    WHEN {types}[lower({text_sql(c['customer_type'])})] IS NULL THEN 'bad_customer_type'
                    WHEN NULLIF(trim({c['name']}), '') IS NULL THEN 'missing_name'
                    WHEN {bad_money} THEN 'bad_number'
                    WHEN row_number() OVER (PARTITION BY {text_sql(c['customer_id'])} ORDER BY _line) > 1
                      THEN 'duplicate_customer' END AS reason,
               {_raw_text(raw)} AS raw_row
        FROM raw r""")
    con.execute(f"INSERT INTO rejects SELECT {file_id}, _line, reason, raw_row FROM checked WHERE reason IS NOT NULL")
    _reject_malformed(con, file_id, malformed)
    frame = con.execute("SELECT * EXCLUDE (reason, raw_row, _line) FROM checked WHERE reason IS NULL "
                        "ORDER BY customer_id").df()
    frame["enterprise_id"] = [enterprise_id(u, n) for u, n in zip(frame["uscc"], frame["name"], strict=True)]
    frame["name_key"] = [name_key(n) for n in frame["name"]]
    frame["deposits"] = frame[list(DEPOSITS)].sum(axis=1)
    con.register("_customers", frame)
    con.execute("CREATE OR REPLACE TABLE customers AS SELECT * FROM _customers")
    con.unregister("_customers")
    return _rows_read(con, malformed)


def load_accounts(con: duckdb.DuckDBPyConnection, path: Path, file_id: int, spec: MasterFiles) -> int:
    """Replace ``our_accounts`` (account -> customer) from ``path``; return rows read."""
    raw = read_into(con, path, encoding=spec.encoding)
    malformed = raw.malformed
    c = _columns(raw, path, ACCOUNT_COLUMNS, ("account_no", "customer_id"), spec.columns)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        SELECT r._line, {account_sql(c['account_no'])} AS account_no,
               {text_sql(c['customer_id'])} AS customer_id, {text_sql(c['branch'])} AS branch,
               {date_sql(c['opened'], _FORMATS)} AS opened, {date_sql(c['closed'], _FORMATS)} AS closed,
               CASE WHEN {account_sql(c['account_no'])} IS NULL THEN 'missing_account'
                    WHEN cu.customer_id IS NULL THEN 'unknown_customer'
                    WHEN row_number() OVER (PARTITION BY {account_sql(c['account_no'])} ORDER BY r._line) > 1
                      THEN 'duplicate_account' END AS reason,
               {_raw_text(raw)} AS raw_row
        FROM raw r LEFT JOIN customers cu ON cu.customer_id = {text_sql(c['customer_id'])}""")
    con.execute(f"INSERT INTO rejects SELECT {file_id}, _line, reason, raw_row FROM checked WHERE reason IS NOT NULL")
    _reject_malformed(con, file_id, malformed)
    con.execute("""CREATE OR REPLACE TABLE our_accounts AS
        SELECT a.account_no, a.customer_id, cu.enterprise_id, coalesce(a.branch, cu.branch) AS branch,
               a.opened, a.closed
        FROM checked a JOIN customers cu USING (customer_id) WHERE a.reason IS NULL ORDER BY account_no""")
    return _rows_read(con, malformed)


def load_balances(con: duckdb.DuckDBPyConnection, path: Path, file_id: int, spec: MasterFiles) -> int:
    """Replace ``monthly_balances`` from ``path``; return rows read."""
    raw = read_into(con, path, encoding=spec.encoding)
    malformed = raw.malformed
    c = _columns(raw, path, BALANCE_COLUMNS, BALANCE_COLUMNS, spec.columns)
    month = date_sql(f"{text_sql(c['month'])} || '-01'", ("%Y-%m-%d", "%Y%m-%d"))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        SELECT r._line, {text_sql(c['customer_id'])} AS customer_id, {month} AS month,
               {amount_sql(c['balance'])} AS balance,
               CASE WHEN cu.customer_id IS NULL THEN 'unknown_customer'
                    WHEN {month} IS NULL THEN 'bad_month'
                    WHEN {amount_sql(c['balance'])} IS NULL THEN 'bad_number' END AS reason,
               {_raw_text(raw)} AS raw_row
        FROM raw r LEFT JOIN customers cu ON cu.customer_id = {text_sql(c['customer_id'])}""")
    con.execute(f"INSERT INTO rejects SELECT {file_id}, _line, reason, raw_row FROM checked WHERE reason IS NOT NULL")
    _reject_malformed(con, file_id, malformed)
    con.execute("""CREATE OR REPLACE TABLE monthly_balances AS SELECT customer_id, month, balance
                   FROM checked WHERE reason IS NULL ORDER BY customer_id, month""")
    return _rows_read(con, malformed)


def empty_master(con: duckdb.DuckDBPyConnection) -> None:
    """Create empty master tables for a dataset without a customer master."""
    con.execute(f"""
        CREATE OR REPLACE TABLE customers (customer_id VARCHAR, customer_type VARCHAR, uscc VARCHAR,
            name VARCHAR, branch VARCHAR, manager VARCHAR,
            {', '.join(f'{m} DECIMAL(18,2)' for m in MONEY)}, ebanking BOOLEAN, products VARCHAR,
            opened DATE, enterprise_id VARCHAR, name_key VARCHAR, deposits DECIMAL(18,2));
        CREATE OR REPLACE TABLE our_accounts (account_no VARCHAR, customer_id VARCHAR,
            enterprise_id VARCHAR, branch VARCHAR, opened DATE, closed DATE);
        CREATE OR REPLACE TABLE monthly_balances (customer_id VARCHAR, month DATE, balance DECIMAL(18,2));
    """)


def _rows_read(con: duckdb.DuckDBPyConnection, malformed: Sequence[object]) -> int:
    row = con.execute("SELECT count(*) FROM raw").fetchone()
    return int(row[0] if row else 0) + len(malformed)
