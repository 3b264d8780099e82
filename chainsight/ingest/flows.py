"""Aggregation: loaded trade payments become flow edges, and firms become the ``enterprises`` table.

A flow edge ``(payer_id, payee_id)`` reads "payer pays payee": the payee is the payer's supplier
(upstream of it), the payer is the payee's customer (downstream). ``amount_payer_ours`` and
``amount_payee_ours`` say how much of it ran through accounts held with us on each side — the rest is
business that banks elsewhere.
"""

from __future__ import annotations

import duckdb

from chainsight.errors import StoreError


def build_flows(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build ``flow_months``, ``flows``, ``enterprises``, ``enterprise_names`` and ``accounts``."""
    # One pass over the loaded rows; ``flows`` is then an aggregate of the (much smaller) months.
    con.execute("""
        CREATE OR REPLACE TABLE flow_months AS
        SELECT payer_id, payee_id, CAST(date_trunc('month', date) AS DATE) AS month,
               CAST(sum(amount) AS DOUBLE) AS amount, count(*) AS count,
               CAST(coalesce(sum(amount) FILTER (WHERE payer_ours), 0) AS DOUBLE) AS amount_payer_ours,
               CAST(coalesce(sum(amount) FILTER (WHERE payee_ours), 0) AS DOUBLE) AS amount_payee_ours,
               min(date) AS first_date, max(date) AS last_date
        FROM transactions WHERE status = 'loaded'
        GROUP BY ALL""")
    con.execute("""
        CREATE OR REPLACE TABLE flows AS
        SELECT payer_id, payee_id, sum(amount) AS amount, sum(count) AS count,
               min(first_date) AS first_date, max(last_date) AS last_date, count(*) AS active_months,
               sum(amount_payer_ours) AS amount_payer_ours, sum(amount_payee_ours) AS amount_payee_ours
        FROM flow_months GROUP BY ALL""")
    # Names and accounts come from the distinct parties (with their row counts), not from every row.
    con.execute("""
        CREATE OR REPLACE TABLE enterprise_names AS
        SELECT enterprise_id, name, sum(rows) AS rows FROM (
            SELECT party_id AS enterprise_id, name, rows FROM parties
            WHERE party_kind = 'enterprise' AND name IS NOT NULL
            UNION ALL
            SELECT enterprise_id, name, 0 FROM customers
            UNION ALL
            SELECT enterprise_id, name, 0 FROM customer_rejects WHERE name IS NOT NULL)
        WHERE enterprise_id IS NOT NULL GROUP BY ALL ORDER BY enterprise_id, rows DESC, name""")
    con.execute("""
        CREATE OR REPLACE TABLE accounts AS
        SELECT account, first(party_id ORDER BY rows DESC, party_id) AS enterprise_id, bool_or(ours) AS ours,
               first(bank ORDER BY rows DESC) FILTER (WHERE bank IS NOT NULL) AS bank FROM (
            SELECT account, party_id, ours, bank, rows FROM parties WHERE party_kind = 'enterprise'
            UNION ALL
            SELECT account_no, enterprise_id, true, NULL, 0 FROM our_accounts)
        WHERE account IS NOT NULL AND party_id IS NOT NULL GROUP BY account ORDER BY account""")
    # Every enterprise a party resolved to is one, even when it is known only by account and USCC.
    con.execute("""
        CREATE OR REPLACE TABLE enterprises AS
        WITH ids AS (
            SELECT party_id AS enterprise_id FROM parties
            WHERE party_kind = 'enterprise' AND party_id IS NOT NULL
            UNION SELECT enterprise_id FROM customers WHERE enterprise_id IS NOT NULL
            UNION SELECT enterprise_id FROM customer_rejects WHERE enterprise_id IS NOT NULL),
        spelled AS (
            SELECT enterprise_id, first(name ORDER BY rows DESC, name) AS name,
                   count(*) AS n_names FROM enterprise_names GROUP BY enterprise_id),
        cust AS (
            -- A firm whose master row was rejected is still our customer (one we cannot judge).
            SELECT enterprise_id, first(customer_id ORDER BY pref, customer_id) AS customer_id,
                   first(name ORDER BY pref, customer_id) AS name, first(uscc ORDER BY pref, customer_id) AS uscc,
                   first(customer_type ORDER BY pref, customer_id) AS customer_type,
                   first(branch ORDER BY pref, customer_id) AS branch,
                   first(manager ORDER BY pref, customer_id) AS manager
            FROM (SELECT enterprise_id, customer_id, name, uscc, customer_type, branch, manager, 0 AS pref
                  FROM customers
                  UNION ALL
                  SELECT enterprise_id, customer_id, name, uscc, customer_type, branch, manager, 1
                  FROM customer_rejects WHERE enterprise_id IS NOT NULL)
            GROUP BY enterprise_id),
        accts AS (
            SELECT enterprise_id, count(*) AS n_accounts, count(*) FILTER (WHERE ours) AS n_accounts_ours
            FROM accounts GROUP BY enterprise_id)
        SELECT i.enterprise_id, coalesce(c.name, s.name, i.enterprise_id) AS name,
               coalesce(c.uscc, CASE WHEN i.enterprise_id NOT LIKE 'N-%' THEN i.enterprise_id END) AS uscc,
               c.enterprise_id IS NOT NULL AS is_customer, c.customer_id, c.customer_type, c.branch,
               c.manager, coalesce(a.n_accounts, 0) AS n_accounts,
               coalesce(a.n_accounts_ours, 0) AS n_accounts_ours, coalesce(s.n_names, 0) AS n_names
        FROM ids i LEFT JOIN spelled s USING (enterprise_id) LEFT JOIN cust c USING (enterprise_id)
        LEFT JOIN accts a USING (enterprise_id)
        ORDER BY enterprise_id""")
    orphans = con.execute("""SELECT count(*) FROM flows f WHERE NOT EXISTS
        (SELECT 1 FROM enterprises e WHERE e.enterprise_id = f.payer_id)
        OR NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.enterprise_id = f.payee_id)""").fetchone()
    if orphans and orphans[0]:
        raise StoreError(f"{orphans[0]} flow edges name a party that is not an enterprise: a bug in "
                         "entity resolution, please report it")
