"""The customer master: our customers, their accounts and monthly balances.

The master is a snapshot, so every ingest replaces it whole. Its rows obey the same rule as payment
rows: each ends up loaded or in ``rejects`` with file, line and reason (``missing_customer_id``,
``bad_customer_type``, ``missing_name``, ``bad_number``, ``negative_amount``, ``bad_date``,
``duplicate_customer``; accounts ``missing_account``, ``unknown_customer``, ``bad_date``,
``duplicate_account``; balances ``unknown_customer``,
``bad_month``, ``bad_number``, ``negative_amount``).

The master feeds the 小额无贷户 rule, so it fails closed:

* a money column of :data:`~chainsight._columns.MONEY_COLUMNS` that the extract lacks and the
  profile does not state as a constant is a :class:`~chainsight.errors.ConfigError` naming it;
* a blank money cell stays NULL (*unknown*), unless the profile lists its column in ``blank_is_zero``;
  ``deposits`` is NULL when any of the five deposit cells is;
* a rejected customer row is kept, identity only, in ``customer_rejects``: its firm stays a known
  customer of ours (that cannot be judged), and its accounts and balances still load.

Tables written: ``customers``, ``customer_rejects``, ``master_snapshot`` (the stated snapshot date,
one row), ``our_accounts``, ``monthly_balances`` and the view ``known_customers`` (one row per
customer id of the master, loaded or rejected, with its enterprise).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd

from chainsight._columns import DEPOSIT_COLUMNS, MONEY_COLUMNS
from chainsight.errors import ConfigError, UnusableInputError
from chainsight.ingest._sql import literal
from chainsight.ingest.clean import account_sql, amount_is_bad_sql, amount_sql, date_sql, text_sql
from chainsight.ingest.entities import enterprise_id, name_key, valid_uscc
from chainsight.ingest.manifest import MasterFiles
from chainsight.ingest.readers import MalformedLine, RawRead, column, quote_rejects_as_written, read_into

CUSTOMER_COLUMNS = ("customer_id", "customer_type", "uscc", "name", "branch", "manager", *MONEY_COLUMNS,
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

_DDL = f"""
CREATE OR REPLACE TABLE customers (customer_id VARCHAR, customer_type VARCHAR, uscc VARCHAR,
    name VARCHAR, branch VARCHAR, manager VARCHAR, {', '.join(f'{m} DECIMAL(18,2)' for m in MONEY_COLUMNS)},
    ebanking BOOLEAN, products VARCHAR, opened DATE, enterprise_id VARCHAR, name_key VARCHAR,
    deposits DECIMAL(20,2));
CREATE OR REPLACE TABLE customer_rejects (line BIGINT, reason VARCHAR, customer_id VARCHAR,
    customer_type VARCHAR, uscc VARCHAR, name VARCHAR, branch VARCHAR, manager VARCHAR,
    enterprise_id VARCHAR, name_key VARCHAR);
CREATE OR REPLACE VIEW known_customers AS
    SELECT customer_id, first(enterprise_id ORDER BY pref, line) AS enterprise_id,
           first(branch ORDER BY pref, line) AS branch
    FROM (SELECT customer_id, enterprise_id, branch, 0 AS pref, 0 AS line FROM customers
          UNION ALL
          SELECT customer_id, enterprise_id, branch, 1, line FROM customer_rejects
          WHERE customer_id IS NOT NULL AND enterprise_id IS NOT NULL)
    GROUP BY customer_id;
"""


def _columns(raw: RawRead, path: Path, wanted: tuple[str, ...],
             required: tuple[str, ...], spec: MasterFiles) -> dict[str, str]:
    """Map canonical column -> SQL text of its raw value: a positional column, a stated constant or NULL.

    Raises
    ------
    UnusableInputError
        When a column of ``required`` is missing from the header.
    ConfigError
        When a money column is neither in the header nor stated in ``spec.constants``: the
        小额无贷户 rule cannot be judged without it, and guessing 0 would make customers eligible.
    """
    present = set(raw.header)
    out: dict[str, str] = {}
    no_money: list[str] = []
    for col in wanted:
        header = spec.columns.get(col, col)
        if col in spec.constants:
            out[col] = literal(str(spec.constants[col]).replace(".", spec.decimal))  # read like a cell
        elif header in present:
            out[col] = "r." + column(raw.header.index(header))
        elif col in required:
            raise UnusableInputError(str(path), f"required column {header!r} ({col}) is missing; "
                                     f"header has {sorted(present)}")
        elif col in MONEY_COLUMNS:
            no_money.append(col if header == col else f"{col} (header {header!r})")
        else:
            out[col] = "CAST(NULL AS VARCHAR)"
    if no_money:
        raise ConfigError(f"{path}: the customer master has no column for {', '.join(no_money)}; map each "
                          "under [master.columns] or state its value under [master.constants] (for "
                          "example credit_off_balance = 0): the 小额无贷户 rule cannot be judged without it")
    return out


def _bad_date_sql(expr: str, spec: MasterFiles) -> str:
    """True when a date cell holds text that is in none of the master's date formats."""
    return f"({text_sql(expr)} IS NOT NULL AND {date_sql(expr, spec.date_formats)} IS NULL)"


def _raw_text(raw: RawRead, spec: MasterFiles) -> str:
    return f"concat_ws({literal(spec.delimiter)}, " + ", ".join(f"coalesce(r.{column(i)}, '')" for i in range(len(raw.header))) + ")"


def _reject_malformed(con: duckdb.DuckDBPyConnection, file_id: int, malformed: list[MalformedLine]) -> None:
    if malformed:
        con.executemany("INSERT INTO rejects VALUES (?, ?, ?, ?)",
                        [(file_id, m.line, m.reason, m.text) for m in malformed])


def _firm(uscc: str | None, name: str | None) -> str | None:
    """The enterprise of a master row, or None when it has neither a name nor a valid USCC."""
    return enterprise_id(uscc, name or "") if name or valid_uscc(uscc) else None


def load_customers(con: duckdb.DuckDBPyConnection, path: Path, file_id: int, spec: MasterFiles,
                   currency: str = "CNY", unit: Decimal = Decimal(1)) -> int:
    """Replace ``customers``, ``customer_rejects`` and ``master_snapshot`` from ``path``; rows read."""
    raw = read_into(con, path, encoding=spec.encoding, delimiter=spec.delimiter)
    malformed = raw.malformed
    c = _columns(raw, path, CUSTOMER_COLUMNS, ("customer_id", "customer_type", "name"), spec)
    types = "MAP {" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in CUSTOMER_TYPES.items()) + "}"
    money = [f"{amount_sql(c[m], currency, spec.decimal, unit)} AS {m}, "
             f"{amount_is_bad_sql(c[m], currency, spec.decimal)} AS {m}_bad"
             for m in MONEY_COLUMNS]
    value = {m: f"coalesce({m}, 0.00)" if m in spec.blank_is_zero else m for m in MONEY_COLUMNS}
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        WITH parsed AS (
            SELECT _line, {text_sql(c['customer_id'])} AS customer_id,
                   {types}[lower({text_sql(c['customer_type'])})] AS customer_type,
                   {text_sql(c['uscc'])} AS uscc, NULLIF(trim({c['name']}), '') AS name,
                   {text_sql(c['branch'])} AS branch, {text_sql(c['manager'])} AS manager, {', '.join(money)},
                   coalesce(lower({text_sql(c['ebanking'])}) IN ('1', 'true', 'y', 'yes', '是'), false) AS ebanking,
                   {text_sql(c['products'])} AS products, {date_sql(c['opened'], spec.date_formats)} AS opened,
                   {_bad_date_sql(c['opened'], spec)} AS opened_bad,
                   {_raw_text(raw, spec)} AS raw_row
            FROM raw r)
        SELECT _line, customer_id, customer_type, uscc, name, branch, manager,
               {', '.join(f'{value[m]} AS {m}' for m in MONEY_COLUMNS)},
               ebanking, products, opened, raw_row,
               CASE WHEN customer_id IS NULL THEN 'missing_customer_id'
                    WHEN customer_type IS NULL THEN 'bad_customer_type'
                    WHEN name IS NULL THEN 'missing_name'
                    WHEN {' OR '.join(f'{m}_bad' for m in MONEY_COLUMNS)} THEN 'bad_number'
                    WHEN {' OR '.join(f'{m} < 0' for m in MONEY_COLUMNS)} THEN 'negative_amount'
                    WHEN opened_bad THEN 'bad_date'
                    WHEN row_number() OVER (PARTITION BY customer_id ORDER BY _line) > 1
                      THEN 'duplicate_customer' END AS reason
        FROM parsed""")
    con.execute("INSERT INTO rejects SELECT ?, _line, reason, raw_row FROM checked WHERE reason IS NOT NULL",
                [file_id])
    if raw.encoding is not None:
        quote_rejects_as_written(con, file_id, path, raw.encoding)
    _reject_malformed(con, file_id, malformed)
    pairs = con.execute("SELECT DISTINCT uscc, name FROM checked").fetchall()
    keys = pd.DataFrame([(u, n, _firm(u, n), name_key(n) if n else None) for u, n in pairs],
                        columns=["uscc", "name", "enterprise_id", "name_key"], dtype=object)
    con.register("_keys", keys)
    keyed = ("FROM checked c LEFT JOIN _keys k ON k.uscc IS NOT DISTINCT FROM c.uscc "
             "AND k.name IS NOT DISTINCT FROM c.name")
    # Money unknown in any deposit column leaves the sum unknown (NULL + x is NULL), never a partial sum.
    con.execute(_DDL + f"""
        INSERT INTO customers
        SELECT customer_id, customer_type, c.uscc, c.name, branch, manager, {', '.join(MONEY_COLUMNS)}, ebanking,
               products, opened, CAST(k.enterprise_id AS VARCHAR), CAST(k.name_key AS VARCHAR),
               {' + '.join(DEPOSIT_COLUMNS)}
        {keyed} WHERE reason IS NULL ORDER BY customer_id;
        INSERT INTO customer_rejects
        SELECT _line, reason, customer_id, customer_type, c.uscc, c.name, branch, manager,
               CAST(k.enterprise_id AS VARCHAR), CAST(k.name_key AS VARCHAR)
        {keyed} WHERE reason IS NOT NULL ORDER BY _line""")
    con.unregister("_keys")
    con.execute("CREATE OR REPLACE TABLE master_snapshot AS SELECT CAST(? AS DATE) AS as_of", [spec.as_of])
    return _rows_read(con, malformed)


def load_accounts(con: duckdb.DuckDBPyConnection, path: Path, file_id: int, spec: MasterFiles,
                  currency: str = "CNY", unit: Decimal = Decimal(1)) -> int:
    """Replace ``our_accounts`` (account -> customer) from ``path``; return rows read.

    ``currency`` and ``unit`` are unused (accounts hold no money): the master's loaders share one signature.

    An account of a customer whose master row was rejected is still ours: its payments are not
    business at another bank.
    """
    raw = read_into(con, path, encoding=spec.encoding, delimiter=spec.delimiter)
    malformed = raw.malformed
    c = _columns(raw, path, ACCOUNT_COLUMNS, ("account_no", "customer_id"), spec)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        SELECT r._line, {account_sql(c['account_no'])} AS account_no,
               {text_sql(c['customer_id'])} AS customer_id, {text_sql(c['branch'])} AS branch,
               {date_sql(c['opened'], spec.date_formats)} AS opened,
               {date_sql(c['closed'], spec.date_formats)} AS closed,
               CASE WHEN {account_sql(c['account_no'])} IS NULL THEN 'missing_account'
                    WHEN cu.customer_id IS NULL THEN 'unknown_customer'
                    WHEN {_bad_date_sql(c['opened'], spec)} OR {_bad_date_sql(c['closed'], spec)} THEN 'bad_date'
                    WHEN row_number() OVER (PARTITION BY {account_sql(c['account_no'])} ORDER BY r._line) > 1
                      THEN 'duplicate_account' END AS reason,
               {_raw_text(raw, spec)} AS raw_row
        FROM raw r LEFT JOIN known_customers cu ON cu.customer_id = {text_sql(c['customer_id'])}""")
    con.execute("INSERT INTO rejects SELECT ?, _line, reason, raw_row FROM checked WHERE reason IS NOT NULL",
                [file_id])
    if raw.encoding is not None:
        quote_rejects_as_written(con, file_id, path, raw.encoding)
    _reject_malformed(con, file_id, malformed)
    con.execute("""CREATE OR REPLACE TABLE our_accounts AS
        SELECT a.account_no, a.customer_id, cu.enterprise_id, coalesce(a.branch, cu.branch) AS branch,
               a.opened, a.closed
        FROM checked a JOIN known_customers cu USING (customer_id) WHERE a.reason IS NULL
        ORDER BY account_no""")
    return _rows_read(con, malformed)


def load_balances(con: duckdb.DuckDBPyConnection, path: Path, file_id: int, spec: MasterFiles,
                  currency: str = "CNY", unit: Decimal = Decimal(1)) -> int:
    """Replace ``monthly_balances`` from ``path``; return rows read."""
    raw = read_into(con, path, encoding=spec.encoding, delimiter=spec.delimiter)
    malformed = raw.malformed
    c = _columns(raw, path, BALANCE_COLUMNS, BALANCE_COLUMNS, spec)
    month = date_sql(f"{text_sql(c['month'])} || '-01'", ("%Y-%m-%d", "%Y%m-%d"))
    balance = amount_sql(c['balance'], currency, spec.decimal, unit)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        SELECT r._line, {text_sql(c['customer_id'])} AS customer_id, {month} AS month,
               {balance} AS balance,
               CASE WHEN cu.customer_id IS NULL THEN 'unknown_customer'
                    WHEN {month} IS NULL THEN 'bad_month'
                    WHEN {balance} IS NULL THEN 'bad_number'
                    WHEN {balance} < 0 THEN 'negative_amount' END AS reason,
               {_raw_text(raw, spec)} AS raw_row
        FROM raw r LEFT JOIN known_customers cu ON cu.customer_id = {text_sql(c['customer_id'])}""")
    con.execute("INSERT INTO rejects SELECT ?, _line, reason, raw_row FROM checked WHERE reason IS NOT NULL",
                [file_id])
    if raw.encoding is not None:
        quote_rejects_as_written(con, file_id, path, raw.encoding)
    _reject_malformed(con, file_id, malformed)
    con.execute("""CREATE OR REPLACE TABLE monthly_balances AS SELECT customer_id, month, balance
                   FROM checked WHERE reason IS NULL ORDER BY customer_id, month""")
    return _rows_read(con, malformed)


def empty_master(con: duckdb.DuckDBPyConnection) -> None:
    """Create empty master tables for a dataset without a customer master."""
    con.execute(_DDL + """
        CREATE OR REPLACE TABLE master_snapshot (as_of DATE);
        CREATE OR REPLACE TABLE our_accounts (account_no VARCHAR, customer_id VARCHAR,
            enterprise_id VARCHAR, branch VARCHAR, opened DATE, closed DATE);
        CREATE OR REPLACE TABLE monthly_balances (customer_id VARCHAR, month DATE, balance DECIMAL(18,2));
    """)


def _rows_read(con: duckdb.DuckDBPyConnection, malformed: Sequence[object]) -> int:
    row = con.execute("SELECT count(*) FROM raw").fetchone()
    return int(row[0] if row else 0) + len(malformed)
