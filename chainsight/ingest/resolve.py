"""Entity resolution at scale: every (account, name) seen on either side of a payment gets an owner.

Resolution works on the *distinct* (account, name) pairs — far fewer than rows — so the Python name
functions of :mod:`chainsight.ingest.entities` run once per spelling, and the result joins back to the
rows in DuckDB. An owner is, in this order of evidence:

1. the customer who holds the account, when the account is ours (the master is authoritative);
2. a valid USCC given on the row (payments layout);
3. the customer whose name key equals the name's key (a customer paying from another bank);
4. a person, when the name looks like a person's (kept out of the enterprise graph);
5. the enterprise of the name key (``N-…``), for firms known only by name;
6. for a row with an account but no name: the owner the same account has on other rows;
7. when the file's profile says ``identify_by = [..., "account"]``: the account itself, as a firm of
   its own (``A-…``) — an account-only payments extract then resolves every account.

The result is the table ``parties(party_key, account, name, bank, rows, party_id, party_kind, ours)``
where ``party_key = hash(account, name)`` is what rows join on, ``party_kind`` is ``enterprise``,
``person`` or ``unknown`` and ``ours`` says the account is held with us.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import duckdb
import pandas as pd

from chainsight.ingest.entities import enterprise_id, is_individual, name_key, valid_uscc


def account_id(account: str) -> str:
    """The stable id of a firm known by its account alone.

    >>> account_id("6222000011")
    'A-1e8dea01e7414205'
    """
    return "A-" + hashlib.sha256(account.encode("utf-8")).hexdigest()[:16]


def resolve_parties(con: duckdb.DuckDBPyConnection, account_files: Sequence[int] = ()) -> None:
    """Build ``parties`` from ``staged`` and the master tables.

    ``account_files`` are the files whose profile identifies a party by its account alone (step 7).
    """
    con.execute("CREATE OR REPLACE TEMP TABLE _account_files (file_id BIGINT)")
    if account_files:
        con.executemany("INSERT INTO _account_files VALUES (?)", [(int(f),) for f in account_files])
    pairs = con.execute("""
        SELECT account, name, any_value(uscc) FILTER (WHERE uscc IS NOT NULL) AS uscc,
               any_value(bank) FILTER (WHERE bank IS NOT NULL) AS bank, count(*) AS rows,
               bool_or(file_id IN (SELECT file_id FROM _account_files)) AS by_account FROM (
            SELECT file_id, payer_account AS account, payer_name AS name, payer_uscc AS uscc, payer_bank AS bank
            FROM staged WHERE reject_reason IS NULL
            UNION ALL
            SELECT file_id, payee_account, payee_name, payee_uscc, payee_bank FROM staged
            WHERE reject_reason IS NULL)
        GROUP BY account, name ORDER BY account, name""").df()
    con.execute("DROP TABLE _account_files")
    customers = con.execute("SELECT name_key, enterprise_id FROM customers ORDER BY customer_id").df()
    by_key = dict(zip(customers["name_key"], customers["enterprise_id"], strict=True))
    names = pd.Series(pairs["name"].dropna().unique(), dtype="object")
    keys = {n: name_key(n) for n in names}
    person = {n: is_individual(n) for n in names}

    def by_name(name: object, uscc: object) -> tuple[str | None, str]:
        if isinstance(uscc, str) and valid_uscc(uscc):
            return enterprise_id(uscc, str(name or "")), "enterprise"
        if not isinstance(name, str):
            return None, "unknown"
        key = keys[name]
        if key in by_key:
            return by_key[key], "enterprise"
        if person[name]:
            return None, "person"
        return enterprise_id(None, name), "enterprise"

    resolved = [by_name(n, u) for n, u in zip(pairs["name"], pairs["uscc"], strict=True)]
    pairs["name_id"] = [r[0] for r in resolved]
    pairs["name_kind"] = [r[1] for r in resolved]
    pairs["account_id"] = [account_id(a) if by and isinstance(a, str) else None
                           for a, by in zip(pairs["account"], pairs["by_account"], strict=True)]
    con.register("_pairs", pairs[["account", "name", "bank", "rows", "name_id", "name_kind", "account_id"]])
    con.execute("""
        CREATE OR REPLACE TEMP TABLE parties_raw AS
            SELECT CAST(account AS VARCHAR) AS account, CAST(name AS VARCHAR) AS name,
                   CAST(bank AS VARCHAR) AS bank, CAST(rows AS BIGINT) AS rows,
                   CAST(name_id AS VARCHAR) AS name_id, CAST(name_kind AS VARCHAR) AS name_kind,
                   CAST(account_id AS VARCHAR) AS account_id FROM _pairs;
        CREATE OR REPLACE TEMP TABLE account_owner AS
            SELECT account, mode(name_id) AS owner_id FROM parties_raw
            WHERE account IS NOT NULL AND name_id IS NOT NULL GROUP BY account;
        CREATE OR REPLACE TABLE parties AS
        SELECT hash(p.account, p.name) AS party_key, p.account, p.name, p.bank, p.rows,
               coalesce(o.enterprise_id, p.name_id, CASE WHEN p.name_kind = 'unknown' THEN w.owner_id END,
                        CASE WHEN p.name_kind = 'unknown' THEN p.account_id END) AS party_id,
               CASE WHEN o.enterprise_id IS NOT NULL THEN 'enterprise'
                    WHEN p.name_kind = 'unknown' AND w.owner_id IS NOT NULL THEN 'enterprise'
                    WHEN p.name_kind = 'unknown' AND p.account_id IS NOT NULL THEN 'enterprise'
                    ELSE p.name_kind END AS party_kind,
               o.enterprise_id IS NOT NULL AS ours
        FROM parties_raw p
        LEFT JOIN our_accounts o ON o.account_no = p.account
        LEFT JOIN account_owner w ON w.account = p.account;
    """)
    con.unregister("_pairs")
    con.execute("DROP TABLE parties_raw; DROP TABLE account_owner")
