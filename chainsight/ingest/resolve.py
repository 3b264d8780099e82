"""Entity resolution at scale: every (account, name) seen on either side of a payment gets an owner.

Resolution works on the *distinct* (account, name) pairs — far fewer than rows — so the Python name
functions of :mod:`chainsight.ingest.entities` run once per spelling, and the result joins back to the
rows in DuckDB. An owner is, in this order of evidence:

1. the customer who holds the account, when the account is ours (the master is authoritative);
2. a valid USCC given on the row (payments layout);
3. the firm a USCC, the master or the same account ties the name to, when exactly one firm is tied
   (:mod:`chainsight.ingest.links`: a firm with its code in one extract and by name only in another
   is one enterprise; a name tied to two firms is merged into neither);
4. a person, when the name looks like a person's (kept out of the enterprise graph);
5. the enterprise of the name key (``N-…``), for firms known only by name;
6. for a row with an account but no name: the owner the same account has on other rows;
7. when the file's profile lists ``"account"`` in ``identify_by`` for the party column the account is
   on (all of them, or one: ``identify_by = { payee = [..., "account"] }``): the account itself, as a
   firm of its own (``A-…``) — an account-only payments extract then resolves every account. A
   statement's party columns are ``own`` and ``counterparty``, a payment's ``payer`` and ``payee``.
   Once an account is a firm of its own, it is that firm on every row it appears on without a name.

The result is the table ``parties(party_key, account, name, bank, rows, party_id, party_kind, ours)``
where ``party_key = hash(account, name)`` is what rows join on, ``party_kind`` is ``enterprise``,
``person`` or ``unknown`` and ``ours`` says the account is held with us. Each link of step 3 (and each
name left unmerged because it is ambiguous) is a row of ``entity_links(account, name, enterprise_id,
rule, file_id, line, customer_id, candidates, rows)``: the rule and the row or customer that is its
evidence. ``entity_mentions`` has the same columns and ``uscc`` for *every* party resolved to a firm,
whatever the step (rules in :data:`~chainsight.ingest.links.MENTION_RULES`): what the analysis
publishes so that a firm's card can say which names, codes and accounts were merged into it and why.
Its ``file_id, line`` are the rule's evidence row when the rule ties by another row, else the
mention's own earliest row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import duckdb
import pandas as pd

from chainsight.ingest.links import link_parties


def account_id(account: str) -> str:
    """The stable id of a firm known by its account alone.

    >>> account_id("6222000011")
    'A-1e8dea01e7414205'
    """
    return "A-" + hashlib.sha256(account.encode("utf-8")).hexdigest()[:16]


#: The party column each side of a staged row comes from, by the row's perspective.
PAYER_PARTY = "CASE perspective WHEN 'payer_stmt' THEN 'own' WHEN 'payee_stmt' THEN 'counterparty' ELSE 'payer' END"
PAYEE_PARTY = "CASE perspective WHEN 'payee_stmt' THEN 'own' WHEN 'payer_stmt' THEN 'counterparty' ELSE 'payee' END"


def resolve_parties(con: duckdb.DuckDBPyConnection,
                    account_parties: Mapping[int, Sequence[str]] | None = None) -> None:
    """Build ``parties`` and ``entity_links`` from ``staged`` and the master tables.

    ``account_parties`` maps a file to the party columns (``own``, ``counterparty``, ``payer``,
    ``payee``) whose account alone identifies a party (step 7).
    """
    con.execute("CREATE OR REPLACE TEMP TABLE _account_files (file_id BIGINT, party VARCHAR)")
    rows = [(int(f), p) for f, parties in (account_parties or {}).items() for p in parties]
    if rows:
        con.executemany("INSERT INTO _account_files VALUES (?, ?)", rows)
    # A pair's evidence is its earliest row, and the earliest row with a code when it has one.
    pairs = con.execute(f"""
        SELECT account, name, any_value(uscc) FILTER (WHERE uscc IS NOT NULL) AS uscc,
               any_value(bank) FILTER (WHERE bank IS NOT NULL) AS bank, count(*) AS rows,
               bool_or(a.file_id IS NOT NULL) AS by_account,
               min((CAST(uscc IS NULL AS BIGINT) << 62) | (CAST(file_id AS BIGINT) << 40) | line) AS first,
               account IN (SELECT account_no FROM our_accounts) AS ours FROM (
            SELECT file_id, line, payer_account AS account, payer_name AS name, payer_uscc AS uscc,
                   payer_bank AS bank, {PAYER_PARTY} AS party
            FROM staged WHERE reject_reason IS NULL
            UNION ALL
            SELECT file_id, line, payee_account, payee_name, payee_uscc, payee_bank, {PAYEE_PARTY}
            FROM staged WHERE reject_reason IS NULL) s
        LEFT JOIN _account_files a USING (file_id, party)
        GROUP BY account, name ORDER BY account, name""").df()
    # ``first`` packs (no code, file, line) in one integer: far cheaper to aggregate than a struct.
    first = pairs.pop("first").to_numpy(dtype="int64")
    pairs["file_id"], pairs["line"] = (first >> 40) & ((1 << 22) - 1), first & ((1 << 40) - 1)
    con.execute("DROP TABLE _account_files")
    pairs["ours"] = pairs["ours"].fillna(False).astype(bool)
    customers = con.execute("SELECT name_key, enterprise_id, customer_id FROM customers "
                            "ORDER BY customer_id").df()
    linked = link_parties(pairs, customers)
    pairs = pd.concat([pairs.rename(columns={"file_id": "seen_file", "line": "seen_line"}), linked], axis=1)
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
    _write_mentions(con, pairs)
    con.execute("DROP TABLE parties_raw; DROP TABLE account_owner")
    _write_links(con, pairs)


def _ints(values: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in values]


def _write_mentions(con: duckdb.DuckDBPyConnection, pairs: pd.DataFrame) -> None:
    """``entity_mentions``: every party resolved to a firm, with the step that resolved it."""
    frame = pd.DataFrame({
        "account": pairs["account"].astype(object), "name": pairs["name"].astype(object),
        "uscc": pairs["uscc"].astype(object), "rule": pairs["rule"].astype(object),
        "name_kind": pairs["name_kind"].astype(object),
        "file_id": _ints(pairs["file_id"]), "line": _ints(pairs["line"]),
        "seen_file": _ints(pairs["seen_file"]), "seen_line": _ints(pairs["seen_line"]),
        "customer_id": pairs["customer_id"].astype(object),
        "candidates": [list(c) if isinstance(c, list) else None for c in pairs["candidates"]]})
    con.register("_mentions", frame)
    con.execute("""
        CREATE OR REPLACE TABLE entity_mentions AS
        SELECT p.party_id AS enterprise_id, p.account, p.name, CAST(m.uscc AS VARCHAR) AS uscc,
               CASE WHEN p.ours THEN 'our_account'
                    WHEN m.rule IS NOT NULL THEN CAST(m.rule AS VARCHAR)
                    WHEN m.name_kind = 'enterprise' THEN 'name_key'
                    WHEN w.owner_id IS NOT NULL THEN 'account_owner'
                    ELSE 'account_only' END AS rule,
               CAST(CASE WHEN p.ours OR m.file_id IS NULL THEN m.seen_file ELSE m.file_id END AS INTEGER)
                   AS file_id,
               CAST(CASE WHEN p.ours OR m.file_id IS NULL THEN m.seen_line ELSE m.line END AS BIGINT) AS line,
               CAST(CASE WHEN p.ours THEN o.customer_id ELSE m.customer_id END AS VARCHAR) AS customer_id,
               CAST(CASE WHEN p.ours THEN NULL ELSE m.candidates END AS VARCHAR[]) AS candidates, p.rows
        FROM _mentions m
        JOIN parties p ON p.party_key = hash(CAST(m.account AS VARCHAR), CAST(m.name AS VARCHAR))
        LEFT JOIN our_accounts o ON o.account_no = p.account
        LEFT JOIN account_owner w ON w.account = p.account
        WHERE p.party_kind = 'enterprise'
        ORDER BY enterprise_id, rule, name, account""")
    con.unregister("_mentions")


def _write_links(con: duckdb.DuckDBPyConnection, pairs: pd.DataFrame) -> None:
    """``entity_links``: each party a cross-extract rule resolved (our own accounts need none)."""
    links = pairs[pairs["rule"].notna() & (pairs["rule"] != "uscc") & ~pairs["ours"]]
    frame = pd.DataFrame({
        "account": links["account"].astype(object), "name": links["name"].astype(object),
        "enterprise_id": links["name_id"].astype(object), "rule": links["rule"].astype(object),
        "file_id": _ints(links["file_id"]), "line": _ints(links["line"]),
        "customer_id": links["customer_id"].astype(object),
        "candidates": [list(c) if isinstance(c, list) else None for c in links["candidates"]],
        "rows": links["rows"].astype("int64")})
    con.register("_links", frame)
    con.execute("""
        CREATE OR REPLACE TABLE entity_links AS
        SELECT CAST(account AS VARCHAR) AS account, CAST(name AS VARCHAR) AS name,
               CAST(enterprise_id AS VARCHAR) AS enterprise_id, CAST(rule AS VARCHAR) AS rule,
               CAST(file_id AS INTEGER) AS file_id, CAST(line AS BIGINT) AS line,
               CAST(customer_id AS VARCHAR) AS customer_id, CAST(candidates AS VARCHAR[]) AS candidates,
               CAST(rows AS BIGINT) AS rows
        FROM _links ORDER BY enterprise_id, rule, name, account""")
    con.unregister("_links")
